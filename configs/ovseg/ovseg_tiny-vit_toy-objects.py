# OVSeg at toy scale: a tiny MaskFormer proposal generator + the toy world's tiny CLIP
# (clipdense/assets/toy_clip_tiny-ViT.pt) on the toy object scenes (data/toyworld/objects),
# segmenting by colour. Training sees only the seen colours (cyan and purple never appear in the
# train split); validation asks for all 8 colours + background, so cyan/purple are zero-shot.
# Same model and recipe structure as the R-101c config, shrunk; the schedule is CPU-sized.
_base_ = ['./ovseg_r101c_vit-b16_proposal_8xb4-120k_coco-stuff171-512x512.py']

toy_root = 'data/toyworld/objects'
toy_clip = '{{ fileDirname }}/../../clipdense/assets/toy_clip_tiny-ViT.pt'
seen_classes = ['background', 'red', 'orange', 'yellow', 'green', 'blue', 'pink']
all_classes = ['background', 'red', 'orange', 'yellow', 'green', 'cyan', 'blue', 'purple', 'pink']
toy_templates = ['a photo of a {}.', 'a {} thing.', 'a photo of something {}.', '{}']
layer = dict(
    self_attn_cfg=dict(embed_dims=64, num_heads=4, attn_drop=0.0, proj_drop=0.0, batch_first=True),
    cross_attn_cfg=dict(embed_dims=64, num_heads=4, attn_drop=0.0, proj_drop=0.0, batch_first=True),
    ffn_cfg=dict(embed_dims=64, feedforward_channels=256, ffn_drop=0.0))
model = dict(
    data_preprocessor=dict(size=(64, 64)),
    train_class_names=seen_classes, test_class_names=all_classes, clip_weight=0.7,
    backbone=dict(_delete_=True, type='ResNetV1c', depth=18, stem_channels=16, base_channels=16,
                  out_indices=(0, 1, 2, 3), norm_cfg=dict(type='BN', requires_grad=True), init_cfg=None),
    decode_head=dict(
        embed_dims=64, num_classes=len(seen_classes), in_channels=[16, 32, 64, 128],
        feat_channels=64, out_channels=64, num_queries=16, class_embed_hidden=128,
        pixel_decoder=dict(norm_cfg=dict(type='GN', num_groups=16)),
        positional_encoding=dict(num_feats=32),
        transformer_decoder=dict(num_layers=3, layer_cfg=layer)),
    clip_classifier=dict(arch='tiny-ViT', checkpoint=toy_clip, crop_size=64, templates=toy_templates,
                         mask_threshold=0.5))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(64, 64), ratio_range=(0.75, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=(64, 64)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    _delete_=True, batch_size=8, num_workers=0, persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='OVSegToyObjectsDataset', data_root=toy_root, metainfo=dict(classes=seen_classes),
                 data_prefix=dict(img_path='images/train', seg_map_path='labels_colour/train'),
                 pipeline=train_pipeline))
val_dataloader = dict(
    _delete_=True, batch_size=1, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='OVSegToyObjectsDataset', data_root=toy_root,
                 data_prefix=dict(img_path='images/val', seg_map_path='labels_colour/val'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(lr=1e-3, weight_decay=1e-4), clip_grad=dict(max_norm=1.0, norm_type=2),
                     paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=1.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=50),
    dict(type='PolyLR', eta_min=0.0, power=0.9, by_epoch=False, begin=50, end=400),
]
train_cfg = dict(max_iters=400, val_interval=400)
default_hooks = dict(checkpoint=dict(interval=400, max_keep_ckpts=1), logger=dict(interval=50))
randomness = dict(seed=0)
