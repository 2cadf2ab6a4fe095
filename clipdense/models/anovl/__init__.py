"""AnoVL (Deng et al., 2023): unified zero-shot anomaly localization with CLIP.

* :mod:`.vv_attention` — V-V attention and the dual-path ViT giving local patch tokens
* :mod:`.state_prompts` — unified domain-aware contrastive state prompts
* :mod:`.tfa` — training-free anomaly maps and image scores
* :mod:`.tta` — the test-time adapter
* :mod:`.segmentor` — ``AnoVLSegmentor`` for ``tools/test.py``
* :mod:`.api` — ``AnomalyLocalizer`` for direct use on images
"""
from .api import AnomalyLocalizer, AnomalyResult
from .segmentor import AnoVLSegmentor
from .state_prompts import StatePromptEncoder, state_prompts
from .tfa import TrainingFreeLocalizer
from .tta import TestTimeAdaptation, TestTimeAdapter
from .vv_attention import VVAttention, VVPathEncoder

__all__ = ['AnomalyLocalizer', 'AnomalyResult', 'AnoVLSegmentor', 'StatePromptEncoder', 'state_prompts',
           'TrainingFreeLocalizer', 'TestTimeAdaptation', 'TestTimeAdapter', 'VVAttention', 'VVPathEncoder']
