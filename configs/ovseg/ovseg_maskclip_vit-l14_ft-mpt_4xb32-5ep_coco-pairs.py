# Mask prompt tuning (depth 3) on top of the fully fine-tuned CLIP ViT-L/14 (released
# coco_proposal_1cap_mask_prompt_tuning_VitL run: 4 GPUs x 32, 5 epochs, lr 0.05).
# Copy the last checkpoint of ovseg_maskclip_vit-l14_full-ft_4xb32-5ep_coco-pairs.py to
# checkpoints/ovseg/maskclip_vit-l14_ft.pth first; the ovseg_swin-b_vit-l14_eval_* configs read
# this run's result as checkpoints/ovseg/maskclip_vit-l14_ft-mpt.pth.
_base_ = ['./ovseg_maskclip_vit-b16_mpt-only_4xb32-5ep_coco-pairs.py']

model = dict(clip=dict(arch='ViT-L-14', adapted_checkpoint='checkpoints/ovseg/maskclip_vit-l14_ft.pth'))
