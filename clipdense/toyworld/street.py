"""Street scenes in two domains, written exactly like GTA5 (source) and Cityscapes (target).

::

    gta5/images/00001.png                    128x256 RGB, "synthetic" rendering
    gta5/labels/00001.png                    Cityscapes label ids (0 unlabeled, 7 road, ...)
    gta5/labels/00001_labelTrainIds.png      the same as train ids (0..18, 255), as DAFormer's
                                             GTA converter writes them
    gta5/toy_splits/{train,val}.txt          a source-train / source-val split (names)
    cityscapes/leftImg8bit/{train,val}/<city>/<city>_000000_00000N_leftImg8bit.png
    cityscapes/gtFine/{train,val}/<city>/<city>_000000_00000N_gtFine_labelIds.png
    cityscapes/gtFine/{train,val}/<city>/<city>_000000_00000N_gtFine_labelTrainIds.png

mmseg's ``CityscapesDataset`` reads the Cityscapes tree unchanged.
"""
import os
import os.path as osp
from typing import Dict, Tuple

import numpy as np

from .io import image_rng, save_png
from .street_layout import sample_street_layout
from .street_render import STYLES, layers_to_label_ids, render_street
from .vocabulary import label_ids_to_train_ids

STREET_SIZE = (128, 256)  # H, W
CITIES = {'train': ('aachen', 'bochum'), 'val': ('frankfurt', 'lindau')}


def render_street_sample(rng: np.random.Generator, domain: str,
                         size: Tuple[int, int] = STREET_SIZE) -> Tuple[np.ndarray, np.ndarray]:
    """One street scene: ``uint8 [H, W, 3]`` image and ``uint8 [H, W]`` Cityscapes label ids.
    ``domain``: ``'synthetic'`` (GTA5 stand-in) or ``'real'`` (Cityscapes stand-in)."""
    layers = sample_street_layout(rng, *size, ego_vehicle=domain == 'real')
    return render_street(rng, layers, STYLES[domain]), layers_to_label_ids(layers)


def write_gta5(root: str, seed: int, n_images: int, n_val: int) -> Dict[str, int]:
    """Write the GTA5-layout source domain; the last ``n_val`` images form the source-val split."""
    out = osp.join(root, 'gta5')
    names = []
    for i in range(n_images):
        name = f'{i + 1:05d}'
        img, label_ids = render_street_sample(image_rng(seed, 'gta5', 'all', i), 'synthetic')
        save_png(osp.join(out, 'images', name + '.png'), img)
        save_png(osp.join(out, 'labels', name + '.png'), label_ids)
        save_png(osp.join(out, 'labels', name + '_labelTrainIds.png'), label_ids_to_train_ids(label_ids))
        names.append(name)
    os.makedirs(osp.join(out, 'toy_splits'), exist_ok=True)
    for split, subset in (('train', names[:n_images - n_val]), ('val', names[n_images - n_val:])):
        with open(osp.join(out, 'toy_splits', f'{split}.txt'), 'w') as f:
            f.write('\n'.join(subset) + '\n')
    return dict(train=n_images - n_val, val=n_val)


def cityscapes_name(split: str, index: int) -> Tuple[str, str]:
    """(city, file stem) of the ``index``-th image of a split, e.g. ``aachen_000000_000001``."""
    city = CITIES[split][index % len(CITIES[split])]
    return city, f'{city}_000000_{index + 1:06d}'


def write_cityscapes(root: str, seed: int, counts: Dict[str, int]) -> Dict[str, int]:
    """Write the Cityscapes-layout target domain (``counts``: images per split)."""
    out = osp.join(root, 'cityscapes')
    for split, n in counts.items():
        for i in range(n):
            city, stem = cityscapes_name(split, i)
            img, label_ids = render_street_sample(image_rng(seed, 'cityscapes', split, i), 'real')
            save_png(osp.join(out, 'leftImg8bit', split, city, stem + '_leftImg8bit.png'), img)
            gt = osp.join(out, 'gtFine', split, city, stem)
            save_png(gt + '_gtFine_labelIds.png', label_ids)
            save_png(gt + '_gtFine_labelTrainIds.png', label_ids_to_train_ids(label_ids))
    return dict(counts)
