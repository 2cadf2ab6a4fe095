# Zero-shot Pascal Context-459 with OVSeg (Swin-B + mask-adapted CLIP ViT-L/14); paper: 12.4 mIoU.
#   tools/test.py THIS_CONFIG <proposal weights from ovseg_swin-b_vit-l14_proposal_8xb4-120k_coco-stuff171-640x640.py>
# plus the mask-adapted CLIP (fine-tuned + mask prompts of depth 3, from ovseg_maskclip_vit-l14_ft-mpt_4xb32-5ep_coco-pairs.py)
# at checkpoints/ovseg/maskclip_vit-l14_ft-mpt.pth.
_base_ = ['../_base_/default_runtime.py', './_base_/models/ovseg_swin-b_vit-l14.py',
          './_base_/datasets/pc459.py']

model = dict(test_class_names='{{ fileDirname }}/class_lists/pc459.txt',
             clip_weight=0.6,  # lambda: GETTING_STARTED.md's Swin-B Pascal Context command (yaml default 0.7)
             clip_classifier=dict(mask_prompt_depth=3,
                                  adapted_checkpoint='checkpoints/ovseg/maskclip_vit-l14_ft-mpt.pth'))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2560, 640), keep_ratio=True),  # short side 640
    dict(type='LoadWideSegAnnotations', ignore_index=65535),
    dict(type='PackSegInputs'),
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
