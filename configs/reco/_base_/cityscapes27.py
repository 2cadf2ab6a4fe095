# Cityscapes, 27 classes (PiCIE/STEGO/ReCo protocol): evaluated on the 500 val images resized to a
# shorter side of 320 and centre-cropped to 320x320; ReCo+ trains on the 2975 train images.
dataset_type = 'ReCoCityscapes27Dataset'
data_root = 'data/cityscapes'
classes = ('road', 'sidewalk', 'parking', 'rail track', 'building', 'wall', 'fence', 'guard rail',
           'bridge', 'tunnel', 'pole', 'polegroup', 'traffic light', 'traffic sign', 'vegetation',
           'terrain', 'sky', 'person', 'rider', 'car', 'truck', 'bus', 'caravan', 'trailer', 'train',
           'motorcycle', 'bicycle')
crop_size = (320, 320)
pseudo_label_dir = 'reco_pseudo_labels/train'   # under data_root; written by tools/reco_pseudo_labels.py
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='ResizeShortestEdge', scale=320, max_size=100000),
    dict(type='CenterCrop', crop_size=320),
    dict(type='ScoreAtCurrentSize'),
    dict(type='PackSegInputs'),
]
pseudo_label_pipeline = [   # ReCo runs at a shorter side of 320; labels are written at full size
    dict(type='LoadImageFromFile'),
    dict(type='ResizeShortestEdge', scale=320, max_size=100000),
    dict(type='PackSegInputs'),
]
train_pipeline = [          # ReCo+ student on pseudo-labels (the released code's augmentations)
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='ResizeShortestEdge', scale=320, max_size=100000),
    dict(type='CenterCrop', crop_size=320),
    dict(type='RandomResize', scale=crop_size, ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
val_dataloader = dict(
    batch_size=1, num_workers=2, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root,
                 data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
pseudo_label_dataloader = dict(
    batch_size=1, num_workers=2, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='BaseSegDataset', data_root=data_root, metainfo=dict(classes=classes),
                 img_suffix='_leftImg8bit.png', data_prefix=dict(img_path='leftImg8bit/train'),
                 pipeline=pseudo_label_pipeline))
train_dataloader = dict(
    batch_size=8, num_workers=4, persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='BaseSegDataset', data_root=data_root, metainfo=dict(classes=classes),
                 img_suffix='_leftImg8bit.png', seg_map_suffix='.png',
                 data_prefix=dict(img_path='leftImg8bit/train', seg_map_path=pseudo_label_dir),
                 pipeline=train_pipeline))
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
