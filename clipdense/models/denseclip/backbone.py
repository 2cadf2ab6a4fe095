"""CLIP image encoders as DenseCLIP backbones: four feature levels plus global and dense embeddings.

* ResNet (RN50, RN101, tiny-RN): the four stage outputs ``[B, 256..2048, H/4..H/32]`` and the
  modified attention pool (every position attends like the pooled token), giving the global
  embedding ``[B, D]`` and the dense embedding map ``[B, D, H/32, W/32]``.
* ViT (ViT-B-16, tiny-ViT, EVA02): the outputs of blocks ``out_indices`` (``[B, C, H/p, W/p]``)
  turned into a stride 4/8/16/32 pyramid (:class:`ViTFeaturePyramid`), the class-token
  embedding ``[B, D]`` and the projected last-layer patch tokens ``[B, D, H/p, W/p]``.

Weights come from a local CLIP checkpoint (``checkpoint``: file or folder); any input size works
(position embeddings are interpolated).
"""
from typing import List, Optional, Sequence

import torch
from mmengine.model import BaseModule

from clipdense.clip import build_clip, build_dense_encoder

from .registry import register_in_seg_and_det
from .vit_pyramid import ViTFeaturePyramid


@register_in_seg_and_det
class DenseCLIPVisionBackbone(BaseModule):
    """Args:
        arch: CLIP architecture (``'RN50'``, ``'RN101'``, ``'ViT-B-16'``, ``'tiny-RN'``, ...).
        checkpoint: local CLIP weights (file or folder); ``None`` for random init.
        out_indices: ViT/EVA blocks whose outputs form the four levels (ResNets: stages).
        drop_path_rate: stochastic depth of ViT/EVA blocks (0.1 in DenseCLIP's ViT-B config).
        output_embeddings: append ``(global_embed [B, D], dense_embed [B, D, h, w])`` as a last
            element (DenseCLIP); ``False`` returns the four levels only (a plain FPN backbone).
        pyramid_norm_cfg: norm inside the x4 up-sampling branch of the ViT pyramid.

    Returns (forward): ``(f1, f2, f3, f4)`` or ``(f1, f2, f3, f4, (global_embed, dense_embed))``.
    """

    def __init__(self, arch: str, checkpoint: Optional[str] = None,
                 out_indices: Sequence[int] = (3, 5, 7, 11), drop_path_rate: float = 0.0,
                 output_embeddings: bool = True,
                 pyramid_norm_cfg: dict = dict(type='SyncBN', requires_grad=True), init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.arch = arch
        self.encoder = build_dense_encoder(build_clip(arch, checkpoint), out_indices,
                                           dense_mode='attention', drop_path_rate=drop_path_rate)
        self.output_embeddings = output_embeddings
        self.embed_dim = self.encoder.embed_dim
        self.is_resnet = hasattr(self.encoder, 'pool')
        self.pyramid = None
        if not self.is_resnet:
            if len(out_indices) != 4:
                raise ValueError(f'DenseCLIP ViT backbones need 4 out_indices, got {tuple(out_indices)}')
            self.pyramid = ViTFeaturePyramid(self.encoder.width, self.encoder.patch_size,
                                             pyramid_norm_cfg)
        if not output_embeddings:
            self._freeze_embedding_head()

    def _freeze_embedding_head(self) -> None:
        """Without embeddings the projection into the joint space is unused; freeze it so that
        every trainable parameter gets a gradient (as distributed training requires)."""
        v = self.encoder.visual
        if self.is_resnet:
            v.attnpool.requires_grad_(False)
        elif hasattr(v, 'trunk'):
            for m in (v.trunk.norm, v.trunk.fc_norm, v.trunk.head):
                m.requires_grad_(False)
        else:
            v.ln_post.requires_grad_(False)
            v.proj.requires_grad_(False)

    @property
    def out_channels(self) -> List[int]:
        """Channels of the four feature levels."""
        if self.is_resnet:
            v = self.encoder.visual
            return [layer[-1].bn3.num_features for layer in (v.layer1, v.layer2, v.layer3, v.layer4)]
        return [self.encoder.width] * 4

    @property
    def embed_stride(self) -> int:
        """Stride of the dense embedding map (32 for ResNets, the patch size for ViTs)."""
        return 32 if self.is_resnet else self.encoder.patch_size

    def forward(self, x: torch.Tensor) -> tuple:
        out = self.encoder(x, with_embeddings=self.output_embeddings)
        feats = out['features']
        if self.pyramid is not None:
            feats = self.pyramid(feats)
        if not self.output_embeddings:
            return tuple(feats)
        return tuple(feats) + ((out['global_embed'], out['dense_embed']),)
