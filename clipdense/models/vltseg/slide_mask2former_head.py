"""MMSegmentation's ``Mask2FormerHead`` made usable with sliding-window inference.

mmseg 1.2.2's ``Mask2FormerHead.predict`` upsamples the masks to ``pad_shape`` whenever that
key exists. ``EncoderDecoder.slide_inference`` only rewrites ``img_shape`` (to the crop's
``torch.Size``) for each window, so with padded test batches every window's logits come back
at the full padded size and the window sum fails. Here a window's logits are sized to the
window; whole-image inference is unchanged (``pad_shape``, then mmseg crops the padding).
"""
from typing import List, Tuple

import torch
import torch.nn.functional as F
from mmseg.models.decode_heads import Mask2FormerHead
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmseg.utils import ConfigType


def mask_output_size(img_meta: dict) -> Tuple[int, int]:
    """Size of the network input the masks must match: the window in slide inference (where
    ``img_shape`` is the crop's ``torch.Size``), else ``pad_shape`` (or ``img_shape``)."""
    if isinstance(img_meta['img_shape'], torch.Size) or 'pad_shape' not in img_meta:
        return tuple(img_meta['img_shape'][:2])
    return tuple(img_meta['pad_shape'][:2])


@MODELS.register_module()
class SlideMask2FormerHead(Mask2FormerHead):
    """``Mask2FormerHead`` (same arguments) whose ``predict`` also works in ``mode='slide'``.

    ``predict`` returns ``[B, num_classes, H, W]``: ``sum_q softmax(class_q)[:-1] * sigmoid(mask_q)``.
    """

    def predict(self, x: Tuple[torch.Tensor], batch_img_metas: List[dict],
                test_cfg: ConfigType) -> torch.Tensor:
        batch_data_samples = [SegDataSample(metainfo=meta) for meta in batch_img_metas]
        all_cls_scores, all_mask_preds = self(x, batch_data_samples)
        masks = F.interpolate(all_mask_preds[-1], size=mask_output_size(batch_img_metas[0]),
                              mode='bilinear', align_corners=False)
        cls_score = F.softmax(all_cls_scores[-1], dim=-1)[..., :-1]
        return torch.einsum('bqc,bqhw->bchw', cls_score, masks.sigmoid())
