"""ReCo step 2 (maths): seed pixels by cross-image feature affinity and the reference embedding.

For an archive of ``n`` images of one concept with dense features ``F [n, C, h, w]``:

1. ``A = F̂ F̂ᵀ`` is the cosine affinity between all ``N = n*h*w`` pixels (``F̂``: L2-normalised
   per pixel). Optional per-pixel weights ``w [n, h, w]`` (language guidance, context
   elimination) scale the *columns*: ``A[p, q] *= w[q]``.
2. For every pixel ``p`` and every image ``j``: ``M[p, j] = max_{q in image j} A[p, q]`` (its best
   match in image ``j``); the pixel's score is the mean over the ``n`` images, ``s[p] = mean_j M[p, j]``.
3. In every image the pixel with the highest score is that image's *seed*.
4. The concept's reference embedding is the mean of the ``n`` seed features (un-normalised
   features, as in the released code), L2-normalised.

The released code slices the columns of image ``j`` as ``A[:, start : start + end]``, which for
``j > 0`` spans several images; we take the max within each image's own block, as the paper describes.
``A`` is never materialised: rows are processed ``chunk`` pixels at a time.
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F


def seed_scores(features: torch.Tensor, weights: Optional[torch.Tensor] = None,
                chunk: int = 4096) -> torch.Tensor:
    """Mean over images of each pixel's best (weighted) affinity in that image.

    Args:
        features: ``[n, C, h, w]`` dense features of the archive.
        weights: ``[n, h, w]`` in [0, 1] scaling the affinity to each target pixel, or ``None``.
        chunk: pixels (rows of ``A``) processed at once.

    Returns:
        ``[n, h, w]`` scores ``s``.
    """
    n, c, h, w = features.shape
    flat = F.normalize(features.permute(0, 2, 3, 1).reshape(n * h * w, c).float(), dim=1)
    col_w = None if weights is None else weights.reshape(1, n * h * w).float()
    scores = flat.new_empty(n * h * w)
    for start in range(0, n * h * w, chunk):
        aff = flat[start:start + chunk] @ flat.t()                   # [r, N]
        if col_w is not None:
            aff = aff * col_w
        scores[start:start + chunk] = aff.view(-1, n, h * w).amax(dim=2).mean(dim=1)
    return scores.view(n, h, w)


def select_seeds(scores: torch.Tensor) -> torch.Tensor:
    """Flat index (``y * w + x``) of the highest-scoring pixel of every image: ``[n]``."""
    return scores.flatten(1).argmax(dim=1)


def reference_embedding(features: torch.Tensor, weights: Optional[torch.Tensor] = None,
                        chunk: int = 4096) -> Tuple[torch.Tensor, torch.Tensor]:
    """Co-segment an archive: ``(reference [C] L2-normalised, seeds [n] flat indices)``."""
    seeds = select_seeds(seed_scores(features, weights, chunk))
    n = features.shape[0]
    seed_feats = features.flatten(2)[torch.arange(n, device=features.device), :, seeds]  # [n, C]
    return F.normalize(seed_feats.float().mean(0), dim=0), seeds
