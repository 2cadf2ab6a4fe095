"""Evaluation on a resized centre crop (the PiCIE/STEGO/ReCo protocol for Cityscapes and COCO-Stuff).

MMSeg scores a prediction after resizing it to ``ori_shape``, the size of the file on disk. The
unsupervised-segmentation protocol scores at the resolution of the transformed image instead
(shorter side 320, centre crop 320x320, labels resized with nearest neighbour), so this
transform, placed after the crop, declares the current size to be the original one.
"""
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ScoreAtCurrentSize(BaseTransform):
    """Set ``ori_shape`` to the current image size so predictions are scored at this size."""

    def transform(self, results: dict) -> dict:
        results['ori_shape'] = results['img'].shape[:2]
        return results
