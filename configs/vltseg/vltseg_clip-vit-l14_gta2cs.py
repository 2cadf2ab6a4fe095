# VLTSeg with OpenAI's CLIP ViT-L/14 image encoder instead of EVA02-CLIP-L/14 (the paper's CLIP
# rows), everything else as ../vltseg_gta2cs.py (24 blocks of width 1024 in both encoders).
_base_ = ['../vltseg_gta2cs.py']

model = dict(backbone=dict(arch='ViT-L-14',
                           checkpoint='~/.cache/clipdense/clip'))  # folder holding OpenAI's ViT-L-14.pt
