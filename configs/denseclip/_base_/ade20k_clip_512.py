# ADE20K (150 classes) for CLIP backbones at 512x512 crops, as in DenseCLIP's ResNet configs:
# random resize of (2048, 512) by 0.5-2.0, crop 512 (cat_max_ratio 0.75), flip, photometric
# distortion; test at (2048, 512) keeping the ratio. 4 images per GPU (8 GPUs -> batch 32).
# Images are normalised with CLIP's mean/std in the model's data_preprocessor.
_base_ = ['mmseg::_base_/datasets/ade20k.py']

crop_size = (512, 512)
clip_data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[122.771, 116.746, 104.094], std=[68.501, 66.632, 70.323],  # CLIP's, in 0..255 RGB
    bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size=crop_size)
train_dataloader = dict(batch_size=4, num_workers=4)
