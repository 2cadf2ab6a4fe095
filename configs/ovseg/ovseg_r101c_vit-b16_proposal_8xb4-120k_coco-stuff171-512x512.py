# Train OVSeg's proposal generator (R-101c MaskFormer, CLIP ViT-B/16 text classifier) on
# COCO-Stuff-171 with seen-class supervision; validate open-vocabulary on ADE20K-150.
# Released schedule: 32 images/iter (8 GPUs x 4), 120k iters, AdamW 2e-4, backbone lr x0.1,
# poly decay with 1.5k linear warm-up, full-model gradient clipping at L2 norm 0.01.
_base_ = ['../_base_/default_runtime.py', './_base_/models/ovseg_r101c_vit-b16.py',
          './_base_/datasets/coco-stuff171.py']

model = dict(train_class_names='{{ fileDirname }}/class_lists/coco_stuff171.txt',
             test_class_names='{{ fileDirname }}/class_lists/ade150.txt')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=1e-4),
    clip_grad=dict(max_norm=0.01, norm_type=2),
    paramwise_cfg=dict(norm_decay_mult=0.0, custom_keys={
        'backbone': dict(lr_mult=0.1), 'query_embed': dict(decay_mult=0.0)}))
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
