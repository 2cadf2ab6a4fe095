# OVSeg, large model: Swin-B (IN-22k, 384) MaskFormer proposal generator + CLIP ViT-L/14.
# Numbers from the released ovseg_swinB_vitL_bs32_120k config. Pretrained weights are local files:
#   checkpoints/swin_base_patch4_window12_384_22k.pth   Swin-B IN-22k (mmseg/mmcls key layout)
#   ~/.cache/clipdense/clip/ViT-L-14.pt                 OpenAI CLIP ViT-L/14
_base_ = ['./ovseg_r101c_vit-b16.py']

data_preprocessor = dict(size=(640, 640))
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(
        _delete_=True, type='SwinTransformer', pretrain_img_size=384, embed_dims=128,
        depths=[2, 2, 18, 2], num_heads=[4, 8, 16, 32], window_size=12, mlp_ratio=4,
        qkv_bias=True, qk_scale=None, drop_rate=0.0, attn_drop_rate=0.0, drop_path_rate=0.3,
        patch_norm=True, out_indices=(0, 1, 2, 3), with_cp=False, frozen_stages=-1,
        init_cfg=dict(type='Pretrained', checkpoint='checkpoints/swin_base_patch4_window12_384_22k.pth')),
    decode_head=dict(embed_dims=768, in_channels=[128, 256, 512, 1024]),
    clip_classifier=dict(arch='ViT-L-14', mask_threshold=0.4))
