"""Read CLIP weights from the formats users have and load them into open_clip models.

Formats (auto-detected):

* OpenAI's released ``.pt``: a TorchScript archive, or the same weights as a plain state dict.
  Its keys are open_clip's ``CLIP`` keys plus ``input_resolution``/``context_length``/
  ``vocab_size`` entries that are dropped.
* open_clip checkpoints: a state dict, ``{'state_dict': ...}`` from open_clip training (with
  DDP's ``module.`` prefix), ``.bin``, or ``.safetensors`` as on model hubs.
* EVA-CLIP checkpoints (BAAI's ``EVA02_CLIP_*_s*B.pt``): the vision tower is stored with
  EVA's own names under ``visual.`` and is renamed to timm's ``visual.trunk.`` layout
  (see :mod:`clipdense.clip.eva_clip_keys`).
"""
import os.path as osp
import zipfile
from typing import Dict, Optional

import torch

from .eva_clip_keys import convert_eva_clip_state_dict, is_eva_clip_state_dict
from .pos_embed import PosEmbedResampling

# File names users have for each architecture (checked inside a folder, then in a sub-folder
# named after the architecture).
_OPEN_CLIP_NAMES = ['open_clip_model.safetensors', 'open_clip_pytorch_model.bin']
KNOWN_FILENAMES = {
    'RN50': ['RN50.pt'], 'RN101': ['RN101.pt'],
    'ViT-B-16': ['ViT-B-16.pt'], 'ViT-L-14': ['ViT-L-14.pt'],
    'EVA02-B-16': ['EVA02_CLIP_B_psz16_s8B.pt'],
    'EVA02-L-14': ['EVA02_CLIP_L_psz14_s4B.pt'],
    'tiny-ViT': ['tiny-ViT.pt'], 'tiny-RN': ['tiny-RN.pt'], 'tiny-EVA02': ['tiny-EVA02.pt'],
}
_OPENAI_EXTRA_KEYS = ('input_resolution', 'context_length', 'vocab_size')


class CLIPCheckpointError(RuntimeError):
    """Raised when CLIP weights are missing or do not fit the requested architecture."""


def resolve_checkpoint(arch: str, path: str) -> str:
    """Return the weight file for ``arch`` given a file or a folder that holds one."""
    path = osp.expanduser(path)
    if osp.isfile(path):
        return path
    names = KNOWN_FILENAMES.get(arch, []) + _OPEN_CLIP_NAMES
    if osp.isdir(path):
        for folder in (path, osp.join(path, arch)):
            for name in names:
                if osp.isfile(osp.join(folder, name)):
                    return osp.join(folder, name)
    raise CLIPCheckpointError(
        f'no CLIP weights for {arch} at {path}: put one of {names} there (or in {path}/{arch}/), '
        'or pass the weight file itself')


def _is_torchscript(path: str) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as zf:
        return any(n.endswith('constants.pkl') or '/code/' in n for n in zf.namelist())


def is_openai_state_dict(sd: Dict[str, torch.Tensor], path: str = '') -> bool:
    """True for OpenAI's released weights (TorchScript archive, or a state dict with OpenAI's
    ``input_resolution`` entry): they were trained with QuickGELU activations."""
    return 'input_resolution' in sd or (bool(path) and _is_torchscript(path))


def read_state_dict(path: str, keep_openai_keys: bool = False) -> Dict[str, torch.Tensor]:
    """Read a flat ``{name: tensor}`` dict from any supported CLIP checkpoint file."""
    try:
        if path.endswith('.safetensors'):
            from safetensors.torch import load_file
            sd = load_file(path, device='cpu')
        elif _is_torchscript(path):
            sd = torch.jit.load(path, map_location='cpu').state_dict()
        else:
            sd = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:  # corrupt / foreign files
        raise CLIPCheckpointError(
            f'cannot read CLIP checkpoint {path} ({type(err).__name__}: {str(err)[:200]}); '
            'expected an OpenAI .pt, an open_clip .pt/.bin/.safetensors or an EVA-CLIP .pt') from None
    for wrapper in ('state_dict', 'model_ema', 'model', 'module'):
        if isinstance(sd, dict) and isinstance(sd.get(wrapper), dict):
            sd = sd[wrapper]
    if not isinstance(sd, dict):
        raise CLIPCheckpointError(f'{path} holds a {type(sd).__name__}, not a CLIP state dict')
    if sd and all(k.startswith('module.') for k in sd):
        sd = {k[len('module.'):]: v for k, v in sd.items()}
    if keep_openai_keys:
        return sd
    return {k: v for k, v in sd.items() if k not in _OPENAI_EXTRA_KEYS}


def _resize_position_embeddings(sd, model) -> None:
    """Resample a checkpoint's position grid to the model's (e.g. a 336 px checkpoint) the way
    open_clip's ``resize_pos_embed`` does (antialiased bicubic)."""
    own = model.state_dict()
    resampling = PosEmbedResampling.build('open_clip')
    for key in ('visual.positional_embedding', 'visual.trunk.pos_embed',
                'visual.attnpool.positional_embedding'):
        if key not in sd or key not in own or sd[key].shape == own[key].shape:
            continue
        n_src, n_dst = sd[key].shape[-2] - 1, own[key].shape[-2] - 1
        gs, gd = int(round(n_src ** 0.5)), int(round(n_dst ** 0.5))
        if gs * gs != n_src or gd * gd != n_dst:
            continue  # left for the shape check below to report
        sd[key] = resampling.resample(sd[key], (gd, gd))


def load_clip_checkpoint(model: torch.nn.Module, path: str, arch: str = '?',
                         state_dict: Optional[Dict[str, torch.Tensor]] = None) -> None:
    """Load ``path`` (or its already-read ``state_dict``) into an open_clip ``model``;
    raise one clear error on any mismatch."""
    sd = read_state_dict(path) if state_dict is None else \
        {k: v for k, v in state_dict.items() if k not in _OPENAI_EXTRA_KEYS}
    if is_eva_clip_state_dict(sd):
        sd = convert_eva_clip_state_dict(sd)
    _resize_position_embeddings(sd, model)
    own = model.state_dict()
    sd = {k: v for k, v in sd.items() if not (k.startswith('visual.trunk.rope') and k not in own)}
    missing = [k for k in own if k not in sd and 'rope' not in k]
    unexpected = [k for k in sd if k not in own]
    wrong = [f'{k} {tuple(sd[k].shape)} vs {tuple(own[k].shape)}'
             for k in sd if k in own and sd[k].shape != own[k].shape]
    if missing or unexpected or wrong:
        parts = []
        for label, keys in (('missing', missing), ('unexpected', unexpected), ('wrong shape', wrong)):
            if keys:
                parts.append(f'{len(keys)} {label} (e.g. {", ".join(keys[:3])})')
        raise CLIPCheckpointError(
            f'{path} does not fit CLIP {arch}: {"; ".join(parts)}. Expected an OpenAI .pt, '
            f'open_clip or EVA-CLIP checkpoint of {arch}')
    model.load_state_dict({k: v.to(own[k].dtype) for k, v in sd.items()}, strict=False)
