"""Object scenes: coloured shapes on neutral backgrounds, with colour and shape label maps.

Layout written by :func:`write_object_scenes` (mmseg ``BaseSegDataset`` style plus COCO
captions)::

    objects/images/{train,val}/000000.png           64x64 RGB
    objects/labels_colour/{train,val}/000000.png    0 background, i+1 = COLOUR_NAMES[i]
    objects/labels_shape/{train,val}/000000.png     0 background, i+1 = SHAPE_NAMES[i]
    objects/annotations/captions_{train,val}.json   COCO captions (images, annotations)
    objects/annotations/objects_{train,val}.json    per image: colour, shape, area, bbox
    objects/meta.json                               class names, palettes, held-out names

The train split never shows the held-out colours/shapes (see :mod:`.vocabulary`).
"""
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np

from .captions import object_captions
from .drawing import coords, jitter_colour, shape_mask, smooth_noise, to_uint8
from .io import image_rng, save_json, save_png, write_coco_captions
from .vocabulary import (COLOUR_NAMES, COLOURS, SEEN_COLOURS, SEEN_SHAPES, SHAPE_NAMES,
                         UNSEEN_COLOURS, UNSEEN_SHAPES)

OBJECT_SPLITS = {'train': (SEEN_COLOURS, SEEN_SHAPES), 'val': (COLOUR_NAMES, SHAPE_NAMES)}


def _place(rng, n: int, size: int) -> List[Tuple[float, float, float]]:
    """Up to ``n`` non-overlapping (cy, cx, r) discs inside a ``size`` square (rejection)."""
    placed = []
    r_lo, r_hi = (11, 22) if n == 1 else ((8, 16) if n == 2 else (7, 13))
    for _ in range(40):
        if len(placed) == n:
            break
        r = rng.uniform(r_lo, r_hi)
        cy, cx = rng.uniform(0.85 * r, size - 0.85 * r, 2)
        if all(np.hypot(cy - y, cx - x) > 0.95 * (r + q) for y, x, q in placed):
            placed.append((cy, cx, r))
    return placed


def render_object_scene(rng: np.random.Generator, size: int = 64,
                        colours: Sequence[str] = COLOUR_NAMES, shapes: Sequence[str] = SHAPE_NAMES,
                        n_objects: int = None):
    """Render one scene of 1-3 objects with distinct colours.

    Returns:
        image ``uint8 [S, S, 3]``, colour labels ``uint8 [S, S]``, shape labels ``uint8 [S, S]``,
        the objects (dicts with ``colour``, ``shape``, ``area``, ``bbox`` [x, y, w, h]) and the
        background grey level.
    """
    yy, xx = coords(size, size)
    gray = rng.uniform(60, 200)
    tint = rng.uniform(-10, 10, 3)
    base = gray + 22 * smooth_noise(rng, size, size, rng.uniform(12, 40))
    img = base[..., None] + tint + 0.1 * (yy[..., None] - size / 2) * rng.uniform(-1, 1)
    colour_lbl = np.zeros((size, size), np.uint8)
    shape_lbl = np.zeros((size, size), np.uint8)
    n = n_objects or int(rng.choice([1, 2, 3], p=[0.35, 0.4, 0.25]))
    chosen = rng.choice(len(colours), size=min(n, len(colours)), replace=False)
    objects = []
    shading = 1 + 0.12 * smooth_noise(rng, size, size, 16)
    for (cy, cx, r), ci in zip(_place(rng, n, size), chosen):
        colour, shape = colours[ci], shapes[rng.integers(len(shapes))]
        mask = shape_mask(shape, yy, xx, cy, cx, r, rng.uniform(0, 2 * np.pi))
        rgb = jitter_colour(rng, COLOURS[colour], 18)
        img[mask] = rgb * shading[mask][:, None]
        colour_lbl[mask] = COLOUR_NAMES.index(colour) + 1
        shape_lbl[mask] = SHAPE_NAMES.index(shape) + 1
        objects.append(dict(colour=colour, shape=shape))
    img = img + rng.normal(0, 3, img.shape)
    kept = []
    for o in objects:  # visible area and box after occlusion (a fully hidden object is dropped)
        vis = colour_lbl == COLOUR_NAMES.index(o['colour']) + 1
        if not vis.any():
            continue
        ys, xs = np.nonzero(vis)
        o.update(area=int(vis.sum()), bbox=[int(xs.min()), int(ys.min()),
                                           int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)])
        kept.append(o)
    return to_uint8(img), colour_lbl, shape_lbl, kept, float(gray)


def object_meta() -> Dict:
    """Class lists and palettes of the two label maps and the held-out names."""
    return dict(
        colour_classes=['background', *COLOUR_NAMES],
        colour_palette=[[0, 0, 0], *[list(COLOURS[c]) for c in COLOUR_NAMES]],
        shape_classes=['background', *SHAPE_NAMES],
        unseen_colours=list(UNSEEN_COLOURS), unseen_shapes=list(UNSEEN_SHAPES),
        note='train split shows only seen colours/shapes; val shows all; label 0 = background')


def write_object_scenes(root: str, seed: int, counts: Dict[str, int]) -> Dict[str, int]:
    """Write the ``objects/`` tree (see module docstring); returns images per split."""
    out = osp.join(root, 'objects')
    for split, n in counts.items():
        colours, shapes = OBJECT_SPLITS[split]
        records, objects_json = [], []
        for i in range(n):
            rng = image_rng(seed, 'objects', split, i)
            img, colour_lbl, shape_lbl, objs, gray = render_object_scene(rng, 64, colours, shapes)
            name = f'{i:06d}.png'
            save_png(osp.join(out, 'images', split, name), img)
            save_png(osp.join(out, 'labels_colour', split, name), colour_lbl)
            save_png(osp.join(out, 'labels_shape', split, name), shape_lbl)
            records.append(dict(file_name=f'{split}/{name}', height=64, width=64,
                                captions=object_captions(rng, objs, gray)))
            objects_json.append(dict(file_name=f'{split}/{name}', objects=objs))
        write_coco_captions(osp.join(out, 'annotations', f'captions_{split}.json'), records)
        save_json(osp.join(out, 'annotations', f'objects_{split}.json'), objects_json)
    save_json(osp.join(out, 'meta.json'), object_meta())
    return dict(counts)
