"""OVSeg's mask proposal generator: a MaskFormer head whose classifier lives in CLIP's text space.

The head is MMSegmentation's ``MaskFormerHead`` (pixel decoder, 6-layer transformer decoder,
100 queries, Hungarian matching, focal + dice mask losses, deep supervision) with OVSeg's
open-vocabulary classifier: each query's feature goes through a 2-layer MLP into CLIP's
embedding space and its class logits are

    logits[q] = T * cos(e_q, [t_1, ..., t_K, v])

against the CLIP text embeddings ``t_k`` of the class names plus a learnable "no object"
embedding ``v`` (``T = 100``). Training therefore works with any class list (seen-class
supervision: the training classes' text embeddings, set by the segmentor), and at test time
the same head scores proposals against a new vocabulary.

``supervision='agnostic'`` trains class-agnostic proposals instead: every ground-truth segment
is labelled "object", scored against one learnable object embedding, so the head learns masks
and objectness only.
"""
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmseg.models.decode_heads import MaskFormerHead
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample


@MODELS.register_module()
class OVSegProposalHead(MaskFormerHead):
    """MaskFormer head with a CLIP-text classifier (OVSeg's proposal generator).

    Args:
        embed_dims: CLIP joint embedding size D (512 for ViT-B/16, 768 for ViT-L/14).
        num_classes: number of training classes (ignored for ``'agnostic'``).
        supervision: ``'seen'`` (classes from the training vocabulary) or ``'agnostic'``.
        no_object_weight: classification weight of the "no object" target (0.1).
        class_embed_hidden: hidden width of the query -> CLIP-space MLP (1024 as released).
        logit_temperature: ``T`` of the cosine logits (100).
        **kwargs: everything of mmseg's ``MaskFormerHead`` (``in_channels``, ``feat_channels``,
            ``out_channels``, ``num_queries``, ``pixel_decoder``, ``transformer_decoder``, losses, ``train_cfg``).
    """

    def __init__(self, embed_dims: int, num_classes: int = 171, supervision: str = 'seen',
                 no_object_weight: float = 0.1, class_embed_hidden: int = 1024,
                 logit_temperature: float = 100.0, **kwargs):
        if supervision not in ('seen', 'agnostic'):
            raise ValueError(f'supervision={supervision!r}; use "seen" or "agnostic"')
        n = num_classes if supervision == 'seen' else 1
        loss_cls = ConfigDict(kwargs.pop('loss_cls', dict(
            type='mmdet.CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0, reduction='mean')))
        loss_cls['class_weight'] = [1.0] * n + [no_object_weight]
        super().__init__(num_classes=n, loss_cls=loss_cls, **kwargs)
        self.supervision = supervision
        self.logit_temperature = logit_temperature
        feat = kwargs['feat_channels']
        self.cls_embed = nn.Sequential(nn.Linear(feat, class_embed_hidden), nn.ReLU(inplace=True),
                                       nn.Linear(class_embed_hidden, embed_dims))
        std = embed_dims ** -0.5
        self.void_embedding = nn.Parameter(torch.randn(1, embed_dims) * std)
        self.object_embedding = nn.Parameter(torch.randn(1, embed_dims) * std) \
            if supervision == 'agnostic' else None
        self._class_embeddings: Optional[torch.Tensor] = None

    # ------------------------------------------------------------------ classifier
    def set_class_embeddings(self, embeddings: Optional[torch.Tensor]):
        """Text embeddings ``[K, D]`` of the current vocabulary (seen mode); not saved in checkpoints."""
        self._class_embeddings = embeddings

    def class_logits(self, query_embeds: torch.Tensor) -> torch.Tensor:
        """Query embeddings ``[..., D]`` -> logits ``[..., K + 1]`` (last = no object)."""
        classes = self.object_embedding if self.supervision == 'agnostic' else self._class_embeddings
        if classes is None:
            raise RuntimeError('OVSegProposalHead (supervision="seen") has no class embeddings; use it '
                               'inside the OVSeg segmentor or call set_class_embeddings(text_embeds)')
        weights = torch.cat([F.normalize(classes.to(query_embeds), dim=-1),
                             F.normalize(self.void_embedding, dim=-1)])
        return self.logit_temperature * F.normalize(query_embeds, dim=-1) @ weights.t()

    def forward(self, x, batch_data_samples):
        """Returns class logits ``[L, B, Q, K + 1]`` and mask logits ``[L, B, Q, h, w]`` of all decoder layers."""
        query_embeds, mask_preds = super().forward(x, batch_data_samples)
        return self.class_logits(query_embeds), mask_preds

    # ------------------------------------------------------------------ training
    def _seg_data_to_instance_data(self, batch_data_samples):
        gt_instances, img_metas = super()._seg_data_to_instance_data(batch_data_samples)
        if self.supervision == 'agnostic':
            for inst in gt_instances:
                inst.labels = torch.zeros_like(inst.labels)
        return gt_instances, img_metas

    # ------------------------------------------------------------------ inference
    def predict_proposals(self, x: Sequence[torch.Tensor], batch_img_metas: List[dict],
                          out_size: Sequence[int]):
        """Last-layer proposals: class logits ``[B, Q, K + 1]`` and mask logits ``[B, Q, H, W]``
        resized to ``out_size`` (the network input size)."""
        samples = [SegDataSample(metainfo=dict(meta, batch_input_shape=tuple(out_size),
                                               img_shape=tuple(meta.get('img_shape', out_size))[:2]))
                   for meta in batch_img_metas]
        all_cls, all_masks = self(x, samples)
        masks = F.interpolate(all_masks[-1], size=tuple(out_size), mode='bilinear', align_corners=False)
        return all_cls[-1], masks
