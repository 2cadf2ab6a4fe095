"""Turn one grounding record (an image with several referring expressions and their object
masks) into one (expression, binary mask) training pair: AffordanceCLIP's proxy task.

Input: the data info of ``mmdet.RefCocoDataset`` (RefCOCO / RefCOCO+ / RefCOCOg read from
their released ``refs(<split-by>).p`` + ``instances.json``), i.e. ``text`` (list of N
sentences) and ``instances`` (N dicts with a COCO ``mask``: polygons or RLE), after
``LoadImageFromFile``.

Output: ``text`` (one sentence), ``gt_seg_map`` ``uint8 [H, W]`` (1 = referred object) added to
``seg_fields`` so that mmseg's geometric transforms move it with the image.
"""
from typing import List, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS


def rasterize_coco_mask(mask: Union[List, dict], height: int, width: int) -> np.ndarray:
    """COCO polygons ``[[x0, y0, x1, y1, ...], ...]`` or an RLE dict -> ``uint8 [H, W]`` in {0, 1}."""
    if isinstance(mask, dict):
        from pycocotools import mask as mask_utils
        rle = mask_utils.frPyObjects(mask, height, width) if isinstance(mask.get('counts'), list) \
            else mask
        return mask_utils.decode(rle).astype(np.uint8)
    out = np.zeros((height, width), np.uint8)
    polys = [np.round(np.asarray(p, np.float64).reshape(-1, 2)).astype(np.int32)
             for p in mask if len(p) >= 6]
    if polys:
        cv2.fillPoly(out, polys, 1)
    return out


@TRANSFORMS.register_module()
class SampleReferringExpression(BaseTransform):
    """Pick one referring expression of the image and rasterise its mask.

    Args:
        mode: ``'random'`` (training: a new pair each time the image is drawn) or ``'first'``
            (deterministic, for evaluation).
    """

    def __init__(self, mode: str = 'random'):
        if mode not in ('random', 'first'):
            raise ValueError(f'mode {mode!r} is unknown; use "random" or "first"')
        self.mode = mode

    def transform(self, results: dict) -> dict:
        texts, instances = results.get('text'), results.get('instances')
        if not isinstance(texts, (list, tuple)) or not texts or len(texts) != len(instances or []):
            raise ValueError(f'{results.get("img_path")}: expected a list of referring sentences and '
                             'as many instances with masks (the data info of mmdet.RefCocoDataset)')
        i = int(np.random.randint(len(texts))) if self.mode == 'random' else 0
        h, w = results['ori_shape'][:2]
        results['gt_seg_map'] = rasterize_coco_mask(instances[i]['mask'], h, w)
        results.setdefault('seg_fields', []).append('gt_seg_map')
        results['text'] = texts[i]
        return results
