"""VLTSeg's encoder: a CLIP or EVA-CLIP ViT image tower, fine-tuned end to end, whose block
outputs become the 4-level pyramid that Mask2Former's pixel decoder reads.

``forward(x [B, 3, H, W])`` returns ``(f4, f8, f16, f32)``: the outputs of the blocks in
``out_indices`` (``[B, C, H/p, W/p]``, ``C`` = ViT width, ``p`` = patch size) resized by
:class:`DeconvPoolPyramid` (x4, x2, x1, x1/2 for p = 14 or 16). Position embeddings (and
EVA's RoPE) follow the input size. Only the image tower is kept: the text tower, the final
norm and the projection into the joint space are not used by VLTSeg and are dropped, so every
kept parameter receives a gradient (no ``find_unused_parameters`` needed under DDP).

Layer ids for layer-wise learning-rate decay (:meth:`param_layer_ids`): 0 for the patch /
class / position embeddings, ``i + 1`` for block ``i``, ``num_layers + 1`` for the pyramid.
"""
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from clipdense.clip import EVADenseEncoder, ViTDenseEncoder, build_clip, build_dense_encoder
from .deconv_pool_pyramid import DeconvPoolPyramid


def drop_joint_space_head(encoder: nn.Module) -> None:
    """Replace the final norm / projection of a CLIP image tower (only used for CLIP
    embeddings, never for the block outputs) by no-ops, in place."""
    if isinstance(encoder, EVADenseEncoder):
        trunk = encoder.trunk
        trunk.norm, trunk.fc_norm, trunk.head = nn.Identity(), nn.Identity(), nn.Identity()
    else:
        encoder.visual.ln_post = nn.Identity()
        encoder.visual.proj = None


@MODELS.register_module()
class CLIPViTPyramid(BaseModule):
    """CLIP / EVA-CLIP ViT backbone with a stride 4-32 pyramid (VLTSeg).

    Args:
        arch: a ViT CLIP architecture: ``'EVA02-L-14'``, ``'EVA02-B-16'``, ``'ViT-L-14'``,
            ``'ViT-B-16'`` or the test sizes ``'tiny-EVA02'``, ``'tiny-ViT'``.
        checkpoint: CLIP / EVA-CLIP weights (file or folder); ``None`` = random init.
        out_indices: four block indices feeding pyramid levels 1..4 (repeats allowed, e.g.
            ``(0, 1, 1, 1)`` for a 2-block test model); the deepest must be the last block.
        drop_path_rate: stochastic depth, linearly increasing over the blocks.
        norm_cfg: norm of the x4 pyramid branch (``SyncBN``; ``BN`` on CPU-only machines).
    """

    def __init__(self, arch: str = 'EVA02-L-14', checkpoint: Optional[str] = None,
                 out_indices: Sequence[int] = (9, 14, 19, 23), drop_path_rate: float = 0.2,
                 norm_cfg: dict = dict(type='SyncBN', requires_grad=True), init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if len(out_indices) != 4:
            raise ValueError(f'out_indices needs 4 block indices (one per pyramid level), got {out_indices}')
        clip = build_clip(arch, checkpoint)
        if not hasattr(clip.visual, 'trunk') and not hasattr(clip.visual, 'transformer'):
            raise ValueError(f'{arch} is not a ViT CLIP; CLIPViTPyramid needs a ViT or EVA02 image tower')
        num_layers = len(clip.visual.trunk.blocks if hasattr(clip.visual, 'trunk')
                         else clip.visual.transformer.resblocks)
        if any(not -num_layers <= i < num_layers for i in out_indices):
            raise ValueError(f'out_indices {tuple(out_indices)} out of range for the {num_layers} '
                             f'blocks of {arch}')
        self.out_indices = tuple(i % num_layers for i in out_indices)
        if max(self.out_indices) != num_layers - 1:
            raise ValueError(f'the deepest of out_indices {tuple(out_indices)} must be the last block '
                             f'({num_layers - 1}) of {arch}, or later blocks would get no gradient')
        self.unique_indices = sorted(set(self.out_indices))
        self.encoder = build_dense_encoder(clip, self.unique_indices, 'attention', drop_path_rate)
        assert isinstance(self.encoder, (EVADenseEncoder, ViTDenseEncoder))
        drop_joint_space_head(self.encoder)
        self.num_layers = num_layers
        self.width, self.patch_size = self.encoder.width, self.encoder.patch_size
        self.pyramid = DeconvPoolPyramid(self.width, self.patch_size, norm_cfg)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        feats = self.encoder(x, with_embeddings=False)['features']
        by_block = dict(zip(self.unique_indices, feats))
        return tuple(self.pyramid([by_block[i] for i in self.out_indices]))

    def param_layer_ids(self) -> Dict[str, int]:
        """``{parameter name (relative to this module): layer id}`` for layer-wise lr decay."""
        block_of = {}
        for i, block in enumerate(self.encoder.blocks):
            for p in block.parameters():
                block_of[id(p)] = i + 1
        ids = {}
        for name, p in self.named_parameters():
            if name.startswith('pyramid.'):
                ids[name] = self.num_layers + 1
            else:
                ids[name] = block_of.get(id(p), 0)
        return ids
