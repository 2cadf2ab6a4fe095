"""Four same-resolution ViT maps -> a stride ~4/8/16/32 pyramid, as BEiT/EVA feed UperNet or
Mask2Former (and VLTSeg's EVA-CLIP + Mask2Former).

Level ``i`` (target stride ``s_i``) of a patch-``p`` ViT is resized by ``2 ** round(log2(p / s_i))``:

* x4:   ``ConvTranspose(2, 2)`` -> norm -> GELU -> ``ConvTranspose(2, 2)``
* x2:   ``ConvTranspose(2, 2)``
* x1:   identity
* x1/k: max pooling, kernel = stride = k

(patch 16 and 14 get x4, x2, x1, x1/2, i.e. strides 4/8/16/32 resp. 3.5/7/14/28; patch 8 gets
x2, x1, x1/2, x1/4.) Channels stay ``C``. ``SyncBN`` falls back to ``BN`` on machines without
CUDA, where PyTorch's SyncBatchNorm cannot run (e.g. CPU ``dist_train.sh``).
"""
import math
from typing import List, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.logging import print_log

TARGET_STRIDES = (4, 8, 16, 32)


def pyramid_scales(patch_size: int, strides: Sequence[int] = TARGET_STRIDES) -> List[float]:
    """Resize factor per level: the power of two nearest to ``patch_size / stride``."""
    return [2.0 ** round(math.log2(patch_size / s)) for s in strides]


def cpu_safe_norm_cfg(norm_cfg: dict) -> dict:
    """``norm_cfg`` with ``SyncBN`` replaced by ``BN`` when CUDA is unavailable."""
    if norm_cfg.get('type') == 'SyncBN' and not torch.cuda.is_available():
        print_log('SyncBN needs CUDA; the pyramid uses BN on this machine', logger='current')
        return dict(norm_cfg, type='BN')
    return dict(norm_cfg)


def resize_op(channels: int, scale: float, norm_cfg: dict) -> nn.Module:
    """The module that resizes a ``[B, C, h, w]`` map by ``scale`` (a power of two, <= 4)."""
    if scale == 4:
        return nn.Sequential(nn.ConvTranspose2d(channels, channels, 2, 2),
                             build_norm_layer(norm_cfg, channels)[1], nn.GELU(),
                             nn.ConvTranspose2d(channels, channels, 2, 2))
    if scale == 2:
        return nn.ConvTranspose2d(channels, channels, 2, 2)
    if scale == 1:
        return nn.Identity()
    if scale < 1:
        k = int(round(1 / scale))
        return nn.MaxPool2d(kernel_size=k, stride=k)
    raise ValueError(f'pyramid scale {scale} is not supported (use 4, 2, 1 or 1/2^k)')


class DeconvPoolPyramid(nn.Module):
    """``forward(4 x [B, C, h, w]) -> 4 x [B, C, h * scale_i, w * scale_i]``.

    Args:
        channels: ``C`` of the ViT maps (the ViT width).
        patch_size: ViT patch size; sets the per-level scales (see :func:`pyramid_scales`).
        norm_cfg: norm inside the x4 branch (BEiT/EVA use ``SyncBN``).
    """

    def __init__(self, channels: int, patch_size: int,
                 norm_cfg: dict = dict(type='SyncBN', requires_grad=True)):
        super().__init__()
        self.scales = pyramid_scales(patch_size)
        norm_cfg = cpu_safe_norm_cfg(norm_cfg)
        self.levels = nn.ModuleList(resize_op(channels, s, norm_cfg) for s in self.scales)

    def forward(self, feats: Sequence[torch.Tensor]) -> List[torch.Tensor]:
        if len(feats) != len(self.levels):
            raise ValueError(f'DeconvPoolPyramid needs {len(self.levels)} maps, got {len(feats)}')
        return [level(f) for level, f in zip(self.levels, feats)]
