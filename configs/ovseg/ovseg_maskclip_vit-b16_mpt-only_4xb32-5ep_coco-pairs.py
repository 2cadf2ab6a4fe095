# Mask prompt tuning only: every CLIP ViT-B/16 weight frozen, deep mask prompts of depth 3 trained
# on the mined COCO pairs (the paper's "MPT only" row). Released MPT run: 4 GPUs x 32 crops,
# 5 epochs (3,454 iters/epoch), AdamW lr 0.05 with no weight decay on the prompts, cosine decay
# after 100 warm-up steps.
_base_ = ['./ovseg_maskclip_vit-b16_full-ft_4xb128-5ep_coco-pairs.py']

model = dict(clip=dict(mask_prompt_depth=3, trainable='prompt'))
train_dataloader = dict(batch_size=32)
iters_per_epoch = 3454
max_iters = 5 * iters_per_epoch
optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', T_max=max_iters - 100, eta_min=0.0, by_epoch=False,
         begin=100, end=max_iters),
]
train_cfg = dict(max_iters=max_iters)
default_hooks = dict(checkpoint=dict(interval=iters_per_epoch))
