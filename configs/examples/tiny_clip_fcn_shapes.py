# The smallest CLIP-backbone segmentor: tiny CLIP ViT + FCN head on a tiny shapes dataset.
# Used by the end-to-end tests of tools/train.py, --resume and tools/dist_train.sh.
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/tiny_shapes.py']

data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[122.771, 116.746, 104.094], std=[68.501, 66.632, 70.323],  # CLIP's normalisation
    bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size=(64, 64))
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(type='CLIPVisionBackbone', arch='tiny-ViT', checkpoint=None,
                  out_indices=(1, 3), dense_mode='value', output_dense_embed=True),
    decode_head=dict(
        type='FCNHead', in_channels=64, in_index=-1, channels=32, num_convs=1,
        concat_input=False, dropout_ratio=0.0, num_classes=4,
        norm_cfg=dict(type='BN', requires_grad=True), align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, betas=(0.9, 0.999), weight_decay=0.01))
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=1.0, begin=0, end=40, by_epoch=False)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=40, val_interval=20)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=20),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
randomness = dict(seed=0)
