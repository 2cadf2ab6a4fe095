# DenseCLIP with CLIP ViT-B/16 + Semantic FPN on ADE20K-150, 640x640 crops, 80k iterations.
# Blocks 3/5/7/11 (768-d, stride 16) become a stride 4/8/16/32 pyramid; the score maps
# (stride 16) join level 2. Optimiser and schedule: the RN50 config's.
_base_ = ['./denseclip_fpn_rn50_8xb4-80k_ade20k-512x512.py']

clip_arch = 'ViT-B-16'
clip_checkpoint = '~/.cache/clipdense/clip'  # a folder holding OpenAI's ViT-B-16.pt (or the file)
num_classes = 150
crop_size = (640, 640)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(arch=clip_arch, checkpoint=clip_checkpoint, out_indices=(3, 5, 7, 11),
                  drop_path_rate=0.1),
    text_encoder=dict(arch=clip_arch, checkpoint=clip_checkpoint),
    context_decoder=dict(visual_dim=512),
    score_concat_index=2,
    neck=dict(in_channels=[768, 768, 768 + num_classes, 768]),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(426, 426)))

# Data: the 512 pipeline with 640 crops and a (2048, 640) base scale.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='RandomResize', scale=(2048, 640), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 640), keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
