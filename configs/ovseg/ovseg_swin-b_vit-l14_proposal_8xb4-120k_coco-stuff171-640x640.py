# Train OVSeg's large proposal generator (Swin-B MaskFormer, CLIP ViT-L/14 text classifier) on
# COCO-Stuff-171 with seen-class supervision; validate open-vocabulary on ADE20K-150 (short side 640).
# Released schedule: 32 images/iter (8 GPUs x 4), 120k iters, AdamW 6e-5 (wd 0.01, backbone lr x1),
# 640 crops, poly decay with 1.5k linear warm-up, full-model gradient clipping at L2 norm 0.01.
_base_ = ['../_base_/default_runtime.py', './_base_/models/ovseg_swin-b_vit-l14.py',
          './_base_/datasets/coco-stuff171.py']

model = dict(train_class_names='{{ fileDirname }}/class_lists/coco_stuff171.txt',
             test_class_names='{{ fileDirname }}/class_lists/ade150.txt')
crop_size = (640, 640)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    # Multi-scale, from ovseg_swinB_vitL_bs32_120k.yaml: INPUT.MIN_SIZE_TRAIN =
    # [int(x * 0.1 * 640) for x in range(5, 21)] (short side 320..1280), MIN_SIZE_TRAIN_SAMPLING
    # "choice", MAX_SIZE_TRAIN 2560. (The R-101c yaml has no such list; see the dataset base.)
    dict(type='RandomChoiceResize', scales=[int(640 * x * 0.1) for x in range(5, 21)],
         resize_type='ResizeShortestEdge', max_size=2560),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=1.0),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2560, 640), keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=6e-5, betas=(0.9, 0.999), weight_decay=0.01),
    clip_grad=dict(max_norm=0.01, norm_type=2),
    paramwise_cfg=dict(norm_decay_mult=0.0, custom_keys={
        'query_embed': dict(decay_mult=0.0), 'absolute_pos_embed': dict(decay_mult=0.0),
        'relative_position_bias_table': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', eta_min=0.0, power=0.9, by_epoch=False, begin=1500, end=120000),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=120000, val_interval=5000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5000, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
