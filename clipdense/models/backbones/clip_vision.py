"""CLIP image encoders (ViT, EVA02, ModifiedResNet) as an MMSegmentation backbone."""
from typing import Optional, Sequence

import torch
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from clipdense.clip import build_clip, build_dense_encoder


@MODELS.register_module()
class CLIPVisionBackbone(BaseModule):
    """Multi-level features of a CLIP vision tower for any input size.

    Args:
        arch: CLIP architecture (``'ViT-B-16'``, ``'RN50'``, ``'EVA02-L-14'``, ``'tiny-ViT'``, ...).
        checkpoint: local CLIP weights (file or folder), ``None`` for random init.
        out_indices: ViT/EVA block indices to return (ResNets return their four stages).
        dense_mode: ``'value'`` or ``'attention'`` for the dense embedding (see the encoders).
        output_dense_embed: append the dense CLIP embedding ``[B, D, h, w]`` as a last level.
        drop_path_rate: stochastic depth for ViT/EVA blocks.
        frozen: freeze all CLIP weights (and keep BatchNorm statistics fixed for ResNets).
        pos_embed: position-table resampling (:mod:`clipdense.clip.pos_embed`: a preset name such
            as ``'open_clip'`` (default), ``'bicubic'``, ``'denseclip'``, or a dict).

    Returns (forward): tuple of ``[B, C_i, h_i, w_i]`` tensors.
    """

    def __init__(self, arch: str, checkpoint: Optional[str] = None,
                 out_indices: Sequence[int] = (3, 5, 7, 11), dense_mode: str = 'value',
                 output_dense_embed: bool = False, drop_path_rate: float = 0.0,
                 frozen: bool = False, pos_embed=None, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        clip = build_clip(arch, checkpoint)
        self.encoder = build_dense_encoder(clip, out_indices, dense_mode, drop_path_rate, pos_embed)
        self.output_dense_embed = output_dense_embed
        self.frozen = frozen
        if frozen:
            for p in self.encoder.parameters():
                p.requires_grad_(False)

    def train(self, mode: bool = True):
        super().train(mode)
        if self.frozen:
            self.encoder.eval()
        return self

    def forward(self, x: torch.Tensor):
        out = self.encoder(x, with_embeddings=self.output_dense_embed)
        feats = list(out['features'])
        if self.output_dense_embed:
            feats.append(out['dense_embed'])
        return tuple(feats)
