# Full fine-tuning (image tower; text tower frozen) of the toy world's tiny CLIP on pairs mined from
# the toy object scenes' train captions. The released full-FT recipe with a CPU-sized schedule and
# a learning rate raised from 5e-6 to 1e-4 for the short run.
_base_ = ['./ovseg_maskclip_tiny-vit_mpt-only_toy-objects.py']

model = dict(clip=dict(mask_prompt_depth=0, trainable='full'))
optim_wrapper = dict(optimizer=dict(lr=1e-4))
