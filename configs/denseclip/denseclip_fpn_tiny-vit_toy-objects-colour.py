# DenseCLIP on the toy world (clipdense.toyworld): colour segmentation of object scenes
# (64x64 images; background + 8 colours, of which cyan and purple never occur in training), from
# the tiny CLIP ViT pretrained on the toy world's captions (clipdense/assets). A minutes-long
# CPU demo of the method; compare with fpn_tiny-vit_toy-objects-colour.py (no language guidance).
# Generate the data with `python -m clipdense.toyworld --root data/toyworld`.
_base_ = ['../_base_/default_runtime.py']

clip_arch = 'tiny-ViT'  # patch 8, width 128, 4 blocks, 64-d embeddings
clip_checkpoint = 'clipdense/assets/toy_clip_tiny-ViT.pt'
data_root = 'data/toyworld/objects'
class_names = ('background', 'red', 'orange', 'yellow', 'green', 'cyan', 'blue', 'purple', 'pink')
num_classes = len(class_names)
crop_size = (64, 64)
model = dict(
    type='DenseCLIPSegmentor',
    data_preprocessor=dict(
        type='SegDataPreProcessor', mean=[122.771, 116.746, 104.094], std=[68.501, 66.632, 70.323],
        bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size=crop_size),
    class_names=class_names,
    backbone=dict(type='DenseCLIPVisionBackbone', arch=clip_arch, checkpoint=clip_checkpoint,
                  out_indices=(0, 1, 2, 3), pyramid_norm_cfg=dict(type='SyncBN', requires_grad=True)),
    text_encoder=dict(type='DenseCLIPTextEncoder', arch=clip_arch, checkpoint=clip_checkpoint,
                      num_context=8, context_init_std=1.0),
    context_decoder=dict(type='ContextDecoder', visual_dim=64, transformer_width=256,
                         transformer_heads=4, transformer_layers=3, dropout=0.1),
    score_concat_index=1,  # patch-8 dense embeddings have stride 8: pyramid level 1
    tau=0.07,
    gamma_init=1e-4,
    neck=dict(type='FPN', in_channels=[128, 128 + num_classes, 128, 128], out_channels=64,
              num_outs=4),
    decode_head=dict(
        type='FPNHead', in_channels=[64, 64, 64, 64], in_index=[0, 1, 2, 3],
        feature_strides=[4, 8, 16, 32], channels=64, dropout_ratio=0.1, num_classes=num_classes,
        norm_cfg=dict(type='SyncBN', requires_grad=True), align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    identity_head=dict(
        type='ScoreMapIdentityHead', num_classes=num_classes, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

# Data: no photometric distortion (it would change the colours the labels name).
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
dataset = dict(type='BaseSegDataset', data_root=data_root, img_suffix='.png', seg_map_suffix='.png',
               metainfo=dict(classes=class_names))
train_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(dataset, data_prefix=dict(img_path='images/train', seg_map_path='labels_colour/train'),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset, data_prefix=dict(img_path='images/val', seg_map_path='labels_colour/val'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

# Recipe: the paper's optimiser (AdamW, weight decay 1e-4, CLIP image backbone at 0.1x lr, no
# decay on *norm*) at a 10x higher base lr for a 300-iteration schedule; poly decay, 30 warm-up
# iterations.
max_iters = 300
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1), 'norm': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=30),
    dict(type='PolyLR', power=0.9, eta_min=1e-6, by_epoch=False, begin=0, end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=max_iters),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
randomness = dict(seed=0)
