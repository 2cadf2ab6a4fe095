# VLTSeg in the toy world (clipdense.toyworld): the tiny CLIP ViT pretrained on the toy
# image-caption corpus (clipdense/assets/toy_clip_tiny-ViT.pt), fine-tuned on the toy GTA5
# source and tested on the toy source-val split and the toy Cityscapes target. Same method as
# ../vltseg_gta2cs.py, shrunk: 4-block ViT (width 128, patch 8), 128x128 crops, smaller Mask2Former.
#   python -m clipdense.toyworld --root data/toyworld          # once (or let the tests do it)
#   python tools/train.py configs/vltseg/vltseg_tiny-vit_toy-gta2cs.py
#   python tools/train.py configs/vltseg/vltseg_tiny-vit_toy-gta2cs.py \
#       --cfg-options model.backbone.checkpoint=None         # the randomly initialised control
_base_ = ['../vltseg_gta2cs.py']

toy_root = 'data/toyworld'
crop_size = (128, 128)
channels = 64  # Mask2Former width
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(arch='tiny-ViT', checkpoint='{{fileDirname}}/../../clipdense/assets/toy_clip_tiny-ViT.pt',
                  out_indices=(0, 1, 2, 3), drop_path_rate=0.1),
    decode_head=dict(
        in_channels=[128] * 4, feat_channels=channels, out_channels=channels, num_queries=20,
        pixel_decoder=dict(
            encoder=dict(num_layers=2, layer_cfg=dict(
                self_attn_cfg=dict(embed_dims=channels),
                ffn_cfg=dict(embed_dims=channels, feedforward_channels=channels * 4))),
            positional_encoding=dict(num_feats=channels // 2)),
        positional_encoding=dict(num_feats=channels // 2),
        transformer_decoder=dict(num_layers=2, layer_cfg=dict(
            self_attn_cfg=dict(embed_dims=channels), cross_attn_cfg=dict(embed_dims=channels),
            ffn_cfg=dict(embed_dims=channels, feedforward_channels=channels * 4))),
        train_cfg=dict(num_points=512)),
    test_cfg=dict(_delete_=True, mode='whole'))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(256, 128), ratio_range=(0.75, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'), dict(type='PackSegInputs')]
toy_gta5 = dict(type='GTA5Dataset', data_root=f'{toy_root}/gta5', ann_file='toy_splits/train.txt',
                pipeline=train_pipeline)
toy_gta5_val = dict(type='GTA5Dataset', data_root=f'{toy_root}/gta5', ann_file='toy_splits/val.txt',
                    pipeline=test_pipeline)
toy_cityscapes_val = dict(type='CityscapesDataset', data_root=f'{toy_root}/cityscapes',
                          data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
                          pipeline=test_pipeline)
train_dataloader = dict(batch_size=4, num_workers=1, dataset=toy_gta5)
val_dataloader = dict(num_workers=1, dataset=toy_cityscapes_val)
test_dataloader = dict(num_workers=1, dataset=dict(type='ConcatDataset',
                                                   datasets=[toy_gta5_val, toy_cityscapes_val]))
test_cfg = dict(type='MultiDomainTestLoop', domain_names=['gta5-val', 'cityscapes-val'],
                mean_over=['cityscapes-val'])

optim_wrapper = dict(optimizer=dict(lr=5e-4))  # a tiny model on 250 frames: fewer, larger steps
max_iters = 160
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=16),
    dict(type='PolyLR', eta_min=0.0, power=0.9, by_epoch=False, begin=16, end=max_iters),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters, max_keep_ckpts=1),
                     logger=dict(interval=20))
