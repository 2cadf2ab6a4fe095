# Mask prompt tuning on top of the fully fine-tuned CLIP ViT-B/16 (the paper's final "FT + MPT"
# CLIP): loads the full fine-tuning result, freezes it, trains depth-3 mask prompts.
# Copy the last checkpoint of ovseg_maskclip_vit-b16_full-ft_4xb128-5ep_coco-pairs.py to
# checkpoints/ovseg/maskclip_vit-b16_ft.pth first; the result of this run is what the
# ovseg_r101c_vit-b16_eval_* configs read as checkpoints/ovseg/maskclip_vit-b16_ft-mpt.pth.
_base_ = ['./ovseg_maskclip_vit-b16_mpt-only_4xb32-5ep_coco-pairs.py']

model = dict(clip=dict(adapted_checkpoint='checkpoints/ovseg/maskclip_vit-b16_ft.pth'))
