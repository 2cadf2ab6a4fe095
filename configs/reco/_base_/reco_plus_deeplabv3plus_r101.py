# ReCo+ student: DeepLabv3+ (ResNet-101, output stride 8) trained on ReCo's pseudo-labels with the
# released code's recipe: Adam, lr 5e-4 (backbone x0.1), weight decay 2e-4, poly(0.9) over 20k
# iterations, batch 8, 320x320 crops (augmentations in the dataset config).
# The ImageNet ResNet-101-v1c backbone is a local file (mmseg's open-mmlab://resnet101_v1c).
# Validation and test scores are refined by the released code's dense CRF (its parameters below;
# `--cfg-options model.crf=None` gives the plain scores).
_base_ = ['../../_base_/default_runtime.py']

norm_cfg = dict(type='BN', requires_grad=True)
num_classes = None  # set by each benchmark config
model = dict(
    type='CRFEncoderDecoder',
    crf=dict(iters=10, pos_w=3.0, pos_xy_std=1.0, bi_w=4.0, bi_xy_std=67.0, bi_rgb_std=3.0,
             max_pixels=4096),  # messages on a <= 64x64 grid (clipdense/models/reco/dense_crf.py)
    data_preprocessor=dict(type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_val=0, seg_pad_val=255,
                           size=(320, 320)),
    backbone=dict(
        type='ResNetV1c', depth=101, num_stages=4, out_indices=(0, 1, 2, 3), dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1), norm_cfg=norm_cfg, norm_eval=False, style='pytorch', contract_dilation=True,
        init_cfg=dict(type='Pretrained', checkpoint='checkpoints/resnet101_v1c-e67eebb6.pth')),
    decode_head=dict(
        type='DepthwiseSeparableASPPHead', in_channels=2048, in_index=3, channels=512,
        dilations=(1, 12, 24, 36), c1_in_channels=256, c1_channels=48, dropout_ratio=0.1,
        num_classes=num_classes, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=5e-4, betas=(0.9, 0.999), weight_decay=2e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=20000, by_epoch=False)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=20000, val_interval=1000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1000, save_best='mIoU'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
