"""A tiny EVA02-CLIP vision trunk registered in timm, for tests and the toy world.

Same block design as timm's ``eva02_base_patch16_clip_224`` (separate q/k/v projections with
q/v biases, SwiGLU MLP with its inner LayerNorm, sub-LN in attention, 2-D RoPE), shrunk to
64 px input, patch 8, width 64, 2 blocks.
"""
from timm.models import register_model
from timm.models.eva import _create_eva


@register_model
def clipdense_eva02_tiny_patch8_clip_64(pretrained=False, **kwargs):
    model_args = dict(
        img_size=64, patch_size=8, embed_dim=64, depth=2, num_heads=2,
        qkv_fused=False, mlp_ratio=4 * 2 / 3, swiglu_mlp=True, scale_mlp=True,
        scale_attn_inner=True, use_rot_pos_emb=True, ref_feat_shape=(8, 8),
        global_pool=kwargs.pop('global_pool', 'token'))
    return _create_eva('clipdense_eva02_tiny_patch8_clip_64', pretrained=False,
                       **dict(model_args, **kwargs))
