"""CLIP text side: tokenizer, a uniform text-tower view, and cached class-name embeddings."""
from collections import OrderedDict
from typing import Callable, Optional, Sequence, Tuple

import open_clip
import torch
import torch.nn as nn
import torch.nn.functional as F

from .templates import get_templates


class TextTower(nn.Module):
    """One interface over open_clip's two text layouts (``CLIP`` keeps the text modules on the
    model itself, ``CustomTextCLIP`` under ``.text``). Shares the model's parameters.

    ``encode_embeddings(x, eot_idx)`` runs the transformer on token *embeddings*
    ``[N, L, C]`` (as learnable-context prompts need) and returns ``[N, D]``.
    """

    def __init__(self, clip_model: nn.Module):
        super().__init__()
        src = clip_model.text if hasattr(clip_model, 'text') else clip_model
        self.token_embedding = src.token_embedding
        self.transformer = src.transformer
        self.ln_final = src.ln_final
        self.text_projection = src.text_projection
        self.register_buffer('attn_mask', src.attn_mask, persistent=False)
        self.positional_embedding = src.positional_embedding
        self.context_length = self.positional_embedding.shape[0]
        self.width = self.token_embedding.embedding_dim
        self.tokenizer = open_clip.SimpleTokenizer(context_length=self.context_length)

    def tokenize(self, texts: Sequence[str]) -> torch.Tensor:
        """``[N, L]`` token ids (SOT ... EOT, zero padded, truncated to the context length)."""
        return self.tokenizer(list(texts)).to(self.token_embedding.weight.device)

    def encode_embeddings(self, x: torch.Tensor, eot_idx: torch.Tensor) -> torch.Tensor:
        L = x.shape[1]
        x = x + self.positional_embedding[:L].to(x.dtype)
        x = self.transformer(x, attn_mask=self.attn_mask[:L, :L] if self.attn_mask is not None else None)
        x = self.ln_final(x)
        x = x[torch.arange(x.shape[0], device=x.device), eot_idx]
        if isinstance(self.text_projection, nn.Linear):
            return self.text_projection(x)
        return x @ self.text_projection if self.text_projection is not None else x

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Token ids ``[N, L]`` -> text embeddings ``[N, D]`` (EOT = the largest id)."""
        return self.encode_embeddings(self.token_embedding(tokens), tokens.argmax(dim=-1))


class ClassEmbeddingCache:
    """Encode class names with prompt ensembling, once per (class list, templates).

    ``embed(names)`` returns L2-normalised ``[K, D]``: for each class the mean of its
    normalised template embeddings, renormalised (the CLIP paper's prompt ensembling).
    Results are kept in a small LRU keyed by the names and templates, so a fixed class list
    is encoded once no matter how many images are processed. Templates are encoded in one
    batch of ``K * T`` prompts (chunked by ``batch_size``).
    """

    def __init__(self, text_tower: TextTower, templates='imagenet80', batch_size: int = 1024,
                 max_entries: int = 8):
        self.text = text_tower
        self.templates: Tuple[Callable[[str], str], ...] = get_templates(templates)
        self.batch_size = batch_size
        self.max_entries = max_entries
        self._cache: 'OrderedDict[tuple, torch.Tensor]' = OrderedDict()

    @torch.no_grad()
    def embed(self, names: Sequence[str], templates=None) -> torch.Tensor:
        names = validate_class_names(names)
        temps = self.templates if templates is None else get_templates(templates)
        key = (tuple(names), tuple(t('{}') for t in temps))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        prompts = [t(n) for n in names for t in temps]
        tokens = self.text.tokenize(prompts)
        feats = torch.cat([self.text(tokens[i:i + self.batch_size])
                           for i in range(0, len(prompts), self.batch_size)])
        feats = F.normalize(feats.float(), dim=-1).view(len(names), len(temps), -1).mean(1)
        feats = F.normalize(feats, dim=-1)
        self._cache[key] = feats
        if len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return feats


def validate_class_names(names, source: Optional[str] = None):
    """Strip and check a class list; one-line error on an empty list or empty/duplicate names."""
    if isinstance(names, str):
        names = [n for n in names.split(',')]
    names = [str(n).strip() for n in names]
    where = f' in {source}' if source else ''
    if not names or any(not n for n in names):
        raise ValueError(f'class list{where} is empty or has an empty name: {names[:5]}; '
                         'give non-empty names, comma-separated or one per line')
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f'class list{where} repeats {dup[:5]}; give each class once')
    return names
