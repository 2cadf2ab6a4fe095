"""Load label maps with more than 255 classes (ADE20K-847, Pascal Context-459).

The usual preparation of these benchmarks (as used by OVSeg) stores 16-bit label maps (``.tif``
or ``.png``) with class ids ``0 .. K-1`` and 65535 for "unlabelled". mmseg's
``LoadAnnotations`` casts label maps to uint8, which would wrap ids above 255, so these
datasets load with ``LoadWideSegAnnotations`` instead and evaluate with
``IoUMetric(ignore_index=65535)``.
"""
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS
from PIL import Image


@TRANSFORMS.register_module()
class LoadWideSegAnnotations(BaseTransform):
    """Read ``seg_map_path`` as an int64 ``gt_seg_map`` without narrowing the class ids.

    Args:
        ignore_index: the value kept for unlabelled pixels (65535 for 16-bit maps).
        reduce_zero_label: subtract 1 from every id and map 0 to ``ignore_index``.
    """

    def __init__(self, ignore_index: int = 65535, reduce_zero_label: bool = False):
        self.ignore_index = ignore_index
        self.reduce_zero_label = reduce_zero_label

    def transform(self, results: dict) -> dict:
        path = results['seg_map_path']
        try:
            with Image.open(path) as im:
                seg = np.array(im)
        except (OSError, ValueError) as err:
            raise ValueError(f'cannot read label map {path}: {err}') from err
        if seg.ndim == 3:
            raise ValueError(f'label map {path} has {seg.shape[2]} channels; expected one channel of class ids')
        seg = seg.astype(np.int64)
        if self.reduce_zero_label:
            ignore = seg == 0
            seg = seg - 1
            seg[ignore] = self.ignore_index
        results['gt_seg_map'] = seg
        results['seg_fields'] = results.get('seg_fields', []) + ['gt_seg_map']
        results['reduce_zero_label'] = self.reduce_zero_label
        return results
