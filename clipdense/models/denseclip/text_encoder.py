"""DenseCLIP's text encoder: the frozen CLIP text transformer with learnable context tokens.

Each class ``k`` becomes the token sequence ``[SOT] v_1 ... v_M w_k,1 ... w_k,n [EOT]`` where
``v_1..v_M`` are learnable context vectors shared by all classes (class-agnostic, as in
DenseCLIP's ``CLIPTextContextEncoder``; M = 8) and ``w_k`` the tokens of the class name
(no trailing period). The output is the CLIP text embedding ``[K, D]`` taken at the EOT token.

Because the text transformer is causal, positions after the last EOT never influence the
output, so sequences are cut to ``max_k(EOT_k) + 1`` tokens (DenseCLIP cuts to 13, i.e.
SOT + 8 contexts + at most 3 name tokens + EOT); the result equals the full-length computation.

The K prompts share their first ``1 + M`` tokens, so those positions are computed once
(:mod:`.shared_prefix_text`; same result, about 3x less text compute per training step).
Gradients reach only the context vectors. In eval mode under ``torch.no_grad()`` the
embeddings are image-independent and are cached until any parameter changes.
"""
from typing import Optional, Sequence

import torch
import torch.nn as nn

from clipdense.clip import ContextPrompts, TextTower, build_clip

from .registry import register_in_seg_and_det
from .shared_prefix_text import encode_with_shared_prefix, supports_shared_prefix


@register_in_seg_and_det
class DenseCLIPTextEncoder(ContextPrompts):
    """Learnable-context text encoder over a frozen CLIP text tower.

    Args:
        arch: CLIP architecture whose text tower is used (the same as the image backbone).
        class_names: the K class names (usually filled in by the segmentor/detector).
        checkpoint: local CLIP weights (file or folder), ``None`` for random init.
        num_context: M, the number of learnable context tokens (8).
        context_init_std: contexts start from N(0, std^2) truncated to +-2 std; DenseCLIP's
            reference code uses ``trunc_normal_`` with std 1.

    ``forward()`` -> ``[K, D]`` text embeddings (not normalised).
    """

    def __init__(self, arch: str, class_names: Sequence[str], checkpoint: Optional[str] = None,
                 num_context: int = 8, context_init_std: float = 1.0):
        tower = TextTower(build_clip(arch, checkpoint))  # keeps only the text modules
        super().__init__(tower, class_names, num_context=num_context, init_std=context_init_std)
        prompts = [' '.join(['X'] * num_context) + ' ' + name for name in self.class_names]
        tokens = self.text.tokenize(prompts)
        if (tokens[:, -1] != 0).any():
            raise ValueError(f'a class name is too long for {num_context} context tokens within the '
                             f'text length {self.text.context_length}; shorten it or lower num_context')
        self.tokens = tokens[:, :int(tokens.argmax(dim=-1).max()) + 1]   # [K, L'] (buffer)
        nn.init.trunc_normal_(self.context, std=context_init_std,
                              a=-2 * context_init_std, b=2 * context_init_std)
        proj = self.text.text_projection
        self.embed_dim = proj.out_features if isinstance(proj, nn.Linear) else proj.shape[1]
        self.shared_prefix = supports_shared_prefix(self.text)
        self._cache = None

    def _encode(self) -> torch.Tensor:
        if not self.shared_prefix:
            return super().forward()
        with torch.no_grad():
            embeds = self.text.token_embedding(self.tokens)                # [K, L', C]
        P = 1 + self.num_context
        prefix = torch.cat([embeds[0, :1], self.context.to(embeds.dtype)])  # [SOT, contexts]
        return encode_with_shared_prefix(self.text, prefix, embeds[:, P:], self.tokens.argmax(-1) - P)

    def _cache_key(self):
        return tuple((p.data_ptr(), p._version) for p in self.parameters()) + (self.tokens.device,)

    def forward(self) -> torch.Tensor:
        """Class text embeddings ``[K, D]``."""
        if self.training or torch.is_grad_enabled():
            return self._encode()
        key = self._cache_key()
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, self._encode())
        return self._cache[1]
