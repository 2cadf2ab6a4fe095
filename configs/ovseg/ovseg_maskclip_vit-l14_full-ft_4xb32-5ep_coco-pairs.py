# Mask-adapted CLIP ViT-L/14, full fine-tuning (text tower frozen) on the mined COCO pairs.
# Released run: 4 GPUs x 32 crops, 5 epochs (3,454 iters/epoch), otherwise as the ViT-B/16 run.
_base_ = ['./ovseg_maskclip_vit-b16_full-ft_4xb128-5ep_coco-pairs.py']

model = dict(clip=dict(arch='ViT-L-14'))
train_dataloader = dict(batch_size=32)
iters_per_epoch = 3454
max_iters = 5 * iters_per_epoch
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', T_max=max_iters - 100, eta_min=0.0, by_epoch=False,
         begin=100, end=max_iters),
]
train_cfg = dict(max_iters=max_iters)
default_hooks = dict(checkpoint=dict(interval=iters_per_epoch))
