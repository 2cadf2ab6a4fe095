# AnoVL (TFA + TTA) with CLIP ViT-L/14 on MVTec AD at 240x240 (17x17 patches of 14 px).
_base_ = ['./anovl_vit-b16_mvtec-240.py']

model = dict(localizer=dict(arch='ViT-L-14', score_layers=(6, 12, 18, 24)))
