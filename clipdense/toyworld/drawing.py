"""Vectorised numpy drawing primitives shared by the toy-world renderers.

All functions work on whole ``[H, W]`` coordinate grids (no per-pixel loops); images are
``float32 [H, W, 3]`` in 0..255 until :func:`to_uint8`.
"""
from typing import Tuple

import numpy as np
from PIL import Image


def coords(h: int, w: int) -> Tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinate grids ``yy, xx`` of shape ``[H, W]``."""
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    return yy + 0.5, xx + 0.5


def regular_polygon_radius(theta: np.ndarray, n: int, r: float) -> np.ndarray:
    """Boundary radius of a regular ``n``-gon with circumradius ``r`` at polar angle ``theta``."""
    sector = 2 * np.pi / n
    local = np.mod(theta, sector) - sector / 2
    return r * np.cos(np.pi / n) / np.cos(local)


def shape_mask(shape: str, yy: np.ndarray, xx: np.ndarray, cy: float, cx: float, r: float,
               angle: float = 0.0) -> np.ndarray:
    """Boolean ``[H, W]`` mask of a named shape centred at (cy, cx) with outer radius ``r``."""
    dy, dx = yy - cy, xx - cx
    rho = np.hypot(dy, dx)
    theta = np.arctan2(dy, dx) - angle
    if shape == 'circle':
        return rho <= r
    if shape == 'ring':
        return (rho <= r) & (rho >= 0.55 * r)
    if shape == 'square':
        return rho <= regular_polygon_radius(theta + np.pi / 4, 4, r * 1.1)
    if shape == 'triangle':
        return rho <= regular_polygon_radius(theta + np.pi / 2, 3, r * 1.15)
    if shape == 'star':
        period = 2 * np.pi / 5
        tri = np.abs(np.mod(theta + np.pi / 2, period) / period * 2 - 1)  # 1 at tips, 0 between
        return rho <= r * (0.42 + 0.58 * tri ** 1.5)
    if shape == 'cross':
        u = dx * np.cos(angle) + dy * np.sin(angle)
        v = -dx * np.sin(angle) + dy * np.cos(angle)
        arm = 0.36 * r
        return ((np.abs(u) <= r) & (np.abs(v) <= arm)) | ((np.abs(v) <= r) & (np.abs(u) <= arm))
    raise ValueError(f'unknown shape {shape!r}')


def smooth_noise(rng: np.random.Generator, h: int, w: int, cell: float) -> np.ndarray:
    """Low-frequency noise in [-1, 1] of shape ``[H, W]``: a random grid of cell size ``cell``
    pixels, bicubically upsampled."""
    gh, gw = max(2, int(np.ceil(h / cell)) + 1), max(2, int(np.ceil(w / cell)) + 1)
    grid = rng.uniform(-1, 1, (gh, gw)).astype(np.float32)
    up = Image.fromarray(grid, mode='F').resize((w, h), Image.BICUBIC)
    return np.clip(np.asarray(up), -1, 1)


def fill(img: np.ndarray, mask: np.ndarray, rgb, shading: np.ndarray = None) -> None:
    """Paint ``rgb`` into ``img`` where ``mask``; ``shading`` ``[H, W]`` multiplies it."""
    colour = np.asarray(rgb, np.float32)
    if shading is None:
        img[mask] = colour
    else:
        img[mask] = colour * shading[mask][:, None]


def jitter_colour(rng: np.random.Generator, rgb, amount: float) -> np.ndarray:
    """``rgb`` plus uniform per-channel noise in [-amount, amount]."""
    return np.clip(np.asarray(rgb, np.float32) + rng.uniform(-amount, amount, 3), 0, 255)


def box_mask(yy: np.ndarray, xx: np.ndarray, y0: float, x0: float, y1: float, x1: float) -> np.ndarray:
    """Axis-aligned rectangle ``[y0, y1) x [x0, x1)`` as a boolean ``[H, W]`` mask."""
    return (yy >= y0) & (yy < y1) & (xx >= x0) & (xx < x1)


def ellipse_mask(yy, xx, cy, cx, ry, rx) -> np.ndarray:
    """Axis-aligned ellipse as a boolean ``[H, W]`` mask."""
    return ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1.0


def line_mask(yy, xx, y0, x0, y1, x1, width: float) -> np.ndarray:
    """Segment from (y0, x0) to (y1, x1) of the given ``width`` as a boolean mask."""
    dy, dx = y1 - y0, x1 - x0
    length2 = max(dy * dy + dx * dx, 1e-6)
    t = np.clip(((yy - y0) * dy + (xx - x0) * dx) / length2, 0, 1)
    return np.hypot(yy - (y0 + t * dy), xx - (x0 + t * dx)) <= width / 2


def box_blur(img: np.ndarray, radius: int) -> np.ndarray:
    """Separable box blur of a ``[H, W, C]`` float image (edge-padded)."""
    if radius <= 0:
        return img
    k = 2 * radius + 1
    pad = np.pad(img, ((radius, radius), (radius, radius), (0, 0)), mode='edge')
    c = np.cumsum(np.cumsum(pad, 0), 1)
    c = np.pad(c, ((1, 0), (1, 0), (0, 0)))
    return (c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]) / (k * k)


def to_uint8(img: np.ndarray) -> np.ndarray:
    """Round and clip a float image to ``uint8``."""
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)
