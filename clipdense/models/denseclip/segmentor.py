"""DenseCLIP segmentor: MMSegmentation's EncoderDecoder with language-guided features.

Forward (train and test alike)::

    backbone(img) -> (f1, f2, f3, f4, (g, z))
    language guidance -> f_i <- [f_i, s]  (s = cos(z, t) [B, K, h, w], i = score_concat_index)
    neck (FPN) -> decode head (semantic FPN) -> logits

Training adds the auxiliary "identity head" loss on ``s / tau``. Inference, ``whole`` and
``slide`` modes, post-processing and ``_forward`` are EncoderDecoder's own (they all go
through :meth:`extract_feat`).
"""
from typing import List, Optional

import torch
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import DATASETS, MODELS
from mmseg.utils import add_prefix

from .language_guidance import LanguageGuidanceMixin


@MODELS.register_module()
class DenseCLIPSegmentor(LanguageGuidanceMixin, EncoderDecoder):
    """Args (besides EncoderDecoder's backbone, neck, decode_head, auxiliary_head, train_cfg,
    test_cfg, data_preprocessor, init_cfg):
        text_encoder: config of :class:`DenseCLIPTextEncoder` (class names are filled in).
        context_decoder: config of :class:`ContextDecoder`.
        class_names: list of names or a registered dataset type (``'ADE20KDataset'``).
        identity_head: config of :class:`ScoreMapIdentityHead` (auxiliary score-map loss) or None.
        score_concat_index: feature level that receives the score maps (3 for ResNets, 2 for
            ViT-B/16, whose dense embeddings have stride 16).
        tau: temperature of the score-map logits (0.07).
        gamma_init: initial value of the learnable scale of the context decoder's output (1e-4).
    """

    def __init__(self, backbone: dict, text_encoder: dict, context_decoder: dict, decode_head: dict,
                 class_names, neck: Optional[dict] = None, identity_head: Optional[dict] = None,
                 auxiliary_head=None, score_concat_index: int = 3, tau: float = 0.07,
                 gamma_init: float = 1e-4, train_cfg=None, test_cfg=None, data_preprocessor=None,
                 pretrained=None, init_cfg=None):
        super().__init__(backbone=backbone, decode_head=decode_head, neck=neck,
                         auxiliary_head=auxiliary_head, train_cfg=train_cfg, test_cfg=test_cfg,
                         data_preprocessor=data_preprocessor, pretrained=pretrained, init_cfg=init_cfg)
        self.init_language_guidance(MODELS, DATASETS, text_encoder, context_decoder, class_names,
                                    gamma_init=gamma_init, tau=tau, score_concat_index=score_concat_index)
        if len(self.class_names) != self.num_classes:
            raise ValueError(f'{len(self.class_names)} class names but decode_head.num_classes='
                             f'{self.num_classes}; make them match')
        self.identity_head = MODELS.build(identity_head) if identity_head is not None else None

    @property
    def with_identity_head(self) -> bool:
        return self.identity_head is not None

    def extract_feat_and_score_map(self, inputs: torch.Tensor):
        """Images ``[B, 3, H, W]`` -> (neck outputs, cosine score map ``[B, K, h, w]``)."""
        feats, score_map = self.language_guided_features(self.backbone(inputs))
        if self.with_neck:
            feats = self.neck(feats)
        return feats, score_map

    def extract_feat(self, inputs: torch.Tensor) -> List[torch.Tensor]:
        """Language-guided neck features (used by inference, slide/whole and ``_forward``)."""
        return self.extract_feat_and_score_map(inputs)[0]

    def loss(self, inputs: torch.Tensor, data_samples) -> dict:
        """Decode-head loss + identity-head loss on ``s / tau`` (+ auxiliary heads)."""
        feats, score_map = self.extract_feat_and_score_map(inputs)
        losses = self._decode_head_forward_train(feats, data_samples)
        if self.with_identity_head:
            loss_identity = self.identity_head.loss(score_map / self.tau, data_samples, self.train_cfg)
            losses.update(add_prefix(loss_identity, 'aux_identity'))
        if self.with_auxiliary_head:
            losses.update(self._auxiliary_head_forward_train(feats, data_samples))
        return losses
