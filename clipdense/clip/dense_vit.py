"""Dense features from open_clip's ``VisionTransformer`` at any input size.

Output of :meth:`ViTDenseEncoder.forward` for an input ``[B, 3, H, W]`` (``h = H // p``):

* ``features``: list of ``[B, C, h, w]`` maps after the blocks in ``out_indices``
* ``global_embed``: ``[B, D]`` the CLIP image embedding (class token, ln_post, proj)
* ``dense_embed``: ``[B, D, h, w]`` patch embeddings in the joint image-text space

``dense_mode='value'`` computes the last block's *value path* (MaskCLIP): the attention of
the last block is replaced by its value projection followed by the output projection, so each
patch keeps its own content instead of the globally mixed token; the residual connection and
the MLP of the block are kept. ``dense_mode='attention'`` projects the ordinary last-layer patch
tokens (DenseCLIP's ViT).
"""
from typing import Dict, List, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from timm.layers import DropPath

from .pos_embed import PosEmbedResampling, install_table


def interpolate_pos_embed(pos: torch.Tensor, grid: Sequence[int], num_prefix: int = 1,
                          resampling=None) -> torch.Tensor:
    """Resample a ``[num_prefix + g*g, C]`` position table to ``grid`` (h, w) with ``resampling``
    (a :class:`~clipdense.clip.pos_embed.PosEmbedResampling`, preset name or dict; default
    open_clip's antialiased bicubic)."""
    return PosEmbedResampling.build(resampling).for_grid(pos, grid, num_prefix)


class ViTDenseEncoder(nn.Module):
    """Wrap an open_clip ``VisionTransformer`` (shares its parameters, adds none).

    Args:
        visual: ``model.visual`` of an open_clip ViT CLIP.
        out_indices: block indices whose outputs are returned as feature maps.
        dense_mode: ``'value'`` (MaskCLIP value path) or ``'attention'`` (plain tokens).
        drop_path_rate: stochastic depth, linearly increasing over the blocks.
        pos_embed: position-table resampling (:mod:`clipdense.clip.pos_embed`; a preset name,
            a dict or ``None`` for open_clip's). ``when='load'``/``'crop'`` replaces
            ``visual.positional_embedding`` by the resized table here, once.
    """

    def __init__(self, visual: nn.Module, out_indices: Sequence[int] = (3, 5, 7, 11),
                 dense_mode: str = 'value', drop_path_rate: float = 0.0, pos_embed=None):
        super().__init__()
        assert dense_mode in ('value', 'attention'), dense_mode
        self.visual = visual
        n = len(self.blocks)
        self.out_indices = [i % n for i in out_indices]
        self.dense_mode = dense_mode
        self.patch_size = visual.patch_size[0]
        self.width = visual.conv1.out_channels
        self.embed_dim = visual.proj.shape[1]
        rates = torch.linspace(0, drop_path_rate, n).tolist()
        self.drop_paths = nn.ModuleList(DropPath(r) if r > 0 else nn.Identity() for r in rates)
        self.pos_resampling = PosEmbedResampling.build(pos_embed)
        self.table_grid = install_table(visual, 'positional_embedding', self.pos_resampling)

    @property
    def blocks(self) -> nn.ModuleList:
        # a property, not a second registration: each parameter must have one name
        return self.visual.transformer.resblocks

    def embed(self, x: torch.Tensor):
        """Patchify, add class token and resized positions: ``[B, 1 + h*w, C]``, (h, w)."""
        x = self.visual.conv1(x)
        h, w = x.shape[-2:]
        x = x.flatten(2).transpose(1, 2)
        cls = self.visual.class_embedding.to(x.dtype).expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1)
        pos = self.pos_resampling.for_grid(self.visual.positional_embedding, (h, w),
                                           src_grid=self.table_grid)
        x = x + pos.to(x.dtype)
        return self.visual.ln_pre(x), (h, w)

    def block(self, i: int, x: torch.Tensor) -> torch.Tensor:
        """Block ``i`` on batch-first tokens ``[B, L, C]`` (with stochastic depth)."""
        blk, dp = self.blocks[i], self.drop_paths[i]
        x = x + dp(blk.ls_1(blk.attention(q_x=blk.ln_1(x))))
        return x + dp(blk.ls_2(blk.mlp(blk.ln_2(x))))

    def value_path(self, i: int, x: torch.Tensor) -> torch.Tensor:
        """Block ``i`` with its attention replaced by ``out_proj(v_proj(ln_1(x)))``."""
        blk = self.blocks[i]
        c = x.shape[-1]
        v = F.linear(blk.ln_1(x), blk.attn.in_proj_weight[2 * c:], blk.attn.in_proj_bias[2 * c:])
        x = x + blk.ls_1(blk.attn.out_proj(v))
        return x + blk.ls_2(blk.mlp(blk.ln_2(x)))

    def project(self, tokens: torch.Tensor) -> torch.Tensor:
        """ln_post + proj: ``[..., C]`` -> ``[..., D]``."""
        return self.visual.ln_post(tokens) @ self.visual.proj

    def forward(self, x: torch.Tensor, with_embeddings: bool = True) -> Dict[str, object]:
        B = x.shape[0]
        x, (h, w) = self.embed(x)
        feats: List[torch.Tensor] = []
        last = len(self.blocks) - 1
        for i in range(last):
            x = self.block(i, x)
            if i in self.out_indices:
                feats.append(x[:, 1:].transpose(1, 2).reshape(B, -1, h, w))
        x_in = x
        x = self.block(last, x_in)
        if last in self.out_indices:
            feats.append(x[:, 1:].transpose(1, 2).reshape(B, -1, h, w))
        out = {'features': feats}
        if with_embeddings:
            out['global_embed'] = self.project(x[:, 0])
            dense = self.value_path(last, x_in)[:, 1:] if self.dense_mode == 'value' else x[:, 1:]
            out['dense_embed'] = self.project(dense).transpose(1, 2).reshape(B, -1, h, w)
        return out
