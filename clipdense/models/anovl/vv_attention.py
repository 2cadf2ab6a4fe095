"""AnoVL's V-V (value-value) attention and the dual-path CLIP ViT forward that uses it.

CLIP's query-key attention lets every patch token gather the whole image, so the last-layer
patch tokens describe the global content rather than their own patch. In V-V attention each
head uses its *values* as queries and keys::

    v = ln_1(z) W_v + b_v                                  # [B, heads, L, d]
    VV(z) = out_proj( softmax(v v^T / sqrt(d)) v )         # heads concatenated

so a token attends to tokens with similar content (most of all to itself) and stays local.

Dual path, from block ``vv_start`` (1-indexed) on: the original stream ``z`` runs unchanged (it
still gives CLIP's global image embedding from its class token); the V-V stream starts from the
input of block ``vv_start`` and adds, for every later block ``b``, the V-V attention of that block
computed on the block's normalised *original* input, skipping the MLP::

    z_vv <- z_vv + ls_1( VV_b( ln_1(z^{(b-1)}) ) )

The V-V stream's patch tokens after the blocks in ``out_blocks`` are the local tokens, projected
into the joint space with ``ln_post`` and ``proj``.
"""
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from clipdense.clip import ViTDenseEncoder


class VVAttention(nn.Module):
    """Value-value self-attention sharing the weights of a ``nn.MultiheadAttention``.

    ``forward(x)``: ``[B, L, C]`` (already layer-normed) -> ``[B, L, C]``.
    """

    def __init__(self, attn: nn.MultiheadAttention):
        super().__init__()
        self.attn = attn
        self.num_heads = attn.num_heads

    def values(self, x: torch.Tensor) -> torch.Tensor:
        """Per-head values ``[B, heads, L, C // heads]``."""
        B, L, C = x.shape
        bias = self.attn.in_proj_bias[2 * C:] if self.attn.in_proj_bias is not None else None
        v = F.linear(x, self.attn.in_proj_weight[2 * C:], bias)
        return v.view(B, L, self.num_heads, C // self.num_heads).transpose(1, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, L, C = x.shape
        v = self.values(x)
        out = F.scaled_dot_product_attention(v, v, v)  # softmax(v v^T / sqrt(d)) v
        return self.attn.out_proj(out.transpose(1, 2).reshape(B, L, C))


class VVPathEncoder(nn.Module):
    """Run a CLIP ViT with AnoVL's V-V path added to its last blocks.

    Args:
        encoder: the core ``ViTDenseEncoder`` (shares the CLIP weights; no parameters are added).
        vv_start: first block (1-indexed) with the V-V path; 1 adds it to every block; ``None``
            removes it (plain CLIP patch tokens: the baseline AnoVL improves on).
        out_blocks: blocks (1-indexed) whose local tokens are returned; a block before
            ``vv_start`` returns its ordinary patch tokens.
    """

    def __init__(self, encoder: ViTDenseEncoder, vv_start: Optional[int] = 1, out_blocks: Sequence[int] = (12,)):
        super().__init__()
        n = len(encoder.blocks)
        out_blocks = tuple(int(b) for b in out_blocks)
        if vv_start is None:
            vv_start = n + 1
        elif not 1 <= vv_start <= n:
            raise ValueError(f'vv_start={vv_start} must be a block number in 1..{n} (or None) for this CLIP ViT')
        bad = [b for b in out_blocks if not 1 <= b <= n]
        if bad or not out_blocks:
            raise ValueError(f'score layers {out_blocks} must be block numbers in 1..{n} for this CLIP ViT')
        self.encoder = encoder
        self.vv_start, self.out_blocks = vv_start, out_blocks
        self.vv_attn = nn.ModuleList(VVAttention(encoder.blocks[i].attn) for i in range(vv_start - 1, n))

    def forward(self, x: torch.Tensor, with_local: bool = True) -> Dict[str, torch.Tensor]:
        """``x`` [B, 3, H, W] -> dict with

        * ``global_embed`` [B, D]: CLIP's image embedding (original path, class token)
        * ``local_tokens`` [B, n_out, h, w, D]: projected V-V patch tokens (not normalised),
          one map per entry of ``out_blocks`` (only when ``with_local``)
        """
        enc = self.encoder
        z, (h, w) = enc.embed(x)
        start = self.vv_start - 1
        taken = {}
        z_vv = None
        for i, blk in enumerate(enc.blocks):
            if with_local and i >= start:
                z_vv = z if z_vv is None else z_vv
                z_vv = z_vv + blk.ls_1(self.vv_attn[i - start](blk.ln_1(z)))
            z = enc.block(i, z)
            if with_local and (i + 1) in self.out_blocks:
                taken[i + 1] = (z_vv if i >= start else z)[:, 1:]
        out = {'global_embed': enc.project(z[:, 0])}
        if with_local:
            tokens = torch.stack([taken[b] for b in self.out_blocks], dim=1)  # [B, n_out, h*w, C]
            out['local_tokens'] = enc.project(tokens).unflatten(2, (h, w))
        return out
