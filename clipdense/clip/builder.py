"""Build CLIP models (open_clip modules) by architecture name and load local weights.

Architectures: ``RN50``, ``RN101``, ``ViT-B-16``, ``ViT-L-14``, ``EVA02-B-16``, ``EVA02-L-14``
(EVA02-CLIP), and the tiny test/toy variants ``tiny-ViT``, ``tiny-RN``, ``tiny-EVA02``.
OpenAI-style spellings (``ViT-B/16``) and EVA-CLIP's (``EVA02-CLIP-B-16``) are accepted.
"""
import os
import os.path as osp
from typing import Optional

import open_clip
import torch

from . import tiny_eva  # noqa: F401  (registers the tiny EVA trunk in timm)

_CONFIG_DIR = osp.join(osp.dirname(__file__), 'model_configs')
open_clip.add_model_config(_CONFIG_DIR)

CLIP_ARCHS = {
    'RN50': 'RN50',
    'RN101': 'RN101',
    'ViT-B-16': 'ViT-B-16',
    'ViT-L-14': 'ViT-L-14',
    'EVA02-B-16': 'EVA02-B-16',
    'EVA02-L-14': 'EVA02-L-14',
    'tiny-ViT': 'clipdense-tiny-ViT',
    'tiny-RN': 'clipdense-tiny-RN',
    'tiny-EVA02': 'clipdense-tiny-EVA02',
}
_ALIASES = {
    'ViT-B/16': 'ViT-B-16', 'ViT-L/14': 'ViT-L-14',
    'EVA02-CLIP-B-16': 'EVA02-B-16', 'EVA02-CLIP-L-14': 'EVA02-L-14',
    'EVA02-CLIP-B/16': 'EVA02-B-16', 'EVA02-CLIP-L/14': 'EVA02-L-14',
}
DEFAULT_CACHE_DIR = osp.expanduser(os.environ.get('CLIPDENSE_CACHE', '~/.cache/clipdense/clip'))


def canonical_arch(arch: str) -> str:
    """Return the canonical clipdense name of ``arch`` or raise a one-line error."""
    arch = _ALIASES.get(arch, arch)
    if arch not in CLIP_ARCHS:
        raise ValueError(f'unknown CLIP architecture {arch!r}; choose one of {sorted(CLIP_ARCHS)}')
    return arch


def build_clip(arch: str, checkpoint: Optional[str] = None) -> torch.nn.Module:
    """Build an open_clip CLIP model and optionally load local weights.

    Args:
        arch: architecture name, see :data:`CLIP_ARCHS`.
        checkpoint: ``None`` for random init; a weight file (OpenAI ``.pt`` TorchScript or
            state dict, open_clip ``.pt``/``.bin``/``.safetensors``, EVA-CLIP ``.pt``); or a
            folder searched for the usual file names of ``arch`` (e.g. the cache folder
            :data:`DEFAULT_CACHE_DIR`).

    Returns:
        ``open_clip.CLIP`` (or ``CustomTextCLIP`` for EVA02) in eval mode on CPU.
    """
    from .checkpoint import load_clip_checkpoint, resolve_checkpoint
    arch = canonical_arch(arch)
    model = open_clip.create_model(CLIP_ARCHS[arch], pretrained=None)
    if checkpoint is not None:
        load_clip_checkpoint(model, resolve_checkpoint(arch, checkpoint), arch=arch)
    return model.eval()
