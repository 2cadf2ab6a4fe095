# COCO-Stuff-164k, 171 classes (mmseg layout: tools/dataset_converters/coco_stuff164k.py), the
# training set of OVSeg's proposal generator. Validation: ADE20K-150, as in the released configs.
_base_ = ['./ade150.py']

crop_size = (512, 512)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    # Single scale: short side 800, long side <= 1333, then the 512 crop. The released
    # ovseg_R101c_vitB_bs32_120k.yaml has no _BASE_ and sets no INPUT.MIN_SIZE_TRAIN /
    # MAX_SIZE_TRAIN, and open_vocab_seg/config.py adds none, so detectron2's defaults apply
    # (MIN_SIZE_TRAIN=(800,), MAX_SIZE_TRAIN=1333, sampling "choice" over that one size), as
    # used by its mask_former_semantic dataset mapper's ResizeShortestEdge. Only the Swin-B yaml
    # sets a multi-scale list (0.5x..2x of 640, max 2560); that config overrides this pipeline.
    dict(type='ResizeShortestEdge', scale=800, max_size=1333),
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
