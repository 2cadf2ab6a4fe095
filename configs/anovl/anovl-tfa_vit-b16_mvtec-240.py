# AnoVL's training-free adaptation alone (no test-time adapter), CLIP ViT-B/16, MVTec AD, 240 px.
_base_ = ['./anovl_vit-b16_mvtec-240.py']

model = dict(tta=dict(enable=False))
