"""Dense features from open_clip's ``ModifiedResNet`` (CLIP RN50/RN101) at any input size.

For an input ``[B, 3, H, W]``, :meth:`ResNetDenseEncoder.forward` returns

* ``features``: the four stage outputs ``[B, 4w, H/4, W/4]`` ... ``[B, 32w, H/32, W/32]``
* ``global_embed``: ``[B, D]`` the attention-pool output for the mean token
* ``dense_embed``: ``[B, D, H/32, W/32]`` from the modified attention pool

The attention pool's position table is resized to the feature grid. ``dense_mode='value'``
gives each position ``c_proj(v_proj(x + pos))`` (the value path, MaskCLIP); ``'attention'``
lets every position attend like the mean token does (DenseCLIP's modified attention pool).
"""
from typing import Dict

import torch
import torch.nn as nn
import torch.nn.functional as F

from .pos_embed import PosEmbedResampling, install_table


class ResNetDenseEncoder(nn.Module):
    """Wrap ``model.visual`` of an open_clip ResNet CLIP (shares its parameters).

    ``pos_embed``: resampling of the attention pool's position table
    (:mod:`clipdense.clip.pos_embed`; ``None`` for open_clip's antialiased bicubic).
    """

    def __init__(self, visual: nn.Module, dense_mode: str = 'attention', pos_embed=None):
        super().__init__()
        assert dense_mode in ('value', 'attention'), dense_mode
        self.visual = visual
        self.dense_mode = dense_mode
        self.embed_dim = visual.attnpool.c_proj.out_features
        self.pos_resampling = PosEmbedResampling.build(pos_embed)
        self.table_grid = install_table(visual.attnpool, 'positional_embedding', self.pos_resampling)

    @property
    def pool(self) -> nn.Module:
        return self.visual.attnpool

    def attnpool(self, x: torch.Tensor):
        """``[B, C, h, w]`` -> global ``[B, D]``, dense ``[B, D, h, w]``."""
        B, C, h, w = x.shape
        p = self.pool
        tokens = x.flatten(2).permute(2, 0, 1)                        # (hw, B, C)
        tokens = torch.cat([tokens.mean(dim=0, keepdim=True), tokens], dim=0)
        pos = self.pos_resampling.for_grid(p.positional_embedding, (h, w), src_grid=self.table_grid)
        tokens = tokens + pos[:, None].to(x.dtype)
        query = tokens if self.dense_mode == 'attention' else tokens[:1]
        out, _ = F.multi_head_attention_forward(
            query=query, key=tokens, value=tokens, embed_dim_to_check=C, num_heads=p.num_heads,
            q_proj_weight=p.q_proj.weight, k_proj_weight=p.k_proj.weight,
            v_proj_weight=p.v_proj.weight, in_proj_weight=None,
            in_proj_bias=torch.cat([p.q_proj.bias, p.k_proj.bias, p.v_proj.bias]),
            bias_k=None, bias_v=None, add_zero_attn=False, dropout_p=0.,
            out_proj_weight=p.c_proj.weight, out_proj_bias=p.c_proj.bias,
            use_separate_proj_weight=True, training=self.training, need_weights=False)
        if self.dense_mode == 'attention':
            dense = out[1:]
        else:
            dense = p.c_proj(p.v_proj(tokens[1:]))
        dense = dense.permute(1, 2, 0).reshape(B, -1, h, w)
        return out[0], dense

    def forward(self, x: torch.Tensor, with_embeddings: bool = True) -> Dict[str, object]:
        v = self.visual
        x = v.stem(x.to(v.conv1.weight.dtype))
        feats = []
        for layer in (v.layer1, v.layer2, v.layer3, v.layer4):
            x = layer(x)
            feats.append(x)
        out = {'features': feats}
        if with_embeddings:
            out['global_embed'], out['dense_embed'] = self.attnpool(x)
        return out
