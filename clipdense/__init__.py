"""clipdense: dense and open-vocabulary perception with CLIP on MMSegmentation / MMDetection.

Importing ``clipdense`` (or ``custom_imports=dict(imports=['clipdense'])`` in a config)
registers every clipdense module in MMSegmentation's registries and applies the stack
compatibility patches of :mod:`clipdense.utils.compat`.
"""
from .utils.compat import apply_stack_patches

apply_stack_patches()

from . import clip, datasets, evaluation, models  # noqa: E402,F401

__version__ = '0.1.0'
