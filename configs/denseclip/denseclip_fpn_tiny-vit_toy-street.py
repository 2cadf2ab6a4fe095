# DenseCLIP on the toy world's street scenes: trained on the toy GTA5 source (19 Cityscapes
# classes, 8 of which occur), validated on the toy Cityscapes target (another rendering), from
# the toy tiny CLIP whose corpus names street things in both renderings. Same model and recipe as
# denseclip_fpn_tiny-vit_toy-objects-colour.py (the other toy task); baseline without language
# guidance: fpn_tiny-vit_toy-street.py. Source-val: add
#   --cfg-options val_dataloader.dataset.type=GTA5Dataset val_dataloader.dataset.data_root=data/toyworld/gta5 \
#       val_dataloader.dataset.ann_file=toy_splits/val.txt val_dataloader.dataset.data_prefix.img_path=images \
#       val_dataloader.dataset.data_prefix.seg_map_path=labels
_base_ = ['./denseclip_fpn_tiny-vit_toy-objects-colour.py']

class_names = ('road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light', 'traffic sign',
               'vegetation', 'terrain', 'sky', 'person', 'rider', 'car', 'truck', 'bus', 'train',
               'motorcycle', 'bicycle')  # Cityscapes' 19 train classes, in train-id order
num_classes = len(class_names)
crop_size = (128, 128)
model = dict(
    data_preprocessor=dict(size=crop_size),
    class_names=class_names,
    neck=dict(in_channels=[128, 128 + num_classes, 128, 128]),
    decode_head=dict(num_classes=num_classes),
    identity_head=dict(num_classes=num_classes))

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
train_dataloader = dict(dataset=dict(
    _delete_=True, type='GTA5Dataset', data_root='data/toyworld/gta5', ann_file='toy_splits/train.txt',
    pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(
    _delete_=True, type='CityscapesDataset', data_root='data/toyworld/cityscapes',
    data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'), pipeline=test_pipeline))
test_dataloader = val_dataloader
