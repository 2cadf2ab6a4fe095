# KITTI-STEP, 19 Cityscapes classes: evaluated on the 2981 val frames at full resolution (as in the
# released code); ReCo+ trains on the 5027 train frames with ReCo's pseudo-labels.
dataset_type = 'ReCoKittiStepDataset'
data_root = 'data/kitti_step'
classes = ('road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light', 'traffic sign',
           'vegetation', 'terrain', 'sky', 'person', 'rider', 'car', 'truck', 'bus', 'train',
           'motorcycle', 'bicycle')
crop_size = (320, 320)
pseudo_label_dir = 'reco_pseudo_labels/train'   # under data_root; written by tools/reco_pseudo_labels.py
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadSTEPSemanticAnnotations'),
    dict(type='PackSegInputs'),
]
pseudo_label_pipeline = [
    dict(type='LoadImageFromFile'),
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
                 data_prefix=dict(img_path='images/val', seg_map_path='panoptic_maps/val'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
pseudo_label_dataloader = dict(
    batch_size=1, num_workers=2, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='BaseSegDataset', data_root=data_root, metainfo=dict(classes=classes),
                 img_suffix='.png', data_prefix=dict(img_path='images/train'),
                 pipeline=pseudo_label_pipeline))
train_dataloader = dict(
    batch_size=8, num_workers=4, persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='BaseSegDataset', data_root=data_root, metainfo=dict(classes=classes),
                 img_suffix='.png', seg_map_suffix='.png',
                 data_prefix=dict(img_path='images/train', seg_map_path=pseudo_label_dir),
                 pipeline=train_pipeline))
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
