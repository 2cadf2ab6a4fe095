"""Fully connected CRF post-processing (Krähenbühl & Koltun, NeurIPS 2011), as ReCo+ applies it.

Mean-field inference of a dense CRF with Potts compatibility and two kernels over pixel pairs:

    k(i, j) = w_pos * exp(-|p_i - p_j|^2 / 2 s_pos^2)
            + w_bi  * exp(-|p_i - p_j|^2 / 2 s_bi^2 - |I_i - I_j|^2 / 2 s_rgb^2)

    Q <- softmax(log P + sum_m w_m Kn_m Q)       (``iters`` times, Q_0 = P)

with ``P = softmax(logits)`` the unary, and each kernel matrix normalised symmetrically,
``Kn = D^-1/2 K D^-1/2`` with ``D = diag(K 1)`` (self term included), as the permutohedral-lattice
implementation used by the released code (pydensecrf) does. The defaults are that code's:
10 iterations, ``w_pos = 3, s_pos = 1``, ``w_bi = 4, s_bi = 67, s_rgb = 3``.

Exact inference is quadratic in the number of pixels, so the messages are computed on a grid of at
most ``max_pixels`` points (positions measured in full-resolution pixels, so the kernel widths keep
their meaning) and upsampled; the unary stays at full resolution. At the default 4096 points a
320x320 crop is filtered on a 64x64 grid; the 1-pixel Gaussian kernel then only reinforces each
point's own label (its neighbours are 5 px away), the bilateral kernel does the smoothing.
"""
import math

import torch
import torch.nn.functional as F


def _kernel(features: torch.Tensor) -> torch.Tensor:
    """``exp(-|f_i - f_j|^2 / 2)`` of features already divided by their widths: ``[N, N]``,
    symmetrically normalised."""
    k = torch.exp(-0.5 * torch.cdist(features, features).square())
    d = k.sum(1).rsqrt()
    return d[:, None] * k * d[None, :]


def dense_crf(image: torch.Tensor, logits: torch.Tensor, iters: int = 10, pos_w: float = 3.0,
              pos_xy_std: float = 1.0, bi_w: float = 4.0, bi_xy_std: float = 67.0,
              bi_rgb_std: float = 3.0, max_pixels: int = 4096) -> torch.Tensor:
    """Refine one image's class scores.

    Args:
        image: ``[3, H, W]`` RGB in 0..255 (any float dtype).
        logits: ``[C, H, W]`` class scores (softmax gives the unary probabilities).
        iters: mean-field iterations (0 returns ``softmax(logits)``).
        max_pixels: size of the grid the pairwise messages are computed on.

    Returns:
        ``[C, H, W]`` probabilities.
    """
    if logits.dim() != 3 or image.dim() != 3 or image.shape[0] != 3:
        raise ValueError(f'dense_crf takes image [3, H, W] and logits [C, H, W], got '
                         f'{tuple(image.shape)} and {tuple(logits.shape)}')
    c, h, w = logits.shape
    if image.shape[-2:] != (h, w):
        raise ValueError(f'dense_crf: image {tuple(image.shape[-2:])} and logits {(h, w)} differ in size')
    if c < 2:
        raise ValueError('dense_crf needs scores of at least 2 classes (a 1-channel sigmoid head has no '
                         'softmax to refine)')
    if iters < 0 or max_pixels < 1:
        raise ValueError(f'dense_crf: iters must be >= 0 and max_pixels >= 1, got {iters} and {max_pixels}')
    log_p = F.log_softmax(logits.float(), dim=0)
    if iters == 0:
        return log_p.exp()
    scale = min(1.0, math.sqrt(max_pixels / (h * w)))
    gh = min(h, max(1, round(h * scale)))
    gw = min(w, max(1, round(w * scale)), max(1, max_pixels // gh))  # a hard cap, any aspect ratio
    grid_log_p = F.interpolate(log_p[None], size=(gh, gw), mode='area')[0].reshape(c, -1).T  # [N, C]
    colours = F.interpolate(image.float().to(logits.device)[None], size=(gh, gw), mode='area')[0].reshape(3, -1).T
    ys = (torch.arange(gh, dtype=torch.float32, device=logits.device) + 0.5) * (h / gh)
    xs = (torch.arange(gw, dtype=torch.float32, device=logits.device) + 0.5) * (w / gw)
    pos = torch.stack(torch.meshgrid(ys, xs, indexing='ij'), -1).reshape(-1, 2)
    pairwise = (pos_w * _kernel(pos / pos_xy_std)
                + bi_w * _kernel(torch.cat([pos / bi_xy_std, colours / bi_rgb_std], 1)))
    q = grid_log_p.softmax(1)
    for _ in range(iters - 1):
        q = (grid_log_p + pairwise @ q).softmax(1)
    message = (pairwise @ q).T.reshape(1, c, gh, gw)
    message = F.interpolate(message, size=(h, w), mode='bilinear', align_corners=False)[0]
    return (log_p + message).softmax(0)
