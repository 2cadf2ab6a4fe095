# Mask-category pairs mined from COCO Captions (tools/ovseg_mine_pairs.py, 1 caption per image:
# the paper's 440K-pair set) for fine-tuning the mask-adapted CLIP. Masked crops at 224 px with
# the released RandomResizedCrop(scale=(0.9, 1.0)) augmentation.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CropMaskedRegion', size=224, expand_ratio=1.0, random_scale=(0.9, 1.0)),
    dict(type='PackMaskCategoryInputs'),
]
train_dataloader = dict(
    batch_size=128, num_workers=4, persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='MaskCategoryPairsDataset', data_root='data/coco',
                 ann_file='ovseg_pairs/coco_proposal_1cap.json',
                 data_prefix=dict(img_path='train2017'), pipeline=train_pipeline))
val_dataloader = None
val_cfg = None
val_evaluator = None
