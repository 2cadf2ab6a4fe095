"""DenseCLIP (Rao et al., CVPR 2022): language-guided dense prediction with context-aware prompting.

Modules (each registered on ``import clipdense``): :class:`DenseCLIPVisionBackbone`,
:class:`DenseCLIPTextEncoder`, :class:`ContextDecoder`, :class:`ScoreMapIdentityHead`,
the segmentor :class:`DenseCLIPSegmentor` (MMSegmentation) and the detectors
:class:`DenseCLIPRetinaNet` / :class:`DenseCLIPMaskRCNN` (MMDetection).
"""
