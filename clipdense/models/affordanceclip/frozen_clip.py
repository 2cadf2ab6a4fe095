"""The frozen CLIP encoders AffordanceCLIP reads from: three visual levels, the global image
embedding and (cached) text embeddings. Nothing here is ever trained.

Visual levels (``levels()`` returns ``[v3, v4, v5]``, as in CRIS, whose FPN AffordanceCLIP uses):

* ResNet CLIP (the paper's RN101): ``v3`` = layer2 ``[B, 8w, H/8, W/8]``, ``v4`` = layer3
  ``[B, 16w, H/16, W/16]``, ``v5`` = the attention pool applied at every position
  ``[B, D, H/32, W/32]``; the global embedding is the attention pool's usual output ``[B, D]``.
* ViT / EVA CLIP (an extension): ``v3``/``v4`` are the tokens after blocks ``vit_levels``
  and ``v5`` the value-path dense embedding, all ``[B, C, H/p, W/p]``; the FPN's resampling then
  reduces to identities.
"""
from collections import OrderedDict
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from clipdense.clip import TextTower, build_clip, build_dense_encoder


@MODELS.register_module()
class FrozenCLIP(BaseModule):
    """Frozen CLIP image and text towers.

    Args:
        arch: CLIP architecture (``'RN101'`` in the paper; ``'tiny-RN'``/``'tiny-ViT'`` in tests).
        checkpoint: local CLIP weights (file or folder), ``None`` for random init.
        vit_levels: for ViT/EVA towers, the two block indices giving ``v3`` and ``v4``.
        text_cache_size: how many prompt embeddings to keep (LRU).
    """

    def __init__(self, arch: str = 'RN101', checkpoint: Optional[str] = None,
                 vit_levels: Sequence[int] = (5, 8), text_cache_size: int = 4096, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        clip = build_clip(arch, checkpoint)
        self.is_resnet = hasattr(clip.visual, 'attnpool')
        mode = 'attention' if self.is_resnet else 'value'
        self.visual = build_dense_encoder(clip, out_indices=tuple(vit_levels), dense_mode=mode)
        self.text = TextTower(clip)
        self.embed_dim = int(self.text.text_projection.shape[-1]
                             if not isinstance(self.text.text_projection, torch.nn.Linear)
                             else self.text.text_projection.out_features)
        for p in self.parameters():
            p.requires_grad_(False)
        self.text_cache_size = text_cache_size
        self._text_cache: 'OrderedDict[str, torch.Tensor]' = OrderedDict()

    def init_weights(self):
        """CLIP weights come from ``checkpoint``; never re-initialise them."""

    def train(self, mode: bool = True):
        """Stay in eval mode (frozen BatchNorm statistics, no dropout)."""
        return super().train(False)

    def level_channels(self) -> Tuple[int, int, int]:
        """Channels of ``(v3, v4, v5)`` and the global embedding width is ``embed_dim``."""
        if self.is_resnet:
            stages = [m[-1].conv3.out_channels for m in
                      (self.visual.visual.layer2, self.visual.visual.layer3)]
            return stages[0], stages[1], self.embed_dim
        return self.visual.width, self.visual.width, self.embed_dim

    @torch.no_grad()
    def levels(self, images: torch.Tensor) -> Tuple[List[torch.Tensor], torch.Tensor]:
        """Images ``[B, 3, H, W]`` -> (``[v3, v4, v5]``, global embedding ``[B, D]``)."""
        out = self.visual(images, with_embeddings=True)
        feats = out['features']
        v3, v4 = (feats[1], feats[2]) if self.is_resnet else (feats[0], feats[1])
        return [v3, v4, out['dense_embed']], out['global_embed']

    @torch.no_grad()
    def encode_texts(self, texts: Sequence[str]) -> torch.Tensor:
        """Prompts -> L2-normalised embeddings ``[N, D]``; each distinct prompt encoded once."""
        device = self.text.token_embedding.weight.device
        found = {t: self._text_cache[t] for t in dict.fromkeys(texts) if t in self._text_cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            emb = F.normalize(self.text(self.text.tokenize(missing)).float(), dim=-1)
            found.update(zip(missing, emb))
        for t, e in found.items():  # refresh the LRU order, then evict the oldest
            self._text_cache[t] = e
            self._text_cache.move_to_end(t)
        while len(self._text_cache) > self.text_cache_size:
            self._text_cache.popitem(last=False)
        return torch.stack([found[t] for t in texts]).to(device)
