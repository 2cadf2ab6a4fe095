# Mask-adapted CLIP ViT-B/16, full fine-tuning of the image tower (text tower frozen) on the
# mined COCO mask-category pairs with CLIP's contrastive loss.
# Released run: 4 GPUs x 128 crops, 5 epochs of 442,117 pairs (864 iters/epoch), AdamW 5e-6
# (betas 0.9/0.98, eps 1e-6, wd 0.2; none on gains, biases, embeddings, logit scale), cosine
# decay after 100 warm-up steps.
_base_ = ['../_base_/default_runtime.py', './_base_/datasets/coco-mask-pairs.py']

model = dict(
    type='MaskAdaptedCLIPFinetuner',
    clip=dict(type='MaskAdaptedCLIP', arch='ViT-B-16', checkpoint='~/.cache/clipdense/clip',
              mask_prompt_depth=0, crop_size=224, trainable='full'))
iters_per_epoch = 864
max_iters = 5 * iters_per_epoch
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-6, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.2),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, custom_keys={
        'class_embedding': dict(decay_mult=0.0), 'logit_scale': dict(decay_mult=0.0),
        'prompts': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', T_max=max_iters - 100, eta_min=0.0, by_epoch=False,
         begin=100, end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
test_dataloader = None
test_cfg = None
test_evaluator = None
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=iters_per_epoch),
    sampler_seed=dict(type='DistSamplerSeedHook'))
