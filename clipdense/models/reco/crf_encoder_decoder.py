"""``CRFEncoderDecoder``: MMSeg's EncoderDecoder whose test-time scores are refined by a dense CRF.

ReCo+ evaluates its student (DeepLabv3+ trained on ReCo's pseudo-labels) with this refinement;
any segmentor config can use it by changing ``type='EncoderDecoder'`` to ``'CRFEncoderDecoder'``
and adding ``crf=dict(...)`` (the arguments of :func:`dense_crf`; ``crf=None`` turns it off).
"""
import inspect
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
        if self.crf is not None:
            try:  # fail at build time, not at the first validation after hours of training
                inspect.signature(dense_crf).bind(None, None, **self.crf)
            except TypeError as err:
                raise ValueError(f'CRFEncoderDecoder.crf: {err}; valid keys: iters, pos_w, pos_xy_std, '
                                 'bi_w, bi_xy_std, bi_rgb_std, max_pixels') from None
            if self.out_channels < 2:
                raise ValueError('CRFEncoderDecoder needs a softmax head (out_channels >= 2); '
                                 'set crf=None for a 1-channel sigmoid head')

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
        size_h, size_w = seg_logits.shape[-2:]
        images = self.rgb_images(inputs)[..., :size_h, :size_w]  # mmseg pads at the bottom / right
        if images.shape[-2:] != seg_logits.shape[-2:]:
            images = torch.nn.functional.interpolate(images, size=(size_h, size_w), mode='bilinear',
                                                     align_corners=False)
        out = seg_logits.float().log_softmax(1)  # padded pixels keep their plain scores
        for i, meta in enumerate(batch_img_metas):
            h, w = meta.get('img_shape', (size_h, size_w))[:2]
            h, w = min(h, size_h), min(w, size_w)
            refined = dense_crf(images[i, :, :h, :w], seg_logits[i, :, :h, :w], **self.crf)
            out[i, :, :h, :w] = refined.clamp_min(1e-8).log()
        return out.to(seg_logits.dtype)
