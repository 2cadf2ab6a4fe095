"""Rename EVA-CLIP checkpoint keys to open_clip's timm-based EVA02 layout.

BAAI's EVA02-CLIP checkpoints store the vision tower as ``visual.<EVA name>``; open_clip builds
it as a timm ``Eva`` under ``visual.trunk.``. The text tower (``text.``) and ``logit_scale``
already match open_clip's ``CustomTextCLIP``.

EVA name -> timm name (inside each block):
    attn.q_bias / attn.v_bias -> attn.q_proj.bias / attn.v_proj.bias  (k has no bias)
    attn.inner_attn_ln        -> attn.norm      (sub-LN before the output projection)
    mlp.w1 / mlp.w2           -> mlp.fc1_g / mlp.fc1_x   (SwiGLU gate / value)
    mlp.ffn_ln                -> mlp.norm       (sub-LN inside the MLP)
    mlp.w3                    -> mlp.fc2
``rope.*`` buffers are recomputed by timm and dropped; ``head`` is the image projection.
"""
from typing import Dict

import torch

_BLOCK_RENAMES = (
    ('.attn.q_bias', '.attn.q_proj.bias'),
    ('.attn.v_bias', '.attn.v_proj.bias'),
    ('.attn.inner_attn_ln.', '.attn.norm.'),
    ('.mlp.ffn_ln.', '.mlp.norm.'),
    ('.mlp.w1.', '.mlp.fc1_g.'),
    ('.mlp.w2.', '.mlp.fc1_x.'),
    ('.mlp.w3.', '.mlp.fc2.'),
)


def is_eva_clip_state_dict(sd: Dict[str, torch.Tensor]) -> bool:
    """True for EVA-CLIP's own layout (vision keys not yet under ``visual.trunk.``)."""
    return 'visual.pos_embed' in sd and 'visual.trunk.pos_embed' not in sd


def eva_to_timm_key(key: str) -> str:
    """Map one EVA-CLIP vision key (without the ``visual.`` prefix) to timm's name."""
    for old, new in _BLOCK_RENAMES:
        key = key.replace(old, new)
    return key


def convert_eva_clip_state_dict(sd: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """Return a copy of an EVA-CLIP state dict with open_clip keys."""
    out = {}
    for key, value in sd.items():
        if not key.startswith('visual.'):
            out[key] = value
            continue
        sub = key[len('visual.'):]
        if sub.startswith('rope.') or '.rope.' in sub:
            continue
        out['visual.trunk.' + eva_to_timm_key(sub)] = value
    return out


def timm_to_eva_key(key: str) -> str:
    """Inverse of :func:`eva_to_timm_key` (used to write EVA-format test checkpoints)."""
    for old, new in _BLOCK_RENAMES:
        key = key.replace(new, old)
    return key
