"""Turn four same-resolution ViT feature maps into a stride 4/8/16/32 pyramid (DenseCLIP's ViT).

For patch size ``p`` the map of level ``i`` (target stride ``s_i`` in 4, 8, 16, 32) is first
normalised with ``GroupNorm(1, C)`` and then resized by ``p / s_i``:

* x4: ``ConvTranspose(2, 2)`` -> norm -> GELU -> ``ConvTranspose(2, 2)``
* x2: ``ConvTranspose(2, 2)``
* x1: identity
* x1/2, x1/4: max pooling with kernel = stride = 2 or 4

(ViT-B/16 gets x4, x2, x1, x1/2; a patch-8 ViT x2, x1, x1/2, x1/4.) Channels stay ``C``.
"""
from typing import List, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer

STRIDES = (4, 8, 16, 32)


def _resize_op(channels: int, scale: float, norm_cfg: dict) -> nn.Module:
    if scale == 4:
        return nn.Sequential(nn.ConvTranspose2d(channels, channels, 2, 2),
                             build_norm_layer(norm_cfg, channels)[1], nn.GELU(),
                             nn.ConvTranspose2d(channels, channels, 2, 2))
    if scale == 2:
        return nn.ConvTranspose2d(channels, channels, 2, 2)
    if scale == 1:
        return nn.Identity()
    k = int(round(1 / scale))
    return nn.MaxPool2d(kernel_size=k, stride=k)


class ViTFeaturePyramid(nn.Module):
    """``forward(list of 4 x [B, C, H/p, W/p]) -> list of [B, C, H/4 .. H/32]``."""

    def __init__(self, channels: int, patch_size: int,
                 norm_cfg: dict = dict(type='SyncBN', requires_grad=True)):
        super().__init__()
        if patch_size not in (8, 16):
            raise ValueError(f'cannot build a stride {STRIDES} pyramid from patch-{patch_size} '
                             'features; DenseCLIP ViT backbones need patch size 8 or 16')
        self.strides = STRIDES
        self.ops = nn.ModuleList(
            nn.Sequential(nn.GroupNorm(1, channels), _resize_op(channels, patch_size / s, norm_cfg))
            for s in STRIDES)

    def forward(self, features: Sequence[torch.Tensor]) -> List[torch.Tensor]:
        if len(features) != len(self.ops):
            raise ValueError(f'the ViT pyramid needs {len(self.ops)} feature maps, got '
                             f'{len(features)}; give the backbone four out_indices')
        return [op(f) for op, f in zip(self.ops, features)]
