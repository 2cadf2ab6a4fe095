# VLTSeg-style domain generalization on the toy street scenes: the toy-pretrained tiny CLIP
# vision tower, fully fine-tuned at a 10x lower learning rate, with a simple FCN head on its
# four block outputs; trained on the GTA5-layout source, tested on the Cityscapes-layout target.
#   python tools/train.py configs/toyworld/tiny_clip_fcn_toy_gta5_to_cityscapes.py   (~1 s/iter on CPU)
#   python tools/test.py  configs/toyworld/tiny_clip_fcn_toy_gta5_to_cityscapes.py WORK_DIR/iter_300.pth
_base_ = ['../_base_/default_runtime.py', './_base_/toy_gta5_to_cityscapes.py']

data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[122.771, 116.746, 104.094], std=[68.501, 66.632, 70.323],  # CLIP's normalisation
    bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size=(128, 128))
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(type='CLIPVisionBackbone', arch='tiny-ViT',
                  checkpoint='{{fileDirname}}/../../clipdense/assets/toy_clip_tiny-ViT.pt',
                  out_indices=(0, 1, 2, 3), dense_mode='value', drop_path_rate=0.1),
    decode_head=dict(
        type='FCNHead', in_channels=[128, 128, 128, 128], in_index=[0, 1, 2, 3],
        input_transform='resize_concat', channels=128, num_convs=2, concat_input=False,
        dropout_ratio=0.1, num_classes=19, norm_cfg=dict(type='BN', requires_grad=True),
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, begin=0, end=20, by_epoch=False),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=20, end=300, by_epoch=False)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=300, val_interval=300)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=25, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=300, max_keep_ckpts=1),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
randomness = dict(seed=0)
