"""OVSeg (Liang et al., CVPR 2023): proposals from a MaskFormer, named by a mask-adapted CLIP.

Training (``loss``) trains the proposal generator only: backbone + :class:`OVSegProposalHead`
with the CLIP text embeddings of ``train_class_names`` as classifier (seen-class supervision)
or with class-agnostic targets; the CLIP stays frozen, as in the paper.

Inference (``encode_decode``), for the vocabulary ``test_class_names``:

1. proposals: class logits ``[B, Q, K+1]`` against the vocabulary's text embeddings and mask
   logits ``[B, Q, H, W]``;
2. every non-empty proposal is cropped, masked and classified by :class:`MaskAdaptedCLIP` in one
   batched pass (text embeddings cached per vocabulary);
3. ``p = p_seg^(1-lambda) * p_clip^lambda`` (:mod:`.ensemble`), and the semantic map
   ``S = sum_q p_q * sigmoid(mask_q)``.

A one-class vocabulary gets a second "unlabelled" channel equal to ``single_class_threshold``,
so a pixel takes the class only where its score exceeds the threshold (label 1 = unlabelled).

Checkpoints of this model hold the proposal generator only: the frozen CLIP is always defined by
``clip_classifier`` (its ``checkpoint`` and ``adapted_checkpoint``), so one proposal checkpoint
serves the plain CLIP and every mask-adapted one.
"""
from typing import List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS

from .class_lists import load_class_names
from .ensemble import ensemble_class_scores, semantic_map


def _drop_clip_weights(module, state_dict, prefix, local_metadata):
    """Leave the frozen CLIP out of OVSeg checkpoints (it is defined by ``clip_classifier``'s config)."""
    for k in [k for k in state_dict if k.startswith(prefix + 'clip_classifier.')]:
        del state_dict[k]
    return state_dict


@MODELS.register_module()
class OVSeg(EncoderDecoder):
    """Two-stage open-vocabulary segmentor.

    Args:
        backbone, decode_head, neck, data_preprocessor, train_cfg, test_cfg, init_cfg: as
            ``EncoderDecoder``; ``decode_head`` is an :class:`OVSegProposalHead`.
        clip_classifier: config of the :class:`MaskAdaptedCLIP` that classifies the crops.
        train_class_names: training vocabulary (list, ``.txt`` file or comma-separated string);
            needed for ``supervision='seen'`` training.
        test_class_names: evaluation vocabulary (same forms); defaults to ``train_class_names``.
        clip_weight: ``lambda`` of the geometric ensemble (0.7 as released).
        single_class_threshold: score a pixel needs to take the class of a 1-class vocabulary.
    """

    def __init__(self, backbone: dict, decode_head: dict, clip_classifier: dict,
                 train_class_names: Union[str, Sequence[str], None] = None,
                 test_class_names: Union[str, Sequence[str], None] = None,
                 clip_weight: float = 0.7, single_class_threshold: float = 0.5,
                 neck: Optional[dict] = None, train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None, data_preprocessor: Optional[dict] = None,
                 pretrained: Optional[str] = None, init_cfg=None):
        super().__init__(backbone=backbone, decode_head=decode_head, neck=neck, train_cfg=train_cfg,
                         test_cfg=test_cfg or dict(mode='whole'), data_preprocessor=data_preprocessor,
                         pretrained=pretrained, init_cfg=init_cfg)
        self.clip_classifier = MODELS.build(clip_classifier)
        self.train_class_names = load_class_names(train_class_names) if train_class_names else None
        test = test_class_names or train_class_names
        self.test_class_names = load_class_names(test) if test else None
        if self.decode_head.supervision == 'seen' and self.train_class_names is not None \
                and len(self.train_class_names) != self.decode_head.num_classes:
            raise ValueError(f'{len(self.train_class_names)} train_class_names but the proposal head has '
                             f'num_classes={self.decode_head.num_classes}; make them agree')
        self.clip_weight = clip_weight
        self.single_class_threshold = single_class_threshold
        self._register_state_dict_hook(_drop_clip_weights)
        self._register_load_state_dict_pre_hook(self._keep_clip_weights)

    def _keep_clip_weights(self, state_dict, prefix, *args):
        """The frozen CLIP always comes from ``clip_classifier``'s own checkpoints, never from an
        OVSeg checkpoint: incoming ``clip_classifier.*`` entries are replaced by the current ones."""
        key = prefix + 'clip_classifier.'
        for k in [k for k in state_dict if k.startswith(key)]:
            del state_dict[k]
        for k, v in self.clip_classifier.state_dict().items():
            state_dict[key + k] = v

    def train(self, mode: bool = True):
        super().train(mode)
        self.clip_classifier.eval()   # frozen CLIP: no dropout, no BatchNorm statistics updates
        return self

    def set_vocabulary(self, class_names: Union[str, Sequence[str]]):
        """Change the test vocabulary (list, ``.txt`` file or comma-separated string)."""
        self.test_class_names = load_class_names(class_names)

    # ------------------------------------------------------------------ training
    def _decode_head_forward_train(self, inputs: List[torch.Tensor], data_samples) -> dict:
        if self.decode_head.supervision == 'seen':
            if self.train_class_names is None:
                raise ValueError('OVSeg with seen-class supervision needs train_class_names '
                                 '(the training dataset\'s classes)')
            self.decode_head.set_class_embeddings(self.clip_classifier.text_embeddings(self.train_class_names))
        return super()._decode_head_forward_train(inputs, data_samples)

    # ------------------------------------------------------------------ inference
    def _vocabulary(self) -> List[str]:
        if self.test_class_names is None:
            raise ValueError('OVSeg has no vocabulary; set model.test_class_names (a list or a .txt file)')
        return self.test_class_names

    def raw_rgb(self, inputs: torch.Tensor) -> torch.Tensor:
        """Undo the data preprocessor's normalisation: RGB images 0-255 ``[B, 3, H, W]``."""
        dp = self.data_preprocessor
        x = inputs * dp.std + dp.mean if getattr(dp, '_enable_normalize', False) else inputs
        return x if getattr(dp, 'channel_conversion', False) else x.flip(1)  # loaded BGR -> RGB

    def proposal_scores(self, inputs: torch.Tensor, batch_img_metas: List[dict]):
        """Proposal class scores ``[B, Q, K]`` (ensembled) and mask probabilities ``[B, Q, H, W]``."""
        names = self._vocabulary()
        x = self.extract_feat(inputs)
        head = self.decode_head
        if head.supervision == 'seen':
            head.set_class_embeddings(self.clip_classifier.text_embeddings(names))
        cls_logits, mask_logits = head.predict_proposals(x, batch_img_metas, inputs.shape[-2:])
        mask_probs = mask_logits.sigmoid()
        p_seg = F.softmax(cls_logits, dim=-1)[..., :-1]
        clip_logits, valid = self.clip_classifier.classify_proposals(self.raw_rgb(inputs), mask_probs, names)
        p_clip = F.softmax(clip_logits, dim=-1)
        return ensemble_class_scores(p_seg, p_clip, valid, self.clip_weight), mask_probs

    def encode_decode(self, inputs: torch.Tensor, batch_img_metas: List[dict]) -> torch.Tensor:
        """Semantic scores ``[B, K, H, W]`` (``[B, 2, H, W]`` for a 1-class vocabulary)."""
        scores, mask_probs = self.proposal_scores(inputs, batch_img_metas)
        seg = semantic_map(scores, mask_probs)
        if seg.shape[1] == 1:
            seg = torch.cat([seg, torch.full_like(seg, self.single_class_threshold)], dim=1)
        return seg

    def inference(self, inputs: torch.Tensor, batch_img_metas: List[dict]) -> torch.Tensor:
        k = len(self._vocabulary())
        self.out_channels = k + 1 if k == 1 else k   # slide inference allocates this many channels
        return super().inference(inputs, batch_img_metas)

    def _forward(self, inputs: torch.Tensor, data_samples=None) -> torch.Tensor:
        metas = [dict(img_shape=inputs.shape[2:], ori_shape=inputs.shape[2:])] * inputs.shape[0]
        return self.encode_decode(inputs, metas)
