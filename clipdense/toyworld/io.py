"""Deterministic random streams and file writers of the toy world.

Every image draws from its own generator keyed by (seed, part, split, index), so a part
renders the same bytes whatever else is generated and in whatever order.
"""
import json
import os
import os.path as osp
import zlib
from typing import Dict, List

import numpy as np
from PIL import Image


def image_rng(seed: int, part: str, split: str, index: int) -> np.random.Generator:
    """The random generator of one image (stable across runs, processes and platforms)."""
    key = [int(seed), zlib.crc32(part.encode()), zlib.crc32(split.encode()), int(index)]
    return np.random.default_rng(key)


def save_png(path: str, array: np.ndarray) -> None:
    """Write a ``uint8`` ``[H, W]`` or ``[H, W, 3]`` array as PNG (fixed compression)."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(array).save(path, compress_level=6)


def save_jpg(path: str, array: np.ndarray) -> None:
    """Write a ``uint8 [H, W, 3]`` array as JPEG (quality 95)."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(array).save(path, quality=95)


def save_json(path: str, obj) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(obj, f, indent=1, sort_keys=True)


def write_coco_captions(path: str, records: List[Dict]) -> None:
    """Write a COCO-captions file. ``records``: dicts with ``file_name``, ``height``, ``width``
    and ``captions`` (list of str); image ids are 1-based positions, caption ids run on."""
    images, annotations = [], []
    for image_id, rec in enumerate(records, 1):
        images.append(dict(id=image_id, file_name=rec['file_name'], height=rec['height'],
                           width=rec['width']))
        for caption in rec['captions']:
            annotations.append(dict(id=len(annotations) + 1, image_id=image_id, caption=caption))
    save_json(path, dict(info=dict(description='clipdense toy world'), images=images,
                         annotations=annotations))


def read_coco_captions(path: str) -> Dict[str, List[str]]:
    """``{file_name: [captions]}`` from a COCO-captions file."""
    with open(path) as f:
        data = json.load(f)
    by_id = {im['id']: im['file_name'] for im in data['images']}
    out = {name: [] for name in by_id.values()}
    for ann in data['annotations']:
        out[by_id[ann['image_id']]].append(ann['caption'])
    return out
