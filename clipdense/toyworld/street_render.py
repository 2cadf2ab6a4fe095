"""Two rendering domains for the same street geometry: a clean "synthetic" one (the GTA5
stand-in) and a shifted "real" one (the Cityscapes stand-in).

The shift: duller, differently distributed colours; textures (facade grain, leaves, asphalt,
paving); a random colour cast, gamma and desaturation per image; blur, sensor noise and
vignetting; and the camera car's bonnet at the bottom (as in Cityscapes).
"""
from typing import Dict, List, Tuple

import numpy as np

from .drawing import box_blur, coords, jitter_colour, smooth_noise, to_uint8
from .street_layout import PART_CLASS
from .vocabulary import STREET_LABEL_IDS

# part -> candidate base colours; per instance one is picked and jittered by ``jitter``.
SYNTHETIC = dict(
    colours=dict(sky=[(70, 130, 230)], building=[(150, 110, 90), (175, 160, 135), (125, 125, 140),
                                                 (195, 170, 115)],
                 window=[(70, 90, 140)], road=[(85, 85, 92)], lane=[(235, 235, 235)],
                 sidewalk=[(170, 150, 160)], vegetation=[(55, 145, 45)], trunk=[(105, 70, 40)],
                 pole=[(140, 140, 150)], person=[(200, 40, 40), (40, 60, 180), (230, 200, 40),
                                                 (40, 40, 40)],
                 head=[(225, 185, 150)], car=[(200, 30, 30), (30, 60, 200), (235, 235, 235),
                                              (30, 30, 30), (225, 200, 40), (40, 140, 60)],
                 car_window=[(60, 80, 115)], wheel=[(25, 25, 25)], ego=[(40, 40, 45)]),
    jitter=12, texture={}, shading=0.05, noise=2.0, blur=0, cast=0.0, gamma=(1.0, 1.0),
    desaturate=0.0, vignette=0.0, sky_gradient=60)
REAL = dict(
    colours=dict(sky=[(150, 175, 205), (120, 155, 200)],
                 building=[(120, 110, 100), (140, 135, 125), (100, 95, 92), (160, 150, 135)],
                 window=[(60, 70, 80), (95, 105, 115)], road=[(105, 100, 100)], lane=[(190, 190, 180)],
                 sidewalk=[(145, 135, 135)], vegetation=[(75, 100, 45), (60, 85, 50)],
                 trunk=[(80, 65, 50)], pole=[(95, 95, 100)],
                 person=[(60, 60, 70), (110, 90, 70), (150, 150, 160), (40, 45, 70)],
                 head=[(200, 165, 140)], car=[(90, 90, 95), (180, 180, 185), (30, 30, 35),
                                              (120, 35, 35), (40, 50, 90)],
                 car_window=[(40, 45, 55)], wheel=[(20, 20, 20)], ego=[(35, 35, 40)]),
    jitter=18,
    texture=dict(building=(0.18, 3), window=(0.2, 2), road=(0.14, 1.5), sidewalk=(0.12, 2),
                 vegetation=(0.35, 1.5), sky=(0.1, 20), person=(0.1, 2), car=(0.08, 3)),
    shading=0.12, noise=6.0, blur=1, cast=0.12, gamma=(0.75, 1.3), desaturate=0.25,
    vignette=0.3, sky_gradient=15)
STYLES = {'synthetic': SYNTHETIC, 'real': REAL}


def layers_to_label_ids(layers: List[Tuple[str, np.ndarray]]) -> np.ndarray:
    """Paint the layers' Cityscapes label ids: ``uint8 [H, W]`` (0 = unlabeled)."""
    label = np.zeros(layers[0][1].shape, np.uint8)
    for part, mask in layers:
        label[mask] = STREET_LABEL_IDS[PART_CLASS[part]]
    return label


def render_street(rng: np.random.Generator, layers: List[Tuple[str, np.ndarray]],
                  style: Dict) -> np.ndarray:
    """Colour the layers in ``style`` (:data:`SYNTHETIC` or :data:`REAL`): ``uint8 [H, W, 3]``."""
    h, w = layers[0][1].shape
    yy, _ = coords(h, w)
    img = np.zeros((h, w, 3), np.float32)
    noise_cache = {}

    def texture(cell):
        if cell not in noise_cache:
            noise_cache[cell] = (smooth_noise(rng, h, w, cell) if cell >= 2
                                 else rng.uniform(-1, 1, (h, w)).astype(np.float32))
        return noise_cache[cell]

    shading = 1 + style['shading'] * smooth_noise(rng, h, w, 24)
    for part, mask in layers:
        if not mask.any():
            continue
        choices = style['colours'][part]
        rgb = jitter_colour(rng, choices[rng.integers(len(choices))], style['jitter'])
        gain = shading[mask]
        if part in style['texture']:
            amp, cell = style['texture'][part]
            gain = gain * (1 + amp * texture(cell)[mask])
        if part == 'sky':
            gain = gain * (1 + style['sky_gradient'] / 255 * (yy[mask] / h))
        img[mask] = rgb * gain[:, None]
    return to_uint8(_camera(rng, img, style))


def _camera(rng: np.random.Generator, img: np.ndarray, style: Dict) -> np.ndarray:
    """Per-image photometric effects: cast, gamma, desaturation, blur, vignette, noise."""
    h, w = img.shape[:2]
    if style['cast']:
        img = img * (1 + rng.uniform(-style['cast'], style['cast'], 3))
    lo, hi = style['gamma']
    if hi > lo:
        img = 255 * (np.clip(img, 0, 255) / 255) ** rng.uniform(lo, hi)
    if style['desaturate']:
        grey = img.mean(-1, keepdims=True)
        img = img + style['desaturate'] * (grey - img)
    img = box_blur(img, style['blur'])
    if style['vignette']:
        yy, xx = coords(h, w)
        r2 = ((yy / h - 0.5) ** 2 + (xx / w - 0.5) ** 2) / 0.5
        img = img * (1 - style['vignette'] * r2)[..., None]
    return img + rng.normal(0, style['noise'], img.shape)
