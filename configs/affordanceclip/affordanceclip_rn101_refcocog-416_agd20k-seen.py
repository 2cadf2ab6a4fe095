# AffordanceCLIP (Cuttano et al., CVPR-W 2024): frozen CLIP RN101 + global-conditioned FPN,
# trained on referring segmentation (RefCOCOg, text-to-pixel contrastive loss), evaluated
# zero-shot on AGD20K Seen (KLD / SIM / NSS). The whole recipe is in this file; see README.md.
_base_ = ['../_base_/default_runtime.py']

clip_checkpoint = 'checkpoints/clip/RN101.pt'      # OpenAI's RN101.pt
refcoco_root = 'data/refcoco'                      # refcocog/{instances.json,refs(umd).p}, train2014/
agd20k_root = 'data/AGD20K'                        # Seen/, Unseen/
input_size = (416, 416)                            # CRIS / AffordanceCLIP input resolution

data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[122.771, 116.746, 104.094], std=[68.501, 66.632, 70.323],  # CLIP's normalisation
    bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size=input_size, test_cfg=dict(size=input_size))
model = dict(
    type='AffordanceCLIP',
    data_preprocessor=data_preprocessor,
    clip=dict(type='FrozenCLIP', arch='RN101', checkpoint=clip_checkpoint),
    # CRIS's FPN widths; in_channels (512, 1024, 512) and global_channels 512 come from RN101
    neck=dict(type='GlobalConditionedFPN', channels=(256, 512, 1024), norm_cfg=dict(type='BN')),
    # 512 -> x2 -> 512 -> x2 -> 256 -> 1x1 -> 512 (= CLIP's embedding dimension)
    projector=dict(type='PixelEmbeddingProjector', channels=256, norm_cfg=dict(type='BN')),
    loss=dict(type='PixelTextContrastiveLoss', loss_weight=1.0, ignore_index=255),
    background_logit=0.0,
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

# ---------------------------------------------------------------- data
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='SampleReferringExpression', mode='random'),
    dict(type='Resize', scale=input_size, keep_ratio=True),  # letterbox: padded by the preprocessor
    dict(type='PackAffordanceInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=input_size, keep_ratio=True),
    dict(type='LoadAffordanceHeatmap'),
    dict(type='PackAffordanceInputs'),
]
train_dataloader = dict(
    batch_size=8,  # x 8 GPUs = 64, as in CRIS
    num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='mmdet.RefCocoDataset', data_root=refcoco_root,
        ann_file='refcocog/instances.json', split_file='refcocog/refs(umd).p', split='train',
        data_prefix=dict(img_path='train2014/'), text_mode='original',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='AGD20KDataset', data_root=agd20k_root, split='Seen', subset='testset',
                 view='egocentric', prompt_template='{}', pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='AffordanceHeatmapMetric', eval_size=224)
test_evaluator = dict(type='AffordanceHeatmapMetric', eval_size=224, per_affordance=True)

# ---------------------------------------------------------------- schedule (CRIS's)
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.0))
param_scheduler = [dict(type='MultiStepLR', milestones=[35], gamma=0.1, by_epoch=True,
                        begin=0, end=50)]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=50, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=64)
log_processor = dict(by_epoch=True)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=True, interval=5, max_keep_ckpts=2,
                    save_best='SIM', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
randomness = dict(seed=0)
