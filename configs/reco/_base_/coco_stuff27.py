# COCO-Stuff, 27 coarse classes (IIC/PiCIE/STEGO/ReCo protocol): evaluated on STEGO's curated val2017
# list, resized to a shorter side of 320 and centre-cropped to 320x320. As in the paper, ReCo+
# trains on the COCO-Stuff-10k train images (imageLists/train.txt) with ReCo's pseudo-labels.
dataset_type = 'ReCoCocoStuff27Dataset'
data_root = 'data/cocostuff'
train_root = 'data/cocostuff10k'
classes = ('electronic', 'appliance', 'food-things', 'furniture-things', 'indoor', 'kitchen',
           'accessory', 'animal', 'outdoor', 'person', 'sports', 'vehicle', 'ceiling', 'floor',
           'food-stuff', 'furniture-stuff', 'raw material', 'textile', 'wall', 'window', 'building',
           'ground', 'plant', 'sky', 'solid', 'structural', 'water')
crop_size = (320, 320)
pseudo_label_dir = 'reco_pseudo_labels/train'   # under train_root; written by tools/reco_pseudo_labels.py
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
                 ann_file='curated/val2017/Coco164kFull_Stuff_Coarse.txt',
                 data_prefix=dict(img_path='images/val2017', seg_map_path='annotations/val2017'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
pseudo_label_dataloader = dict(
    batch_size=1, num_workers=2, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='BaseSegDataset', data_root=train_root, metainfo=dict(classes=classes),
                 ann_file='imageLists/train.txt', img_suffix='.jpg', data_prefix=dict(img_path='images'),
                 pipeline=pseudo_label_pipeline))
train_dataloader = dict(
    batch_size=8, num_workers=4, persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='BaseSegDataset', data_root=train_root, metainfo=dict(classes=classes),
                 ann_file='imageLists/train.txt', img_suffix='.jpg', seg_map_suffix='.png',
                 data_prefix=dict(img_path='images', seg_map_path=pseudo_label_dir),
                 pipeline=train_pipeline))
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
