"""Learnable context tokens (CoOp) in front of class names, through a frozen text tower."""
from typing import Sequence

import torch
import torch.nn as nn

from .text import TextTower, validate_class_names


class ContextPrompts(nn.Module):
    """``[SOT] ctx_1 ... ctx_M <class name tokens> . [EOT]`` with learnable ``ctx``.

    Args:
        text_tower: a :class:`TextTower` (its parameters are frozen here).
        class_names: the K class names.
        num_context: M, the number of learnable context tokens (shared by all classes:
            class-agnostic context, as in CoOp and DenseCLIP).
        init_std: std of the context init (CoOp uses N(0, 0.02); DenseCLIP's text encoder
            re-initialises its contexts from a truncated N(0, 1)).

    ``forward()`` returns text embeddings ``[K, D]`` (not normalised). Gradients reach only
    ``self.context``; the text transformer stays frozen.
    """

    def __init__(self, text_tower: TextTower, class_names: Sequence[str], num_context: int = 8,
                 init_std: float = 0.02):
        super().__init__()
        self.text = text_tower
        for p in self.text.parameters():
            p.requires_grad_(False)
        self.class_names = validate_class_names(class_names)
        self.num_context = num_context
        L = self.text.context_length
        # Placeholder 'X' tokens reserve the context positions, as CoOp does.
        prompts = [' '.join(['X'] * num_context) + ' ' + n + '.' for n in self.class_names]
        tokens = self.text.tokenize(prompts)
        if (tokens[:, -1] != 0).any():  # the tokenizer truncated at least one prompt
            raise ValueError(f'class names too long for a context of {num_context} tokens within '
                             f'the text length {L}; shorten the names or use fewer context tokens')
        self.register_buffer('tokens', tokens, persistent=False)
        self.context = nn.Parameter(torch.randn(num_context, self.text.width) * init_std)

    def forward(self) -> torch.Tensor:
        with torch.no_grad():
            embeds = self.text.token_embedding(self.tokens)             # [K, L, C]
        K = embeds.shape[0]
        ctx = self.context.to(embeds.dtype).unsqueeze(0).expand(K, -1, -1)
        x = torch.cat([embeds[:, :1], ctx, embeds[:, 1 + self.num_context:]], dim=1)
        return self.text.encode_embeddings(x, self.tokens.argmax(dim=-1))
