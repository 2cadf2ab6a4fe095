"""Project the FPN output into CLIP's joint image-text space, at 4x its resolution.

CRIS's visual projector (two x2 bilinear upsamplings, each followed by conv3x3 + BN + ReLU,
then a 1x1 conv), with the last conv widened to CLIP's embedding dimension ``D`` so that each
pixel embedding can be compared with a *frozen* CLIP text embedding by a dot product:

``[B, C_in, h, w]`` -> ``[B, D, 4h, 4w]`` (stride 4 for the RN101 pyramid).
"""
import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.registry import MODELS


@MODELS.register_module()
class PixelEmbeddingProjector(BaseModule):
    """Upsample x4 and map to ``out_channels`` (= CLIP's embedding dimension).

    Args:
        in_channels: FPN output width (CRIS: 512).
        channels: width after the second upsampling (CRIS: 256).
        out_channels: CLIP embedding dimension ``D`` (RN101: 512).
    """

    def __init__(self, in_channels: int = 512, channels: int = 256, out_channels: int = 512,
                 norm_cfg=dict(type='BN'), init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        act = dict(type='ReLU')
        self.layers = nn.Sequential(
            nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False),
            ConvModule(in_channels, in_channels, 3, padding=1, norm_cfg=norm_cfg, act_cfg=act),
            nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False),
            ConvModule(in_channels, channels, 3, padding=1, norm_cfg=norm_cfg, act_cfg=act),
            nn.Conv2d(channels, out_channels, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, C_in, h, w]`` -> pixel embeddings ``[B, D, 4h, 4w]``."""
        return self.layers(x)
