"""Textured surfaces and objects, and the synthetic defects painted on them.

Used for the MVTec-layout industrial images (``fabric``, ``washer``) and, with other
surfaces (``wood``, ``metal``, ``paper``, ``stone``), for the CLIP pretraining corpus.
"""
from typing import Tuple

import numpy as np

from .drawing import coords, ellipse_mask, line_mask, smooth_noise

BASE_RGB = {'fabric': (70, 95, 150), 'washer': (165, 165, 170), 'wood': (150, 100, 55),
            'metal': (150, 155, 160), 'paper': (230, 225, 210), 'stone': (130, 125, 120)}


def render_surface(rng: np.random.Generator, kind: str, size: int) -> Tuple[np.ndarray, np.ndarray]:
    """A defect-free ``kind`` image ``float32 [S, S, 3]`` and the mask ``bool [S, S]`` of the
    region that may carry defects (the whole image for textures, the ring for ``washer``)."""
    yy, xx = coords(size, size)
    s = size / 64  # patterns are defined at 64 px
    rgb = np.asarray(BASE_RGB[kind], np.float32) + rng.uniform(-6, 6, 3)
    region = np.ones((size, size), bool)
    if kind == 'fabric':
        phase = rng.uniform(0, 2 * np.pi, 2)
        weave = np.sin(2 * np.pi * xx / (3 * s) + phase[0]) * np.sin(2 * np.pi * yy / (3 * s) + phase[1])
        gain = 1 + 0.18 * weave + 0.06 * smooth_noise(rng, size, size, 12 * s)
    elif kind == 'washer':
        cy, cx = size / 2 + rng.uniform(-2, 2, 2) * s
        rho = np.hypot(yy - cy, xx - cx)
        region = (rho <= 26 * s) & (rho >= 11 * s)
        gain = 0.85 + 0.25 * np.cos(np.arctan2(yy - cy, xx - cx) - rng.uniform(0, 6.3))
        img = np.empty((size, size, 3), np.float32)
        img[:] = np.array([45, 45, 50], np.float32)[None, None]
        img *= (1 + 0.1 * smooth_noise(rng, size, size, 16 * s))[..., None]
        img[region] = rgb * gain[region][:, None]
        return img + rng.normal(0, 3, img.shape), region
    elif kind == 'wood':
        grain = np.sin(2 * np.pi * (yy + 6 * s * smooth_noise(rng, size, size, 20 * s)) / (5 * s))
        gain = 1 + 0.15 * grain
    elif kind == 'metal':
        streaks = np.repeat(rng.uniform(-1, 1, (size, 1)), size, 1)
        gain = 1 + 0.08 * streaks + 0.1 * xx / size
    elif kind == 'paper':
        gain = 1 + 0.04 * smooth_noise(rng, size, size, 6 * s)
    elif kind == 'stone':
        gain = 1 + 0.2 * smooth_noise(rng, size, size, 4 * s) + 0.15 * smooth_noise(rng, size, size, 16 * s)
    else:
        raise ValueError(f'unknown surface {kind!r}')
    img = rgb * gain[..., None]
    return img + rng.normal(0, 3, img.shape), region


def add_defect(rng: np.random.Generator, img: np.ndarray, region: np.ndarray,
               defect: str) -> np.ndarray:
    """Paint a ``scratch``, ``hole`` or ``stain`` inside ``region`` (in place) and return its
    mask ``bool [S, S]`` (non-empty)."""
    size = img.shape[0]
    s = size / 64
    yy, xx = coords(size, size)
    ys, xs = np.nonzero(region)
    for _ in range(50):
        k = rng.integers(len(ys))
        cy, cx = ys[k] + 0.5, xs[k] + 0.5
        if defect == 'scratch':
            length, angle = rng.uniform(12, 26) * s, rng.uniform(0, np.pi)
            dy, dx = np.sin(angle) * length / 2, np.cos(angle) * length / 2
            mask = line_mask(yy, xx, cy - dy, cx - dx, cy + dy, cx + dx, rng.uniform(1.2, 2.0) * s)
        elif defect == 'hole':
            r = rng.uniform(2.5, 5) * s
            mask = ellipse_mask(yy, xx, cy, cx, r, r * rng.uniform(0.8, 1.2))
        elif defect == 'stain':
            r = rng.uniform(5, 10) * s
            blob = ellipse_mask(yy, xx, cy, cx, 1.4 * r, 1.4 * r)
            mask = blob & (np.hypot(yy - cy, xx - cx) / r + 0.5 * smooth_noise(rng, size, size, 4 * s) < 1)
        else:
            raise ValueError(f'unknown defect {defect!r}')
        mask &= region
        if mask.sum() >= 4 * s * s:
            break
    if defect == 'scratch':
        img[mask] = img[mask] * 0.45 if rng.random() < 0.5 else np.minimum(img[mask] + 80, 255)
    elif defect == 'hole':
        img[mask] = rng.uniform(8, 25)
    else:
        stain = np.array([95, 70, 30], np.float32) * rng.uniform(0.7, 1.2)
        img[mask] = 0.35 * img[mask] + 0.65 * stain
    return mask
