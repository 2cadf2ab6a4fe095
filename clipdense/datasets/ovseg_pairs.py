"""Mask-category pairs for fine-tuning a mask-adapted CLIP (OVSeg, Sec. 3.2).

On-disk format: a COCO-style JSON (what ``tools/ovseg_mine_pairs.py`` writes, readable by
pycocotools)::

    {"images":      [{"id": 9, "file_name": "000000000009.jpg", "height": 480, "width": 640}],
     "categories":  [{"id": 1, "name": "dog"}, ...],          # the noun vocabulary
     "annotations": [{"id": 1, "image_id": 9, "category_id": 1,
                      "segmentation": {"size": [480, 640], "counts": "<COCO RLE>"},
                      "bbox": [x, y, w, h], "area": 1234, "score": 0.83}]}

Each annotation is one training sample: the image cropped to the mask's box, pixels outside the
mask set to CLIP's mean colour, resized to CLIP's input size (``CropMaskedRegion``), and the
category name as its text (``PackMaskCategoryInputs``).
"""
import json
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.dataset import BaseDataset
from mmengine.structures import BaseDataElement
from mmseg.registry import DATASETS, TRANSFORMS
from pycocotools import mask as mask_utils

CLIP_MEAN_RGB = (122.771, 116.746, 104.094)


@DATASETS.register_module()
class MaskCategoryPairsDataset(BaseDataset):
    """One sample per (image, mask, category name) annotation of a COCO-style pairs file.

    Args:
        ann_file: the pairs JSON (relative to ``data_root``).
        data_prefix: ``dict(img_path=...)`` image folder (relative to ``data_root``).
        min_score: drop pairs whose mining score (CLIP cosine) is below this; ``None`` keeps all.
    """

    METAINFO = dict(classes=())

    def __init__(self, ann_file: str, data_root: str = '', data_prefix: Optional[dict] = None,
                 pipeline: Sequence = (), min_score: Optional[float] = None, **kwargs):
        self.min_score = min_score
        super().__init__(ann_file=ann_file, data_root=data_root,
                         data_prefix=data_prefix or dict(img_path=''), pipeline=list(pipeline), **kwargs)

    def load_data_list(self) -> List[dict]:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'mask-category pairs file {self.ann_file} not found; build it with '
                                    'tools/ovseg_mine_pairs.py or set data_root / ann_file')
        with open(self.ann_file, encoding='utf-8') as f:
            data = json.load(f)
        for key in ('images', 'categories', 'annotations'):
            if key not in data:
                raise ValueError(f'{self.ann_file} has no "{key}" list; expected a COCO-style pairs file')
        images = {im['id']: im for im in data['images']}
        names = {c['id']: c['name'] for c in data['categories']}
        self._metainfo['classes'] = tuple(c['name'] for c in data['categories'])
        out = []
        for ann in data['annotations']:
            if self.min_score is not None and ann.get('score', 1.0) < self.min_score:
                continue
            im = images[ann['image_id']]
            out.append(dict(img_path=osp.join(self.data_prefix['img_path'], im['file_name']),
                            segmentation=ann['segmentation'], height=im['height'], width=im['width'],
                            category=names[ann['category_id']], category_id=ann['category_id'],
                            ann_id=ann['id']))
        if not out:
            raise ValueError(f'{self.ann_file} holds no mask-category pairs'
                             + (f' with score >= {self.min_score}' if self.min_score is not None else '')
                             + '; mine more images or lower min_score')
        return out


def decode_segmentation(seg, height: int, width: int) -> np.ndarray:
    """COCO RLE / uncompressed RLE / polygons -> ``[H, W]`` uint8 mask."""
    if isinstance(seg, list):
        rle = mask_utils.merge(mask_utils.frPyObjects(seg, height, width))
    elif isinstance(seg.get('counts'), list):
        rle = mask_utils.frPyObjects(seg, height, width)
    else:
        rle = dict(seg, counts=seg['counts'].encode() if isinstance(seg['counts'], str) else seg['counts'])
    return mask_utils.decode(rle)


@TRANSFORMS.register_module()
class CropMaskedRegion(BaseTransform):
    """Crop the image to the mask's box, fill outside the mask with the mean colour, resize.

    Required keys: ``img`` (BGR ``[H, W, 3]``), ``segmentation``. Adds ``region_mask`` (``[S, S]``
    uint8) and sets ``img`` to the ``[S, S, 3]`` masked crop.

    Args:
        size: output side (224).
        expand_ratio: enlargement of the mask's box (1.0).
        random_scale: ``(min, max)`` area fraction of a random crop of the box, as the released
            training's ``RandomResizedCrop(scale=(0.9, 1.0))``; ``None`` = use the whole box.
        fill_rgb: the fill colour (CLIP's mean pixel, so it is 0 after normalisation).
    """

    def __init__(self, size: int = 224, expand_ratio: float = 1.0,
                 random_scale: Optional[Tuple[float, float]] = None, fill_rgb=CLIP_MEAN_RGB):
        self.size = size
        self.expand_ratio = expand_ratio
        self.random_scale = random_scale
        self.fill_bgr = np.array(fill_rgb[::-1], dtype=np.float32)

    def _box(self, mask: np.ndarray) -> Tuple[int, int, int, int]:
        ys, xs = np.nonzero(mask)
        H, W = mask.shape
        if len(ys) == 0:
            return 0, 0, W, H
        x1, y1, x2, y2 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        hw, hh = (x2 - x1) * self.expand_ratio / 2, (y2 - y1) * self.expand_ratio / 2
        x1, x2 = int(max(0, np.floor(cx - hw))), int(min(W, np.ceil(cx + hw)))
        y1, y2 = int(max(0, np.floor(cy - hh))), int(min(H, np.ceil(cy + hh)))
        if self.random_scale is not None:
            w, h = x2 - x1, y2 - y1
            frac = np.random.uniform(*self.random_scale)
            ratio = np.exp(np.random.uniform(np.log(3 / 4), np.log(4 / 3)))
            cw = int(round(min(w, np.sqrt(w * h * frac * ratio))))
            ch = int(round(min(h, np.sqrt(w * h * frac / ratio))))
            cw, ch = max(cw, 1), max(ch, 1)
            ox, oy = np.random.randint(0, w - cw + 1), np.random.randint(0, h - ch + 1)
            x1, y1, x2, y2 = x1 + ox, y1 + oy, x1 + ox + cw, y1 + oy + ch
        return x1, y1, x2, y2

    def transform(self, results: dict) -> dict:
        img = results['img']
        H, W = img.shape[:2]
        mask = decode_segmentation(results['segmentation'], results.get('height', H), results.get('width', W))
        if mask.shape != (H, W):
            raise ValueError(f'mask {mask.shape} and image {(H, W)} of {results.get("img_path")} differ in size')
        x1, y1, x2, y2 = self._box(mask)
        crop = cv2.resize(img[y1:y2, x1:x2].astype(np.float32), (self.size, self.size),
                          interpolation=cv2.INTER_CUBIC)
        region = cv2.resize(mask[y1:y2, x1:x2], (self.size, self.size), interpolation=cv2.INTER_NEAREST)
        crop = np.where(region[..., None] > 0, crop, self.fill_bgr)
        results['img'] = np.clip(crop, 0, 255).astype(np.uint8)
        results['region_mask'] = region.astype(np.uint8)
        results['img_shape'] = (self.size, self.size)
        return results


@TRANSFORMS.register_module()
class PackMaskCategoryInputs(BaseTransform):
    """``inputs``: ``[3, S, S]`` uint8 tensor (BGR); ``data_samples``: ``region_mask`` ``[S, S]``
    bool and metainfo ``category`` (the text), ``category_id``, ``img_path``."""

    def transform(self, results: dict) -> dict:
        img = np.ascontiguousarray(results['img'].transpose(2, 0, 1))
        sample = BaseDataElement(metainfo=dict(category=results['category'],
                                               category_id=results.get('category_id', -1),
                                               img_path=results.get('img_path')))
        sample.region_mask = torch.from_numpy(results['region_mask'] > 0)
        return dict(inputs=torch.from_numpy(img), data_samples=sample)
