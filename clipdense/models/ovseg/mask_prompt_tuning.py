"""Mask prompt tuning (OVSeg, Sec. 3.3): learnable tokens for the blank patches of masked crops.

A masked crop is mostly "blank": every pixel outside the mask holds the fill colour, and the
ViT spends whole patch tokens on nothing. Mask prompt tuning replaces each token of a fully
masked-out patch by a learnable prompt token:

    T' = T * M_p + P * (1 - M_p)

with ``M_p = 1`` for a patch that contains at least one mask pixel (``ceil`` of the average
pooled mask, as in the released code) and ``M_p = 0`` for a blank patch. ``P`` holds one
token per patch position. *Shallow* prompts replace the patch embeddings before the first
block only; *deep* prompts also replace the patch tokens entering every later block, each
level with its own tokens. An integer depth ``d`` uses levels ``0 .. d-1`` (the released
configs use 3).

Level 0 replaces the raw patch embeddings (after the patch convolution, before the position
embeddings are added); level ``d >= 1`` replaces the patch tokens that enter block ``d``.
"""
from typing import Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F


class MaskPromptTuning(nn.Module):
    """Prompt tokens ``[depth, h*w, C]`` for the blank patches of a ``h x w`` patch grid.

    Args:
        num_layers: number of ViT blocks (``'deep'`` means one level per block).
        grid: ``(h, w)`` patch grid of the crops, e.g. ``(14, 14)`` for ViT-B/16 at 224 px.
        width: token width ``C``.
        patch_size: ViT patch size ``p`` (pixels per patch side).
        depth: ``'shallow'`` (1), ``'deep'`` (``num_layers``) or an int in ``[1, num_layers]``.
        init_std: std of the normal init of the prompt tokens (0.02, MAE-style, as released).
    """

    def __init__(self, num_layers: int, grid: Sequence[int], width: int, patch_size: int,
                 depth: Union[str, int] = 'deep', init_std: float = 0.02):
        super().__init__()
        self.depth = self.resolve_depth(depth, num_layers)
        self.grid = tuple(int(g) for g in grid)
        self.patch_size = int(patch_size)
        self.prompts = nn.Parameter(torch.randn(self.depth, self.grid[0] * self.grid[1], width) * init_std)

    @staticmethod
    def resolve_depth(depth: Union[str, int], num_layers: int) -> int:
        """``'shallow'`` -> 1, ``'deep'`` -> ``num_layers``, ints are range-checked."""
        if depth == 'shallow':
            return 1
        if depth == 'deep':
            return num_layers
        if isinstance(depth, int) and not isinstance(depth, bool) and 1 <= depth <= num_layers:
            return depth
        raise ValueError(f'mask prompt depth {depth!r} is invalid; use "shallow", "deep" or an int '
                         f'in [1, {num_layers}] (0 / None disables mask prompt tuning)')

    def patch_keep(self, region_masks: torch.Tensor) -> torch.Tensor:
        """``[N, H, W]`` crop masks -> ``[N, h*w, 1]`` bool, True where a patch has a mask pixel.

        Equals ``ceil(avg_pool(mask, p)) > 0`` of the released code for masks in ``[0, 1]``.
        """
        m = region_masks.float().unsqueeze(1)
        keep = F.max_pool2d(m, self.patch_size, self.patch_size) > 0        # [N, 1, h, w]
        if tuple(keep.shape[-2:]) != self.grid:
            raise ValueError(f'crop masks give a {tuple(keep.shape[-2:])} patch grid but the mask '
                             f'prompts were built for {self.grid}; use the crop size they were trained at')
        return keep.flatten(1).unsqueeze(-1)

    def replace(self, tokens: torch.Tensor, keep: torch.Tensor, level: int) -> torch.Tensor:
        """Patch tokens ``[N, h*w, C]`` with the blank ones (``keep == False``) set to level ``level``'s prompts."""
        prompt = self.prompts[level].to(tokens.dtype).unsqueeze(0)          # [1, h*w, C]
        return torch.where(keep, tokens, prompt)
