# Mask prompt tuning (depth 3, every CLIP weight frozen) of the toy world's tiny CLIP on pairs mined
# from the toy object scenes' train captions (clipdense.models.ovseg.toy writes the pairs file,
# work_dirs/ovseg_toy/seed<S>/pairs.json for training seed S).
# The released MPT recipe (AdamW 0.05, no weight decay on prompts, warm-up + cosine), CPU-sized.
_base_ = ['./ovseg_maskclip_vit-b16_mpt-only_4xb32-5ep_coco-pairs.py']

model = dict(clip=dict(arch='tiny-ViT', crop_size=64,
                       checkpoint='{{ fileDirname }}/../../clipdense/assets/toy_clip_tiny-ViT.pt'))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CropMaskedRegion', size=64, expand_ratio=1.0, random_scale=(0.9, 1.0)),
    dict(type='PackMaskCategoryInputs'),
]
train_dataloader = dict(
    batch_size=32, num_workers=0, persistent_workers=False,
    dataset=dict(data_root='data/toyworld/objects', ann_file='work_dirs/ovseg_toy/seed0/pairs.json',
                 data_prefix=dict(img_path='images'), pipeline=train_pipeline))
max_iters = 300
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', T_max=max_iters - 20, eta_min=0.0, by_epoch=False, begin=20,
         end=max_iters),
]
train_cfg = dict(max_iters=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters), logger=dict(interval=50))
randomness = dict(seed=0)
