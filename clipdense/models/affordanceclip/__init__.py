"""AffordanceCLIP: frozen CLIP + a global-conditioned FPN, queried with any action text."""
from .affordance_clip import AffordanceCLIP
from .frozen_clip import FrozenCLIP
from .global_conditioned_fpn import GlobalConditionedFPN
from .pixel_projector import PixelEmbeddingProjector
from .pixel_text_loss import PixelTextContrastiveLoss
from .referring_sample import SampleReferringExpression, rasterize_coco_mask

__all__ = ['AffordanceCLIP', 'FrozenCLIP', 'GlobalConditionedFPN', 'PixelEmbeddingProjector',
           'PixelTextContrastiveLoss', 'SampleReferringExpression', 'rasterize_coco_mask']
