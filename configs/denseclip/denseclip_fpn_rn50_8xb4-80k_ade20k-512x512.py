# DenseCLIP (Rao et al., CVPR 2022): CLIP RN50 + Semantic FPN on ADE20K-150, 512x512 crops,
# 80k iterations, 8 GPUs x 4 images. The model, loss weights and training recipe are all here;
# the data pipeline is in _base_/ade20k_clip_512.py.
_base_ = ['../_base_/default_runtime.py', './_base_/ade20k_clip_512.py']

clip_arch = 'RN50'
clip_checkpoint = '~/.cache/clipdense/clip'  # a folder holding OpenAI's RN50.pt (or the file)
num_classes = 150
norm_cfg = dict(type='SyncBN', requires_grad=True)  # BN on a single process
model = dict(
    type='DenseCLIPSegmentor',
    data_preprocessor={{_base_.clip_data_preprocessor}},
    class_names='ADE20KDataset',  # the text prompts use ADE20KDataset.METAINFO['classes']
    backbone=dict(type='DenseCLIPVisionBackbone', arch=clip_arch, checkpoint=clip_checkpoint),
    text_encoder=dict(type='DenseCLIPTextEncoder', arch=clip_arch, checkpoint=clip_checkpoint,
                      num_context=8, context_init_std=1.0),
    context_decoder=dict(type='ContextDecoder', visual_dim=1024, transformer_width=256,
                         transformer_heads=4, transformer_layers=3, dropout=0.1),
    score_concat_index=3,  # score maps (stride 32) join the last ResNet stage
    tau=0.07,
    gamma_init=1e-4,
    neck=dict(type='FPN', in_channels=[256, 512, 1024, 2048 + num_classes], out_channels=256,
              num_outs=4),
    decode_head=dict(
        type='FPNHead', in_channels=[256, 256, 256, 256], in_index=[0, 1, 2, 3],
        feature_strides=[4, 8, 16, 32], channels=256, dropout_ratio=0.1, num_classes=num_classes,
        norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    identity_head=dict(
        type='ScoreMapIdentityHead', num_classes=num_classes, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='slide', crop_size=(512, 512), stride=(341, 341)))

# Recipe: AdamW lr 1e-4, weight decay 1e-4; CLIP image backbone at 0.1x lr; no decay on *norm*
# parameters. The CLIP text transformer is frozen (requires_grad=False; the paper's
# text_encoder lr_mult=0), the learnable contexts, context decoder and gamma train at 1x lr.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1), 'norm': dict(decay_mult=0.0)}))
# Poly decay (power 0.9, min 1e-6) over 80k iterations with a 1500-iteration linear warm-up from
# 1e-6 x lr; the two overlap, as mmcv's poly policy with warm-up did.
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', power=0.9, eta_min=1e-6, by_epoch=False, begin=0, end=80000),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=80000, val_interval=8000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=8000),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
