"""KITTI-STEP semantic segmentation (19 Cityscapes classes) in the layout of its release::

    kitti_step/images/{train,val}/<sequence>/<frame>.png
    kitti_step/panoptic_maps/{train,val}/<sequence>/<frame>.png   # RGB: R = semantic id, G*256+B = instance

Semantic ids are Cityscapes train ids 0..18, 255 = void. The annotations are read with
:class:`LoadSTEPSemanticAnnotations`; a pipeline on single-channel labels (e.g. ReCo
pseudo-labels) uses MMSeg's ``LoadAnnotations`` instead.
"""
import mmcv
import numpy as np
from mmengine import fileio
from mmseg.datasets import BaseSegDataset, CityscapesDataset
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import DATASETS, TRANSFORMS


@DATASETS.register_module()
class ReCoKittiStepDataset(BaseSegDataset):
    """KITTI-STEP frames with their panoptic maps (sequence sub-folders are scanned recursively)."""
    METAINFO = CityscapesDataset.METAINFO

    def __init__(self, img_suffix='.png', seg_map_suffix='.png', **kwargs):
        super().__init__(img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)


@TRANSFORMS.register_module()
class LoadSTEPSemanticAnnotations(LoadAnnotations):
    """Load the semantic channel (R) of a STEP panoptic map as ``gt_seg_map`` ``uint8 [H, W]``."""

    def _load_seg_map(self, results: dict) -> None:
        img_bytes = fileio.get(results['seg_map_path'], backend_args=self.backend_args)
        rgb = mmcv.imfrombytes(img_bytes, flag='color', channel_order='rgb', backend=self.imdecode_backend)
        results['gt_seg_map'] = np.ascontiguousarray(rgb[..., 0]).astype(np.uint8)
        results['seg_fields'].append('gt_seg_map')
