"""Register a DenseCLIP component in both MMSegmentation's and MMDetection's model registries.

Segmentation configs run in the ``mmseg`` scope and detection configs in the ``mmdet`` scope;
a backbone, text encoder or context decoder must be findable from either.
"""
from mmdet.registry import MODELS as DET_MODELS
from mmseg.registry import MODELS as SEG_MODELS


def register_in_seg_and_det(cls):
    """Class decorator: ``SEG_MODELS.register_module()`` and ``DET_MODELS.register_module()``."""
    SEG_MODELS.register_module(module=cls)
    DET_MODELS.register_module(module=cls)
    return cls
