"""Tools with part-affordance masks, laid out like the UMD part-affordance dataset::

    umd/<tool>/<tool>_0K/<tool>_0K_0000000N_rgb.jpg
    umd/<tool>/<tool>_0K/<tool>_0K_0000000N_label.mat     ``gt_label``: uint8 [H, W] affordance ids

Affordance ids follow UMD (1 grasp, 2 cut, 3 scoop, 4 contain, 5 pound, 6 support,
7 wrap-grasp; 0 background). Each tool instance ``_0K`` keeps its colours across frames;
frames vary position, scale and orientation.
"""
import os
import os.path as osp
from typing import Dict, Tuple

import numpy as np
import scipy.io

from .drawing import coords, ellipse_mask, smooth_noise, to_uint8
from .io import image_rng, save_jpg
from .vocabulary import AFFORDANCE_IDS, TOOL_PARTS

UMD_SIZE = (72, 96)  # H, W (UMD's 4:3)
HANDLE_COLOURS = {'black': (30, 30, 30), 'brown': (120, 70, 35), 'red': (190, 40, 40),
                  'blue': (40, 70, 170), 'green': (40, 130, 60)}
METAL = (175, 178, 185)


def _tool_part_masks(tool: str, u: np.ndarray, v: np.ndarray, L: float):
    """Masks of a tool's (first, second) parts in tool coordinates ``u`` (along), ``v`` (across)."""
    if tool == 'knife':
        handle = (u >= -0.5 * L) & (u < -0.08 * L) & (np.abs(v) <= 0.07 * L)
        t = np.clip((u + 0.08 * L) / (0.58 * L), 0, 1)
        blade = (u >= -0.08 * L) & (u <= 0.5 * L) & (v >= -0.1 * L * (1 - t ** 2)) & (v <= 0.03 * L)
        return handle, blade
    if tool == 'hammer':
        handle = (u >= -0.5 * L) & (u < 0.32 * L) & (np.abs(v) <= 0.05 * L)
        head = (u >= 0.32 * L) & (u <= 0.5 * L) & (np.abs(v) <= 0.24 * L)
        return handle, head
    if tool == 'spoon':
        handle = (u >= -0.5 * L) & (u < 0.1 * L) & (np.abs(v) <= 0.04 * L)
        bowl = ((u - 0.3 * L) / (0.21 * L)) ** 2 + (v / (0.13 * L)) ** 2 <= 1
        return handle & ~bowl, bowl
    if tool == 'cup':  # upright: u points up the cup, the handle sticks out at +v
        body = (np.abs(u) <= 0.3 * L) & (np.abs(v) <= 0.22 * L)
        ring = np.hypot(u, v - 0.27 * L)
        body |= (ring <= 0.14 * L) & (ring >= 0.07 * L) & (v > 0.22 * L)
        opening = ((u - 0.27 * L) / (0.05 * L)) ** 2 + (v / (0.2 * L)) ** 2 <= 1
        return body & ~opening, opening
    raise ValueError(f'unknown tool {tool!r}')


def render_tool(rng: np.random.Generator, tool: str, colours: Tuple, size=UMD_SIZE):
    """One tool on a table: ``uint8 [H, W, 3]`` image and ``uint8 [H, W]`` affordance ids."""
    h, w = size
    yy, xx = coords(h, w)
    table = np.asarray((185, 170, 145), np.float32) + rng.uniform(-15, 15, 3)
    img = table * (1 + 0.08 * smooth_noise(rng, h, w, 10))[..., None]
    L = rng.uniform(0.55, 0.8) * min(h, w) * (0.9 if tool == 'cup' else 1.25)
    cy, cx = h / 2 + rng.uniform(-0.1, 0.1) * h, w / 2 + rng.uniform(-0.12, 0.12) * w
    angle = rng.uniform(-0.25, 0.25) - np.pi / 2 if tool == 'cup' else rng.uniform(0, 2 * np.pi)
    u = (xx - cx) * np.cos(angle) + (yy - cy) * np.sin(angle)
    v = -(xx - cx) * np.sin(angle) + (yy - cy) * np.cos(angle)
    label = np.zeros((h, w), np.uint8)
    shadow = ellipse_mask(yy, xx, cy + 3, cx + 3, 0.35 * L, 0.35 * L)
    img[shadow] *= 0.9
    shading = 1 + 0.12 * (u / L)
    for mask, rgb, (_, affordance) in zip(_tool_part_masks(tool, u, v, L), colours, TOOL_PARTS[tool]):
        img[mask] = np.asarray(rgb, np.float32) * shading[mask][:, None]
        label[mask] = AFFORDANCE_IDS[affordance]
    return to_uint8(img + rng.normal(0, 3, img.shape)), label


def instance_colours(rng: np.random.Generator, tool: str) -> Tuple:
    """The fixed colours of one tool instance: (first part, second part)."""
    first = list(HANDLE_COLOURS.values())[rng.integers(len(HANDLE_COLOURS))]
    if tool == 'cup':
        return first, tuple(int(c * 0.45) for c in first)
    second = (70, 70, 75) if tool == 'hammer' else METAL
    return first, second


def write_umd(root: str, seed: int, n_instances: int, n_frames: int) -> Dict[str, int]:
    """Write ``umd/`` (see module docstring)."""
    counts = {}
    for tool in TOOL_PARTS:
        for k in range(1, n_instances + 1):
            inst = f'{tool}_{k:02d}'
            colours = instance_colours(image_rng(seed, 'umd-instance', inst, 0), tool)
            folder = osp.join(root, 'umd', tool, inst)
            os.makedirs(folder, exist_ok=True)
            for f in range(1, n_frames + 1):
                img, label = render_tool(image_rng(seed, 'umd', inst, f), tool, colours)
                stem = osp.join(folder, f'{inst}_{f:08d}')
                save_jpg(stem + '_rgb.jpg', img)
                scipy.io.savemat(stem + '_label.mat', {'gt_label': label}, do_compression=True)
            counts[inst] = n_frames
    return counts
