"""DenseCLIP's context decoder: text embeddings attend to the image's visual context.

For ``K`` class embeddings ``t [B, K, D]`` and the visual context ``z [B, N, D]`` (the global
embedding followed by the ``h*w`` dense embeddings, ``N = 1 + h*w``), the decoder computes

    x = text_proj(t)                     LayerNorm -> Linear(D, W)
    m = memory_proj(z)                   LayerNorm -> Linear(D, W) -> LayerNorm
    repeat L times (pre-norm transformer decoder layer):
        x = x + SelfAttn(LN(x))
        x = x + CrossAttn(LN(x), m)      queries from the text, keys/values from the image
        x = x + Dropout(MLP(LN(x)))      Linear(W, 4W) -> GELU -> Dropout -> Linear(4W, W)
    out = out_proj(x)                    LayerNorm -> Linear(W, D)      -> [B, K, D]

The model then adds ``gamma * out`` to the text embeddings (``gamma`` a learnable ``[D]``
vector initialised to 1e-4, see :mod:`.language_guidance`). Attention projections have no bias
(q/k/v), the output projection does; linear weights start from a truncated N(0, 0.02).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .registry import register_in_seg_and_det


class MultiHeadAttention(nn.Module):
    """Multi-head scaled dot-product attention with separate q/k/v projections.

    ``forward(q [B, N, C], kv [B, M, C]) -> [B, N, C]``:
    ``proj(softmax(q Wq (kv Wk)^T / sqrt(C / heads)) kv Wv)`` per head, then dropout.
    """

    def __init__(self, dim: int, num_heads: int, dropout: float = 0.0):
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'context decoder width {dim} is not divisible by {num_heads} heads; '
                             'choose transformer_width as a multiple of transformer_heads')
        self.num_heads = num_heads
        self.q_proj = nn.Linear(dim, dim, bias=False)
        self.k_proj = nn.Linear(dim, dim, bias=False)
        self.v_proj = nn.Linear(dim, dim, bias=False)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(dropout)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        B, N, C = x.shape
        return x.view(B, N, self.num_heads, C // self.num_heads).transpose(1, 2)  # [B, h, N, c]

    def forward(self, q: torch.Tensor, kv: torch.Tensor) -> torch.Tensor:
        B, N, C = q.shape
        out = F.scaled_dot_product_attention(
            self._heads(self.q_proj(q)), self._heads(self.k_proj(kv)), self._heads(self.v_proj(kv)))
        return self.proj_drop(self.proj(out.transpose(1, 2).reshape(B, N, C)))


class ContextDecoderLayer(nn.Module):
    """Pre-norm decoder layer: self-attention, cross-attention to the memory, MLP."""

    def __init__(self, width: int, num_heads: int, dropout: float = 0.1):
        super().__init__()
        self.self_attn = MultiHeadAttention(width, num_heads, dropout)
        self.cross_attn = MultiHeadAttention(width, num_heads, dropout)
        self.norm1 = nn.LayerNorm(width)
        self.norm2 = nn.LayerNorm(width)
        self.norm3 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(4 * width, width))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        """``x [B, K, W]``, ``memory [B, N, W]`` -> ``[B, K, W]``."""
        h = self.norm1(x)
        x = x + self.self_attn(h, h)
        x = x + self.cross_attn(self.norm2(x), memory)
        return x + self.dropout(self.mlp(self.norm3(x)))


@register_in_seg_and_det
class ContextDecoder(nn.Module):
    """Update text embeddings with the visual context (see the module docstring).

    Args:
        visual_dim: D, the CLIP joint embedding dimension (1024 for RN50, 512 for RN101/ViT-B).
        transformer_width: W, the decoder width (256 in the paper).
        transformer_heads: attention heads (4).
        transformer_layers: decoder layers (3 in the paper's configs).
        dropout: dropout after attention projections and in the MLP (0.1).
    """

    def __init__(self, visual_dim: int = 1024, transformer_width: int = 256,
                 transformer_heads: int = 4, transformer_layers: int = 3, dropout: float = 0.1):
        super().__init__()
        self.visual_dim = visual_dim
        self.memory_proj = nn.Sequential(nn.LayerNorm(visual_dim), nn.Linear(visual_dim, transformer_width),
                                         nn.LayerNorm(transformer_width))
        self.text_proj = nn.Sequential(nn.LayerNorm(visual_dim), nn.Linear(visual_dim, transformer_width))
        self.decoder = nn.ModuleList(ContextDecoderLayer(transformer_width, transformer_heads, dropout)
                                     for _ in range(transformer_layers))
        self.out_proj = nn.Sequential(nn.LayerNorm(transformer_width),
                                      nn.Linear(transformer_width, visual_dim))
        self.apply(self._init_module)

    @staticmethod
    def _init_module(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, text: torch.Tensor, visual_context: torch.Tensor) -> torch.Tensor:
        """``text [B, K, D]``, ``visual_context [B, N, D]`` -> text update ``[B, K, D]``."""
        if text.shape[-1] != self.visual_dim or visual_context.shape[-1] != self.visual_dim:
            raise ValueError(
                f'context decoder expects {self.visual_dim}-d embeddings, got text '
                f'{text.shape[-1]}-d and visual {visual_context.shape[-1]}-d; set '
                f'context_decoder.visual_dim to the CLIP embedding dimension')
        memory = self.memory_proj(visual_context)
        x = self.text_proj(text)
        for layer in self.decoder:
            x = layer(x, memory)
        return self.out_proj(x)
