"""A CLIP image tower as ReCo's co-segmentation encoder (the paper compares CLIP encoders with
self-supervised ones; it is also the only dense encoder a world without a DINO model has).

``forward(images)``: RGB ``[B, 3, H, W]`` in 0..255 -> the output of block ``layer`` (ViT/EVA) or of
the last stage (ResNet) as ``[B, C, h, w]``; CLIP normalisation is applied inside.
"""
from typing import Optional

import torch
import torch.nn as nn

from clipdense.clip import build_clip, build_dense_encoder

from .retrieval import normalize_images


class CLIPTokenEncoder(nn.Module):
    """Frozen CLIP block features for co-segmentation.

    Args:
        arch: CLIP architecture (``'ViT-B-16'``, ``'tiny-ViT'``, ...).
        checkpoint: local CLIP weights (``None``: random init).
        layer: ViT/EVA block whose tokens are returned (``-1``: the last one).
    """

    def __init__(self, arch: str, checkpoint: Optional[str] = None, layer: int = -1):
        super().__init__()
        self.dense = build_dense_encoder(build_clip(arch, checkpoint), out_indices=(layer,))
        self.dense.eval().requires_grad_(False)
        with torch.no_grad():
            probe = self(torch.zeros(1, 3, 64, 64))
        self.embed_dim = probe.shape[1]
        self.patch_size = 64 // probe.shape[-1]

    def train(self, mode: bool = True):
        return super().train(False)

    @torch.no_grad()
    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.dense(normalize_images(images), with_embeddings=False)['features'][-1]
