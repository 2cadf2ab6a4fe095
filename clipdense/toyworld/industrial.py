"""Industrial inspection images laid out exactly like MVTec AD::

    mvtec/<category>/train/good/000.png
    mvtec/<category>/test/good/000.png
    mvtec/<category>/test/<defect>/000.png
    mvtec/<category>/ground_truth/<defect>/000_mask.png     0 normal, 255 defect

Categories: ``fabric`` (a texture) and ``washer`` (an object); defects: scratch, hole, stain.
"""
import os.path as osp
from typing import Dict

import numpy as np

from .drawing import to_uint8
from .io import image_rng, save_png
from .surfaces import add_defect, render_surface
from .vocabulary import MVTEC_CATEGORIES, MVTEC_DEFECTS

MVTEC_SIZE = 128


def write_mvtec(root: str, seed: int, n_train: int, n_test_good: int,
                n_per_defect: int) -> Dict[str, int]:
    """Write both categories; returns the number of images per category and split."""
    counts = {}
    for cat in MVTEC_CATEGORIES:
        out = osp.join(root, 'mvtec', cat)
        groups = [('train', 'good', n_train), ('test', 'good', n_test_good)]
        groups += [('test', d, n_per_defect) for d in MVTEC_DEFECTS]
        for split, defect, n in groups:
            for i in range(n):
                rng = image_rng(seed, f'mvtec/{cat}', f'{split}/{defect}', i)
                img, region = render_surface(rng, cat, MVTEC_SIZE)
                if defect != 'good':
                    mask = add_defect(rng, img, region, defect)
                    save_png(osp.join(out, 'ground_truth', defect, f'{i:03d}_mask.png'),
                             mask.astype(np.uint8) * 255)
                save_png(osp.join(out, split, defect, f'{i:03d}.png'), to_uint8(img))
            counts[f'{cat}/{split}/{defect}'] = n
    return counts
