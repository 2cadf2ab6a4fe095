"""``CRFEncoderDecoder``: MMSeg's EncoderDecoder whose test-time scores are refined by a dense CRF.

ReCo+ evaluates its student (DeepLabv3+ trained on ReCo's pseudo-labels) with this refinement;
any segmentor config can use it by changing ``type='EncoderDecoder'`` to ``'CRFEncoderDecoder'``
and adding ``crf=dict(...)`` (the arguments of :func:`dense_crf`; ``crf=None`` turns it off).
"""
from typing import List, Optional

import torch
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS

from .dense_crf import dense_crf


@MODELS.register_module()
class CRFEncoderDecoder(EncoderDecoder):
    """EncoderDecoder + dense CRF on the test-time scores (training is unchanged)."""

    def __init__(self, *args, crf: Optional[dict] = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.crf = None if crf is None else dict(crf)

    def rgb_images(self, inputs: torch.Tensor) -> torch.Tensor:
        """Undo the data preprocessor's normalisation: ``[B, 3, H, W]`` in 0..255 (channel order
        does not matter to the CRF: it only uses colour distances)."""
        pre = self.data_preprocessor
        if getattr(pre, '_enable_normalize', False):
            inputs = inputs * pre.std + pre.mean
        return inputs.clamp(0, 255)

    def inference(self, inputs: torch.Tensor, batch_img_metas: List[dict]) -> torch.Tensor:
        """Scores ``[B, C, H, W]`` as EncoderDecoder computes them; with ``crf`` set, the log of the
        CRF's probabilities (so argmax and softmax downstream work unchanged)."""
        seg_logits = super().inference(inputs, batch_img_metas)
        if self.crf is None:
            return seg_logits
        h, w = seg_logits.shape[-2:]
        images = self.rgb_images(inputs)[..., :h, :w]  # mmseg pads at the bottom / right
        if images.shape[-2:] != (h, w):
            images = torch.nn.functional.interpolate(images, size=(h, w), mode='bilinear', align_corners=False)
        refined = [dense_crf(img, logits, **self.crf) for img, logits in zip(images, seg_logits)]
        return torch.stack(refined).clamp_min(1e-8).log().to(seg_logits.dtype)
