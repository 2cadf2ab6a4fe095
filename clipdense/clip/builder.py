"""Build CLIP models (open_clip modules) by architecture name and load local weights.

Architectures: ``RN50``, ``RN101``, ``ViT-B-16``, ``ViT-L-14``, ``EVA02-B-16``, ``EVA02-L-14``
(EVA02-CLIP), the tiny test variants ``tiny-ViT``, ``tiny-RN``, ``tiny-EVA02``, and ``toy-RN``
(a ResNet CLIP big enough to segment the toy world with: width 16, 256 px input).
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
    'toy-RN': 'clipdense-toy-RN',
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


def build_clip(arch: str, checkpoint: Optional[str] = None,
               quick_gelu: Optional[bool] = None) -> torch.nn.Module:
    """Build an open_clip CLIP model and optionally load local weights.

    Args:
        arch: architecture name, see :data:`CLIP_ARCHS`.
        checkpoint: ``None`` for random init; a weight file (OpenAI ``.pt`` TorchScript or
            state dict, open_clip ``.pt``/``.bin``/``.safetensors``, EVA-CLIP ``.pt``); or a
            folder searched for the usual file names of ``arch`` (e.g. the cache folder
            :data:`DEFAULT_CACHE_DIR`).
        quick_gelu: use QuickGELU activations (what OpenAI's CLIP weights were trained
            with). ``None`` decides from the checkpoint: on for OpenAI-format files, off
            otherwise (open_clip/EVA-CLIP weights trained with GELU).

    Returns:
        ``open_clip.CLIP`` (or ``CustomTextCLIP`` for EVA02) in eval mode on CPU.
    """
    from .checkpoint import is_openai_state_dict, load_clip_checkpoint, read_state_dict, resolve_checkpoint
    arch = canonical_arch(arch)
    path = state_dict = None
    if checkpoint is not None:
        path = resolve_checkpoint(arch, checkpoint)
        state_dict = read_state_dict(path, keep_openai_keys=True)   # read once
    if quick_gelu is None:
        quick_gelu = state_dict is not None and is_openai_state_dict(state_dict, path)
    model = open_clip.create_model(CLIP_ARCHS[arch], pretrained=None, force_quick_gelu=quick_gelu)
    if path is not None:
        load_clip_checkpoint(model, path, arch=arch, state_dict=state_dict)
    return model.eval()
