"""The CLIP pretraining corpus (image-caption pairs) and the unlabeled image pool.

::

    clip_pretrain/images/000000.png        64x64 RGB
    clip_pretrain/captions.json            COCO captions, 4-5 per image
    pool/000000.jpg                        64x64 RGB, no labels (ReCo-style retrieval pool)

The corpus is the toy stand-in for web image-text data: object scenes with every colour and
shape (held-out names included), surfaces with and without scratches/holes/stains (never the
MVTec categories), street scenes of both domains (whole scenes at half scale, and crops at full
scale centred on one thing: "a car", "trees", ... -- the object-centric street photos a web
corpus holds in every style, which is where a real CLIP's robustness to the domain comes from)
and tools. It shares no image with the
evaluation splits (separate random streams).
"""
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np

from .affordance import HANDLE_COLOURS, instance_colours, render_tool
from .captions import (object_captions, street_captions, street_thing_captions, surface_captions,
                       tool_captions)
from .drawing import to_uint8
from .io import image_rng, save_jpg, save_png, write_coco_captions
from .objects import render_object_scene
from .street import render_street_sample
from .surfaces import add_defect, render_surface
from .vocabulary import MVTEC_DEFECTS, PRETRAIN_SURFACES, STREET_CLASSES, STREET_LABEL_IDS, TOOL_PARTS

PRETRAIN_MIX = (('objects', 0.64), ('surface', 0.1), ('street', 0.06), ('street_thing', 0.16),
                ('tool', 0.04))
POOL_MIX = (('objects', 0.6), ('street', 0.2), ('tool', 0.2))


def _present(label_ids: np.ndarray, min_fraction: float) -> List[str]:
    """Street classes covering at least ``min_fraction`` of ``label_ids`` (Cityscapes label ids)."""
    return [c for c in STREET_CLASSES if (label_ids == STREET_LABEL_IDS[c]).mean() >= min_fraction]


def _street_crop(rng) -> Tuple[np.ndarray, List[str]]:
    domain = 'synthetic' if rng.random() < 0.5 else 'real'
    img, label_ids = render_street_sample(rng, domain, (64, 128))
    x0 = int(rng.integers(0, 65))
    img, label_ids = img[:, x0:x0 + 64], label_ids[:, x0:x0 + 64]
    present = _present(label_ids, 0.04)
    return img, present


def street_thing_crop(rng) -> Tuple[np.ndarray, np.ndarray, str]:
    """A full-scale ``uint8 [64, 64, 3]`` crop of a street scene (either domain) centred on a pixel
    of one of its classes (rarer classes more often); returns the crop, its ``[64, 64]`` label
    ids and that class's name."""
    domain = 'synthetic' if rng.random() < 0.5 else 'real'
    img, label_ids = render_street_sample(rng, domain)
    h, w = label_ids.shape
    present = _present(label_ids, 0.002)
    weights = np.array([1.0 / max((label_ids == STREET_LABEL_IDS[c]).mean(), 0.02) for c in present])
    focus = present[rng.choice(len(present), p=weights / weights.sum())]
    ys, xs = np.nonzero(label_ids == STREET_LABEL_IDS[focus])
    k = int(rng.integers(len(ys)))
    y0 = int(np.clip(ys[k] - 32, 0, h - 64))
    x0 = int(np.clip(xs[k] - 32, 0, w - 64))
    return img[y0:y0 + 64, x0:x0 + 64], label_ids[y0:y0 + 64, x0:x0 + 64], focus


def _tool(rng) -> Tuple[np.ndarray, str, str]:
    tool = list(TOOL_PARTS)[rng.integers(len(TOOL_PARTS))]
    first, second = instance_colours(rng, tool)
    colour = next(name for name, rgb in HANDLE_COLOURS.items() if tuple(rgb) == tuple(first))
    img, _ = render_tool(rng, tool, (first, second), size=(64, 64))
    return img, tool, colour


def corpus_sample(rng: np.random.Generator, mix) -> Tuple[np.ndarray, List[str]]:
    """One ``uint8 [64, 64, 3]`` image of a kind drawn from ``mix`` and its captions."""
    kinds, probs = zip(*mix)
    kind = kinds[rng.choice(len(kinds), p=np.asarray(probs) / sum(probs))]
    if kind == 'objects':
        img, _, _, objs, gray = render_object_scene(rng, 64)
        return img, object_captions(rng, objs, gray)
    if kind == 'surface':
        surface = PRETRAIN_SURFACES[rng.integers(len(PRETRAIN_SURFACES))]
        img, region = render_surface(rng, surface, 64)
        defect = 'good' if rng.random() < 0.4 else MVTEC_DEFECTS[rng.integers(len(MVTEC_DEFECTS))]
        if defect != 'good':
            add_defect(rng, img, region, defect)
        return to_uint8(img), surface_captions(surface, defect)
    if kind == 'street':
        img, present = _street_crop(rng)
        return img, street_captions(rng, present)
    if kind == 'street_thing':
        img, label_ids, focus = street_thing_crop(rng)
        shown = _present(label_ids, 0.04)
        return img, street_thing_captions(rng, focus, shown)
    img, tool, colour = _tool(rng)
    return img, tool_captions(tool, colour)


def write_clip_pretrain(root: str, seed: int, n_images: int) -> Dict[str, int]:
    """Write ``clip_pretrain/`` (see module docstring)."""
    out = osp.join(root, 'clip_pretrain')
    records = []
    for i in range(n_images):
        img, captions = corpus_sample(image_rng(seed, 'clip_pretrain', 'all', i), PRETRAIN_MIX)
        name = f'{i:06d}.png'
        save_png(osp.join(out, 'images', name), img)
        records.append(dict(file_name=name, height=64, width=64, captions=captions))
    write_coco_captions(osp.join(out, 'captions.json'), records)
    return dict(images=n_images)


def write_pool(root: str, seed: int, n_images: int) -> Dict[str, int]:
    """Write ``pool/`` (unlabeled images for retrieval)."""
    for i in range(n_images):
        img, _ = corpus_sample(image_rng(seed, 'pool', 'all', i), POOL_MIX)
        save_jpg(osp.join(root, 'pool', f'{i:06d}.jpg'), img)
    return dict(images=n_images)
