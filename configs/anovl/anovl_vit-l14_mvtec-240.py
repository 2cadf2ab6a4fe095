# AnoVL (TFA + TTA) with CLIP ViT-L/14 on MVTec AD at 240x240 (17x17 patches of 14 px).
_base_ = ['./anovl_vit-b16_mvtec-240.py']

# The official code replaces the attention of the last 12 residual blocks with the V-V path
# (all of ViT-B/16+'s 12); in the 24-block ViT-L/14 that is blocks 13-24.
model = dict(localizer=dict(arch='ViT-L-14', vv_start=13, score_layers=(6, 12, 18, 24)))
