"""AffordanceCLIP's FPN: CRIS's multi-level fusion neck, conditioned on CLIP's *global image
embedding* instead of a sentence embedding, so no text enters the trainable part.

With ``g`` the global embedding ``[B, G]`` and CLIP levels ``v3, v4, v5`` (strides 8/16/32 for
the RN101 of the paper), ``cbr`` = conv + BN + ReLU:

* ``f5 = ReLU(BN(cbr1x1(v5) * ReLU(BN1d(W g))))``                 (global conditioning)
* ``f4 = cbr1x1([cbr3x3(v4), up(f5)])``                          (top-down, at v4's size)
* ``f3 = cbr1x1([avgpool(cbr3x3(v3)), f4])``                     (bottom-up, at v4's size)
* ``f  = cbr1x1([cbr3x3(f3), cbr3x3(f4), up(cbr3x3(f5))])``      (aggregation)
* ``out = cbr3x3(cbr3x3([f, x, y]))``                            (CoordConv, x/y in [-1, 1])

``up`` is bilinear resizing to v4's size and ``avgpool`` adaptive average pooling to it (for
exact strides 2x/0.5x these equal CRIS's ``scale_factor=2`` upsampling and 2x2 average pooling).
Output: ``[B, C4, h4, w4]``.
"""
from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.registry import MODELS


def coord_maps(x: torch.Tensor) -> torch.Tensor:
    """``[B, 2, h, w]``: x then y coordinates, each linearly spaced in [-1, 1]."""
    b, _, h, w = x.shape
    ys = torch.linspace(-1, 1, h, device=x.device, dtype=x.dtype)
    xs = torch.linspace(-1, 1, w, device=x.device, dtype=x.dtype)
    yy, xx = torch.meshgrid(ys, xs, indexing='ij')
    return torch.stack([xx, yy]).expand(b, -1, -1, -1)


@MODELS.register_module()
class GlobalConditionedFPN(BaseModule):
    """Fuse three CLIP levels under the global image embedding.

    Args:
        in_channels: channels of ``(v3, v4, v5)`` (RN101: ``(512, 1024, 512)``).
        global_channels: width of the global embedding (RN101: 512).
        channels: ``(C3, C4, C5)`` working widths (CRIS: ``(256, 512, 1024)``); the output has C4.
        norm_cfg: normalisation of every conv (BN, or SyncBN for multi-GPU training).
    """

    def __init__(self, in_channels: Sequence[int] = (512, 1024, 512), global_channels: int = 512,
                 channels: Sequence[int] = (256, 512, 1024), norm_cfg=dict(type='BN'),
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        in3, in4, in5 = in_channels
        c3, c4, c5 = channels
        self.out_channels = c4

        def cbr(cin, cout, k):
            return ConvModule(cin, cout, k, padding=k // 2, norm_cfg=norm_cfg, act_cfg=dict(type='ReLU'))

        self.global_proj = nn.Sequential(nn.Linear(global_channels, c5, bias=False),
                                         nn.BatchNorm1d(c5), nn.ReLU(inplace=True))
        self.proj5 = cbr(in5, c5, 1)
        self.cond_norm = nn.Sequential(nn.BatchNorm2d(c5), nn.ReLU(inplace=True))
        self.proj4, self.fuse4 = cbr(in4, c4, 3), cbr(c5 + c4, c4, 1)
        self.proj3, self.fuse3 = cbr(in3, c3, 3), cbr(c3 + c4, c4, 1)
        self.out5, self.out4, self.out3 = cbr(c5, c4, 3), cbr(c4, c4, 3), cbr(c4, c4, 3)
        self.aggregate = cbr(3 * c4, c4, 1)
        self.coord_conv = cbr(c4 + 2, c4, 3)
        self.refine = cbr(c4, c4, 3)

    def forward(self, levels: Sequence[torch.Tensor], global_embed: torch.Tensor) -> torch.Tensor:
        """``levels = [v3, v4, v5]`` (``[B, C_i, h_i, w_i]``), ``global_embed [B, G]`` ->
        ``[B, C4, h4, w4]``."""
        v3, v4, v5 = levels
        size = v4.shape[-2:]
        cond = self.global_proj(global_embed.to(v5.dtype))[..., None, None]      # [B, C5, 1, 1]
        f5 = self.cond_norm(self.proj5(v5) * cond)                                # [B, C5, h5, w5]
        up5 = F.interpolate(f5, size=size, mode='bilinear', align_corners=False)
        f4 = self.fuse4(torch.cat([self.proj4(v4), up5], dim=1))                  # [B, C4, h4, w4]
        f3 = F.adaptive_avg_pool2d(self.proj3(v3), size)
        f3 = self.fuse3(torch.cat([f3, f4], dim=1))                               # [B, C4, h4, w4]
        q5 = F.interpolate(self.out5(f5), size=size, mode='bilinear', align_corners=False)
        fused = self.aggregate(torch.cat([self.out3(f3), self.out4(f4), q5], dim=1))
        fused = self.coord_conv(torch.cat([fused, coord_maps(fused)], dim=1))
        return self.refine(fused)
