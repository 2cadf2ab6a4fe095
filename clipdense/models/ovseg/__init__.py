"""OVSeg: open-vocabulary semantic segmentation with mask-adapted CLIP (Liang et al., CVPR 2023)."""
from .class_lists import CLASS_LIST_DIR, load_class_names, read_class_file
from .clip_finetuner import MaskAdaptedCLIPFinetuner, clip_contrastive_loss
from .ensemble import ensemble_class_scores, semantic_map
from .mask_adapted_clip import CLIP_MEAN, CLIP_STD, MaskAdaptedCLIP
from .mask_prompt_tuning import MaskPromptTuning
from .mask_proposal_head import OVSegProposalHead
from .region_crops import crop_masked_regions, expand_boxes, mask_boxes
from .segmentor import OVSeg
from .vild_templates import VILD_TEMPLATES
from .wide_label_loading import LoadWideSegAnnotations

__all__ = [
    'CLASS_LIST_DIR', 'load_class_names', 'read_class_file', 'MaskAdaptedCLIPFinetuner',
    'clip_contrastive_loss', 'ensemble_class_scores', 'semantic_map', 'CLIP_MEAN', 'CLIP_STD',
    'MaskAdaptedCLIP', 'MaskPromptTuning', 'OVSegProposalHead', 'crop_masked_regions', 'expand_boxes',
    'mask_boxes', 'OVSeg', 'VILD_TEMPLATES', 'LoadWideSegAnnotations',
]
