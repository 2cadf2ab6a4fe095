"""DenseCLIP inside MMDetection: RetinaNet and Mask R-CNN with language-guided features.

As in the paper's detection code, the score map divided by ``tau`` is concatenated to the last
ResNet stage before the FPN, and (``seg_loss=True``) an auxiliary box-supervised loss on the
score map is added (:func:`box_score_map_loss`, key ``loss_aux_seg``). Everything else
(heads, assigners, test-time post-processing) is the stock mmdet detector.
"""
import torch
from mmdet.models.detectors import MaskRCNN, RetinaNet
from mmdet.registry import DATASETS, MODELS

from .box_score_loss import box_score_map_loss
from .language_guidance import LanguageGuidanceMixin


class DenseCLIPDetectorMixin(LanguageGuidanceMixin):
    """Language guidance for an mmdet detector whose ``loss`` calls ``extract_feat`` once.

    During ``loss`` the score logits of that call are kept on ``self._score_logits`` so the
    auxiliary loss can use them without running the backbone twice; they are dropped after use.
    """

    def init_denseclip(self, text_encoder: dict, context_decoder: dict, class_names,
                       num_classes: int, seg_loss: bool, tau: float, gamma_init: float,
                       score_concat_index: int) -> None:
        self.init_language_guidance(MODELS, DATASETS, text_encoder, context_decoder, class_names,
                                    gamma_init=gamma_init, tau=tau, score_concat_index=score_concat_index)
        if len(self.class_names) != num_classes:
            raise ValueError(f'{len(self.class_names)} class names but the detection head has '
                             f'num_classes={num_classes}; make them match')
        self.use_seg_loss = seg_loss
        self._score_logits = None

    def extract_feat(self, batch_inputs: torch.Tensor) -> tuple:
        """Images -> FPN levels of the language-guided backbone features."""
        feats, score_map = self.language_guided_features(self.backbone(batch_inputs),
                                                         score_scale=1.0 / self.tau)
        self._score_logits = score_map / self.tau if self.training and self.use_seg_loss else None
        return self.neck(feats) if self.with_neck else tuple(feats)

    def loss(self, batch_inputs: torch.Tensor, batch_data_samples) -> dict:
        losses = super().loss(batch_inputs, batch_data_samples)
        if self.use_seg_loss:
            logits, self._score_logits = self._score_logits, None
            bboxes = [getattr(s.gt_instances.bboxes, 'tensor', s.gt_instances.bboxes)
                      for s in batch_data_samples]
            labels = [s.gt_instances.labels for s in batch_data_samples]
            losses['loss_aux_seg'] = box_score_map_loss(logits, bboxes, labels, batch_inputs.shape[-2:])
        return losses


_ARGS_DOC = """
    DenseCLIP args (the rest are mmdet's):
        text_encoder, context_decoder: configs of DenseCLIPTextEncoder / ContextDecoder.
        class_names: list of names or a registered dataset type (``'CocoDataset'``).
        seg_loss: add the box-supervised score-map loss (True in the paper).
        tau: temperature (0.07); gamma_init: initial context-decoder scale (1e-4).
        score_concat_index: feature level receiving the score maps (3 = stride 32).
"""


@MODELS.register_module()
class DenseCLIPRetinaNet(DenseCLIPDetectorMixin, RetinaNet):
    __doc__ = 'RetinaNet with DenseCLIP language guidance.' + _ARGS_DOC

    def __init__(self, backbone, neck, bbox_head, text_encoder, context_decoder, class_names,
                 seg_loss=True, tau=0.07, gamma_init=1e-4, score_concat_index=3, train_cfg=None,
                 test_cfg=None, data_preprocessor=None, init_cfg=None):
        super().__init__(backbone=backbone, neck=neck, bbox_head=bbox_head, train_cfg=train_cfg,
                         test_cfg=test_cfg, data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.init_denseclip(text_encoder, context_decoder, class_names, self.bbox_head.num_classes,
                            seg_loss, tau, gamma_init, score_concat_index)


@MODELS.register_module()
class DenseCLIPMaskRCNN(DenseCLIPDetectorMixin, MaskRCNN):
    __doc__ = 'Mask R-CNN with DenseCLIP language guidance.' + _ARGS_DOC

    def __init__(self, backbone, rpn_head, roi_head, train_cfg, test_cfg, text_encoder,
                 context_decoder, class_names, neck=None, seg_loss=True, tau=0.07, gamma_init=1e-4,
                 score_concat_index=3, data_preprocessor=None, init_cfg=None):
        super().__init__(backbone=backbone, rpn_head=rpn_head, roi_head=roi_head, train_cfg=train_cfg,
                         test_cfg=test_cfg, neck=neck, data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.init_denseclip(text_encoder, context_decoder, class_names,
                            self.roi_head.bbox_head.num_classes, seg_loss, tau, gamma_init,
                            score_concat_index)
