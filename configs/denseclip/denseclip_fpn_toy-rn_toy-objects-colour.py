# DenseCLIP with a ResNet CLIP on the toy world: the colour segmentation task of
# denseclip_fpn_tiny-vit_toy-objects-colour.py (64x64 scenes, background + 8 colours, cyan and
# purple never in training), from the toy ResNet CLIP pretrained on the toy world's captions
# (clipdense/assets/toy_clip_toy-RN.pt; `tools/pretrain_toy_clip.py --arch toy-RN --input-scale 4`).
# Like the paper's RN50/RN101 models, it reads the dense embeddings of CLIP's modified attention
# pool (stride 32) and concatenates the score maps to the last stage. The scenes are upsampled x4
# to 256x256, the CLIP's input scale (an 8x8 attention-pool grid).
# Baseline without language guidance: fpn_toy-rn_toy-objects-colour.py.
_base_ = ['./denseclip_fpn_tiny-vit_toy-objects-colour.py']

clip_arch = 'toy-RN'  # ModifiedResNet, layers (1, 1, 1, 1), width 16: stages 64/128/256/512 ch
clip_checkpoint = 'clipdense/assets/toy_clip_toy-RN.pt'
num_classes = 9  # background + 8 colours (the base's class_names)
crop_size = (256, 256)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(_delete_=True, type='DenseCLIPVisionBackbone', arch=clip_arch,
                  checkpoint=clip_checkpoint, out_indices=(0, 1, 2, 3)),
    text_encoder=dict(arch=clip_arch, checkpoint=clip_checkpoint),
    score_concat_index=3,  # attention-pool embeddings have stride 32: the last stage
    neck=dict(in_channels=[64, 128, 256, 512 + num_classes]))

# x4 upsampling to the CLIP's input scale; predictions are scored at the original 64x64.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='Resize', scale=crop_size, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=crop_size, keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
