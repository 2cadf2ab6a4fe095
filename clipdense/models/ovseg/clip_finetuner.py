"""Fine-tune a mask-adapted CLIP on mask-category pairs (OVSeg, Sec. 3.2-3.3).

Each batch holds masked region crops ``[N, 3, S, S]``, their crop masks and one category name
per crop. The loss is CLIP's symmetric contrastive loss between the N crop embeddings and the
N name embeddings (the released training feeds the bare noun to the frozen text tower):

    L = (CE(s * I T^T, arange(N)) + CE(s * T I^T, arange(N))) / 2

with ``s = exp(logit_scale)`` clamped at 100. ``clip.trainable='full'`` fine-tunes the whole
image tower (and the mask prompts if any); ``'prompt'`` trains only the mask prompts
(mask prompt tuning with every CLIP weight frozen). Name embeddings come from the frozen text
tower and are cached per name.
"""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmseg.registry import MODELS

from .mask_adapted_clip import CLIP_MEAN, CLIP_STD


def clip_contrastive_loss(image_embeds: torch.Tensor, text_embeds: torch.Tensor,
                          logit_scale: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE of CLIP for matched rows of L2-normalised ``[N, D]`` embeddings."""
    logits = logit_scale * image_embeds @ text_embeds.t()
    target = torch.arange(len(logits), device=logits.device)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2


@MODELS.register_module()
class MaskAdaptedCLIPFinetuner(BaseModel):
    """Trainable wrapper: ``clip`` is a :class:`MaskAdaptedCLIP` config with ``trainable`` set.

    Checkpoints hold the CLIP under ``clip.*``; load them for evaluation with
    ``MaskAdaptedCLIP(adapted_checkpoint=...)``.
    """

    def __init__(self, clip: dict, data_preprocessor: Optional[dict] = None,
                 max_logit_scale: float = 100.0, init_cfg=None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='ImgDataPreprocessor', mean=list(CLIP_MEAN), std=list(CLIP_STD),
                                     bgr_to_rgb=True)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.clip = MODELS.build(clip)
        if self.clip.trainable == 'none':
            raise ValueError('clip.trainable is "none": nothing to fine-tune; use "full" or "prompt"')
        self.max_logit_scale = max_logit_scale
        self._name_cache: Dict[str, torch.Tensor] = {}

    def train(self, mode: bool = True):
        super().train(mode)
        if self.clip.trainable == 'prompt':
            self.clip.eval()          # frozen CLIP: no dropout / stochastic layers
        self.clip.text.eval()
        return self

    @torch.no_grad()
    def name_embeddings(self, names: Sequence[str]) -> torch.Tensor:
        """L2-normalised ``[N, D]`` text embeddings of the bare names (frozen tower, cached per name)."""
        missing = sorted({n for n in names if n not in self._name_cache})
        if missing:
            tokens = self.clip.text.tokenize(missing)
            feats = F.normalize(self.clip.text(tokens).float(), dim=-1)
            self._name_cache.update(zip(missing, feats))
        return torch.stack([self._name_cache[n] for n in names])

    def forward(self, inputs: torch.Tensor, data_samples: Optional[List] = None, mode: str = 'tensor'):
        masks = None
        if data_samples is not None:
            masks = torch.stack([s.region_mask for s in data_samples]).to(inputs.device)
        embeds = self.clip.encode_regions(inputs, masks)
        if mode == 'tensor':
            return embeds
        if mode == 'loss':
            text = self.name_embeddings([s.category for s in data_samples]).to(embeds)
            scale = self.clip.logit_scale.exp().clamp(max=self.max_logit_scale)
            return dict(loss_contrastive=clip_contrastive_loss(embeds, text, scale))
        if mode == 'predict':
            names = sorted({s.category for s in data_samples})
            text = self.name_embeddings(names).to(embeds)
            pred = (embeds @ text.t()).argmax(-1)
            for s, p in zip(data_samples, pred.tolist()):
                s.set_metainfo(dict(pred_category=names[p]))
            return data_samples
        raise ValueError(f'unknown mode {mode!r}; use "loss", "predict" or "tensor"')
