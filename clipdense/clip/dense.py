"""Pick the dense encoder that matches a CLIP model's vision tower."""
import torch.nn as nn

from .dense_eva import EVADenseEncoder
from .dense_resnet import ResNetDenseEncoder
from .dense_vit import ViTDenseEncoder


def build_dense_encoder(clip_model: nn.Module, out_indices=(3, 5, 7, 11), dense_mode: str = 'value',
                        drop_path_rate: float = 0.0, pos_embed=None) -> nn.Module:
    """Return a ``ViTDenseEncoder``, ``EVADenseEncoder`` or ``ResNetDenseEncoder`` for ``clip_model``.

    ``out_indices`` (block indices) and ``drop_path_rate`` apply to ViT/EVA towers; ResNets
    always return their four stages. ``pos_embed`` is the position-table resampling
    (:mod:`clipdense.clip.pos_embed`; ``None``: open_clip's / timm's antialiased bicubic).
    """
    visual = clip_model.visual
    if hasattr(visual, 'trunk'):
        return EVADenseEncoder(visual, out_indices, dense_mode, drop_path_rate, pos_embed)
    if hasattr(visual, 'attnpool'):
        return ResNetDenseEncoder(visual, dense_mode, pos_embed)
    if hasattr(visual, 'transformer'):
        return ViTDenseEncoder(visual, out_indices, dense_mode, drop_path_rate, pos_embed)
    raise TypeError(f'unsupported CLIP vision tower {type(visual).__name__}')
