# Toy street scenes (clipdense.toyworld): train on the GTA5-layout source domain (clean
# "synthetic" rendering), validate on its held-out source split, test on the Cityscapes-layout
# target domain (shifted "real" rendering). Images are 128x256; 8 of the 19 Cityscapes classes
# occur. Generate the data with `python -m clipdense.toyworld --root data/toyworld`.
source_root = 'data/toyworld/gta5'
target_root = 'data/toyworld/cityscapes'
crop_size = (128, 128)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(256, 128), ratio_range=(0.75, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 128), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='GTA5Dataset', data_root=source_root, label_format='id',
                 ann_file='toy_splits/train.txt', pipeline=train_pipeline))
val_dataloader = dict(  # source-val: held-out frames of the source domain
    batch_size=1, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='GTA5Dataset', data_root=source_root, label_format='id',
                 ann_file='toy_splits/val.txt', pipeline=test_pipeline))
test_dataloader = dict(  # target: the Cityscapes-layout val split, read by mmseg's own class
    batch_size=1, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='CityscapesDataset', data_root=target_root,
                 data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
                 pipeline=test_pipeline))
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
