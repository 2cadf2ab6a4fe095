"""Dense features from open_clip's EVA02-CLIP vision tower (a timm ``Eva`` trunk), any size.

Same outputs as :class:`~clipdense.clip.dense_vit.ViTDenseEncoder`. Position embeddings are
resized to the patch grid and the 2-D RoPE is rebuilt for it. The value path of the last
block is ``proj(norm(v_proj(norm1(x))))`` (EVA's sub-LN sits before the output projection);
RoPE only rotates queries and keys, so the value path needs none.
"""
from typing import Dict, Sequence

import torch
import torch.nn as nn
from timm.layers import DropPath

from .pos_embed import PosEmbedResampling, install_table


class EVADenseEncoder(nn.Module):
    """Wrap ``model.visual`` (open_clip ``TimmModel``) of an EVA02-CLIP model."""

    def __init__(self, visual: nn.Module, out_indices: Sequence[int] = (3, 5, 7, 11),
                 dense_mode: str = 'value', drop_path_rate: float = 0.0, pos_embed=None):
        super().__init__()
        assert dense_mode in ('value', 'attention'), dense_mode
        self.visual = visual
        n = len(self.blocks)
        self.out_indices = [i % n for i in out_indices]
        self.dense_mode = dense_mode
        self.patch_size = self.trunk.patch_embed.proj.kernel_size[0]
        self.width = self.trunk.embed_dim
        self.embed_dim = self.trunk.head.out_features
        self.pos_resampling = PosEmbedResampling.build(pos_embed)   # default: timm's
        self.table_grid = install_table(self.trunk, 'pos_embed', self.pos_resampling)
        for i, rate in enumerate(torch.linspace(0, drop_path_rate, n).tolist()):
            if drop_path_rate > 0:
                self.blocks[i].drop_path1 = DropPath(rate) if rate > 0 else nn.Identity()
                self.blocks[i].drop_path2 = DropPath(rate) if rate > 0 else nn.Identity()

    @property
    def trunk(self) -> nn.Module:
        return self.visual.trunk

    @property
    def blocks(self) -> nn.Module:
        return self.visual.trunk.blocks

    def rope(self, grid):
        rope = self.trunk.rope
        if rope is None:
            return None
        if tuple(rope.feat_shape) == tuple(grid):
            return rope.get_embed()
        return rope._build_embed_cat(list(grid), rope.bands)

    def embed(self, x: torch.Tensor):
        t = self.trunk
        x = t.patch_embed.proj(x)
        h, w = x.shape[-2:]
        x = x.flatten(2).transpose(1, 2)
        x = torch.cat([t.cls_token.expand(x.shape[0], -1, -1), x], dim=1)
        pos = self.pos_resampling.for_grid(t.pos_embed, (h, w), src_grid=self.table_grid)
        x = x + pos.to(x.dtype)
        return t.norm_pre(t.pos_drop(x)), (h, w)

    def value_path(self, blk: nn.Module, x: torch.Tensor) -> torch.Tensor:
        attn = blk.attn
        v = attn.proj(attn.norm(attn.v_proj(blk.norm1(x))))
        if blk.gamma_1 is not None:
            v = blk.gamma_1 * v
        x = x + v
        m = blk.mlp(blk.norm2(x))
        return x + (blk.gamma_2 * m if blk.gamma_2 is not None else m)

    def project(self, tokens: torch.Tensor) -> torch.Tensor:
        t = self.trunk
        return t.head(t.fc_norm(t.norm(tokens)))

    def forward(self, x: torch.Tensor, with_embeddings: bool = True) -> Dict[str, object]:
        B = x.shape[0]
        x, (h, w) = self.embed(x)
        rope = self.rope((h, w))
        feats, last = [], len(self.blocks) - 1
        for i in range(last):
            x = self.blocks[i](x, rope=rope)
            if i in self.out_indices:
                feats.append(x[:, 1:].transpose(1, 2).reshape(B, -1, h, w))
        x_in = x
        x = self.blocks[last](x_in, rope=rope)
        if last in self.out_indices:
            feats.append(x[:, 1:].transpose(1, 2).reshape(B, -1, h, w))
        out = {'features': feats}
        if with_embeddings:
            out['global_embed'] = self.project(x[:, 0])
            dense = self.value_path(self.blocks[last], x_in)[:, 1:] if self.dense_mode == 'value' \
                else x[:, 1:]
            out['dense_embed'] = self.project(dense).transpose(1, 2).reshape(B, -1, h, w)
        return out
