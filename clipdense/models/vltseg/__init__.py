"""VLTSeg (Hümmer et al., "Strong but Simple: A Baseline for Domain Generalized Dense Perception
by CLIP-based Transfer Learning", ACCV 2024; arXiv 2312.02021): a CLIP / EVA-CLIP ViT image
encoder fine-tuned end to end with layer-wise lr decay and drop path, under MMSegmentation's
Mask2Former head. The text encoder is not used: the method transfers the vision-language
pre-trained *image* representation (see configs/vltseg/README.md)."""
from .clip_vit_pyramid import CLIPViTPyramid, drop_joint_space_head
from .deconv_pool_pyramid import DeconvPoolPyramid, pyramid_scales
from .layer_decay_constructor import LayerDecayOptimWrapperConstructor
from .slide_mask2former_head import SlideMask2FormerHead, mask_output_size

__all__ = ['CLIPViTPyramid', 'drop_joint_space_head', 'DeconvPoolPyramid', 'pyramid_scales',
           'LayerDecayOptimWrapperConstructor', 'SlideMask2FormerHead', 'mask_output_size']
