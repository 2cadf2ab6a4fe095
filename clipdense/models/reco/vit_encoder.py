"""The self-supervised ViT whose dense features ReCo co-segments with (DINO-style, any timm ViT).

The paper uses DeiT-S/16 trained on Stylized ImageNet (``deit_small_distilled_patch16_224``);
DINO ViT-S/16 (``vit_small_patch16_224``) works the same way. Weights come from a local file in
the DINO, DeiT (``{'model': ...}``), timm or MoCo-v3 layout.
"""
import os.path as osp
from typing import Optional

import timm
import torch
import torch.nn as nn
from open_clip.constants import IMAGENET_MEAN, IMAGENET_STD

from .retrieval import normalize_images

_WRAPPER_KEYS = ('teacher', 'student', 'model', 'state_dict', 'module')
_PREFIXES = ('module.', 'backbone.', 'encoder.')


def read_vit_state_dict(path: str) -> dict:
    """Read a ViT state dict from DINO/DeiT/timm checkpoint files (one-line errors)."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'ReCo ViT checkpoint {path!r} not found; download DeiT-S/16-SIN (deit_s_sin_dist.pth) or '
            'DINO ViT-S/16 (dino_deitsmall16_pretrain.pth) and put it there, or set encoder.checkpoint')
    data = torch.load(path, map_location='cpu', weights_only=True)
    for key in _WRAPPER_KEYS:
        if isinstance(data, dict) and key in data and isinstance(data[key], dict):
            data = data[key]
    out = {}
    for k, v in data.items():
        for p in _PREFIXES:
            k = k[len(p):] if k.startswith(p) else k
        out[k] = v
    return out


class DenseViTEncoder(nn.Module):
    """Frozen timm ViT returning its last-layer (final-norm) patch tokens as a map.

    Args:
        arch: timm model name, e.g. ``'deit_small_distilled_patch16_224'`` or ``'vit_small_patch16_224'``.
        checkpoint: local weight file; ``None`` keeps the random init (tests only).
        **timm_kwargs: passed to ``timm.create_model`` (e.g. ``depth=2`` for tiny tests).

    ``forward(images)``: RGB ``[B, 3, H, W]`` in 0..255 -> ``[B, C, H // p, W // p]``
    (ImageNet normalisation is applied inside; position embeddings are resampled to any size).
    """

    def __init__(self, arch: str = 'deit_small_distilled_patch16_224', checkpoint: Optional[str] = None,
                 **timm_kwargs):
        super().__init__()
        try:
            self.vit = timm.create_model(arch, pretrained=False, num_classes=0, dynamic_img_size=True,
                                         **timm_kwargs)
        except RuntimeError as e:
            raise ValueError(f'unknown timm ViT {arch!r} ({e}); use e.g. vit_small_patch16_224') from e
        if not hasattr(self.vit, 'blocks') or not hasattr(self.vit, 'patch_embed'):
            raise ValueError(f'{arch!r} is not a plain ViT (needs .patch_embed and .blocks)')
        if checkpoint is not None:
            self.load_checkpoint(checkpoint)
        self.vit.eval().requires_grad_(False)
        self.patch_size = self.vit.patch_embed.patch_size[0]
        self.embed_dim = self.vit.embed_dim

    def load_checkpoint(self, path: str) -> None:
        state = read_vit_state_dict(path)
        own = self.vit.state_dict()
        state = {k: v for k, v in state.items() if k in own}
        if 'pos_embed' in state and state['pos_embed'].shape != own['pos_embed'].shape:
            from timm.layers import resample_abs_pos_embed
            n_pre = 0 if getattr(self.vit, 'no_embed_class', False) else self.vit.num_prefix_tokens
            g = int(round((state['pos_embed'].shape[1] - n_pre) ** 0.5))
            state['pos_embed'] = resample_abs_pos_embed(state['pos_embed'], list(self.vit.patch_embed.grid_size),
                                                        old_size=[g, g], num_prefix_tokens=n_pre)
        missing = [k for k in own if k not in state]
        if missing:
            raise ValueError(f'{path!r} does not fit {type(self.vit).__name__} (missing {missing[:4]}...); '
                             'check encoder.arch against the checkpoint')
        self.vit.load_state_dict(state, strict=True)

    def train(self, mode: bool = True):
        return super().train(False)  # frozen: dropout / drop-path stay off

    @torch.no_grad()
    def forward(self, images: torch.Tensor) -> torch.Tensor:
        B, _, H, W = images.shape
        h, w = H // self.patch_size, W // self.patch_size
        x = normalize_images(images, IMAGENET_MEAN, IMAGENET_STD)[:, :, :h * self.patch_size, :w * self.patch_size]
        tokens = self.vit.forward_features(x)[:, self.vit.num_prefix_tokens:]
        return tokens.transpose(1, 2).reshape(B, -1, h, w)
