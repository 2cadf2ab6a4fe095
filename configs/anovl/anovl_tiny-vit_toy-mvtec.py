# AnoVL (TFA + TTA) in the toy world: the tiny CLIP ViT pretrained on the toy captions
# (clipdense/assets/toy_clip_tiny-ViT.pt) on the toy MVTec-layout set (data/toyworld/mvtec,
# `python -m clipdense.toyworld`). Same method as anovl_vit-b16_mvtec-240.py, scaled to the
# tiny model: 64 px input (the size the tiny CLIP was pretrained at), its 4 blocks scored, the
# smoothing scaled with the input (4 px at 240 -> 1 px at 64), fabric prompted as a texture.
# The V-V path runs in the last two blocks: the paper adds it to the last blocks; the official
# code starts it at block 1 of 12, which in a 4-block model leaves no ordinary block and drops
# the toy pixel AUROC to 43 / 50 (fabric / washer) from 90 / 41 with vv_start=3.
#   python tools/test.py configs/anovl/anovl_tiny-vit_toy-mvtec.py EMPTY_CKPT
_base_ = ['./anovl_vit-b16_mvtec-240.py']

img_scale = (64, 64)
model = dict(localizer=dict(arch='tiny-ViT',
                            checkpoint='{{fileDirname}}/../../clipdense/assets/toy_clip_tiny-ViT.pt',
                            vv_start=3, score_layers=(1, 2, 3, 4), gaussian_sigma=1.0,
                            image_views='single'))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnomalyMask'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='PackSegInputs',
         meta_keys=('img_path', 'seg_map_path', 'ori_shape', 'img_shape', 'pad_shape', 'scale_factor',
                    'category', 'object_name', 'domain', 'defect_type', 'anomaly_label')),
]
# texture_categories: clipdense.toyworld.vocabulary.MVTEC_TEXTURES (the toy world's one texture)
test_dataloader = dict(num_workers=0, dataset=dict(data_root='data/toyworld/mvtec', texture_categories=('fabric', ),
                                                   pipeline=test_pipeline))
val_dataloader = test_dataloader
