# AnoVL (TFA + TTA) with CLIP ViT-B/16 on MVTec AD at 240x240, zero-shot (nothing is trained).
# Every number of the recipe is in this file; the other AnoVL configs override a few of them.
#   python tools/test.py configs/anovl/anovl_vit-b16_mvtec-240.py EMPTY_CKPT \
#       --cfg-options test_dataloader.dataset.data_root=data/mvtec
# The CLIP weights are read from ~/.cache/clipdense/clip (override model.localizer.checkpoint).
_base_ = ['../_base_/default_runtime.py']

img_scale = (240, 240)  # the paper's input resolution (ViT-B/16+ at 240 px in the official code)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[122.771, 116.746, 104.094], std=[68.501, 66.632, 70.323],  # CLIP's normalisation
    bgr_to_rgb=True, pad_val=0, seg_pad_val=0)
model = dict(
    type='AnoVLSegmentor',
    data_preprocessor=data_preprocessor,
    localizer=dict(
        arch='ViT-B-16',
        checkpoint='~/.cache/clipdense/clip',  # CLIP weights: a folder holding ViT-B-16.pt, or the file
        vv_start=1,                 # V-V path from block 1 on (all 12 blocks, official code)
        score_layers=(3, 6, 9, 12),  # local tokens scored and averaged (the official features_list;
                                     # its in-place V-V update leaves all four equal to block 12's,
                                     # so the official maps are block 12's: score_layers=(12,))
        logit_scale=1.0,            # softmax over raw cosine similarities (official code)
        patch_smooth=3,             # 3x3 mean filter on the patch grid
        gaussian_sigma=4.0,         # Gaussian smoothing of the upsampled map, in pixels
        image_views='augment'),     # image score averaged over 22 views (official MVTec AD)
    tta=dict(
        enable=True,
        kind='text',                # tanh(W u) projected on the 2 x 462 prompt embeddings
        steps=5, lr=1e-3, weight_decay=0.01,  # AdamW, 5 epochs on each test image
        residual=0.5,               # adapted = 0.5 * token + 0.5 * adapter branch
        noise_std=0.055,            # synthetic anomalies: token + N(0, (0.05 * 1.1)^2)
        hard_weight=0.5),           # entropy + 0.5 * (noise->abnormal + clean->normal CE)
    threshold=0.5)

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnomalyMask'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='PackSegInputs',
         meta_keys=('img_path', 'seg_map_path', 'ori_shape', 'img_shape', 'pad_shape', 'scale_factor',
                    'category', 'object_name', 'domain', 'defect_type', 'anomaly_label')),
]
test_dataloader = dict(
    batch_size=1,  # TTA adapts to one image at a time, as in the official code
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='MVTecADDataset', data_root='data/mvtec', split='test', pipeline=test_pipeline))
test_evaluator = dict(type='AnomalyMetric', max_fpr=0.3)
test_cfg = dict(type='TestLoop')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
val_cfg = dict(type='ValLoop')

# TTA draws its synthetic-anomaly noise from torch's generator: seeded, the maps are repeatable.
randomness = dict(seed=0)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    visualization=dict(type='SegVisualizationHook'))
