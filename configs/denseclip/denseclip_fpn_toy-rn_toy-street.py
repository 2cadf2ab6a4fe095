# DenseCLIP with the toy ResNet CLIP on the toy street task of denseclip_fpn_tiny-vit_toy-street.py
# (19 Cityscapes classes; trained on the toy GTA5 rendering, validated on the toy Cityscapes one),
# at twice its scale: the ResNet's stride-32 attention-pool grid needs larger inputs (256 px crops,
# an 8x8 grid). Baseline without language guidance: fpn_toy-rn_toy-street.py.
_base_ = ['./denseclip_fpn_tiny-vit_toy-street.py']

clip_arch = 'toy-RN'
clip_checkpoint = 'clipdense/assets/toy_clip_toy-RN.pt'
num_classes = 19
crop_size = (256, 256)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(_delete_=True, type='DenseCLIPVisionBackbone', arch=clip_arch,
                  checkpoint=clip_checkpoint, out_indices=(0, 1, 2, 3)),
    text_encoder=dict(arch=clip_arch, checkpoint=clip_checkpoint),
    score_concat_index=3,
    neck=dict(in_channels=[64, 128, 256, 512 + num_classes]))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(512, 256), ratio_range=(0.75, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(512, 256), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
