# COCO-Stuff-164k, 171 classes (mmseg layout: tools/dataset_converters/coco_stuff164k.py), the
# training set of OVSeg's proposal generator. Validation: ADE20K-150, as in the released configs.
_base_ = ['./ade150.py']

crop_size = (512, 512)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    # short side drawn from 256..1024 (0.5x..2x of 512), long side <= 2048 (detectron2 "choice")
    dict(type='RandomChoiceResize', scales=[int(512 * x * 0.1) for x in range(5, 21)],
         resize_type='ResizeShortestEdge', max_size=2048),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=1.0),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=4, num_workers=4, persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='COCOStuffDataset', data_root='data/coco_stuff164k',
                 data_prefix=dict(img_path='images/train2017', seg_map_path='annotations/train2017'),
                 pipeline=train_pipeline))
