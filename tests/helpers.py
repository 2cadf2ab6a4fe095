"""Small data writers shared by the tests."""
import os
import os.path as osp

import numpy as np
from PIL import Image

COLOURS = np.array([[0, 0, 0], [230, 40, 40], [40, 200, 60], [40, 60, 230]], dtype=np.uint8)


def shapes_sample(rng, size=(64, 96)):
    """One image with coloured rectangles/discs on a noisy background and its label map."""
    h, w = size
    label = np.zeros((h, w), np.uint8)
    yy, xx = np.mgrid[:h, :w]
    for cls in rng.permutation([1, 2, 3])[:rng.integers(1, 4)]:
        cy, cx = rng.integers(12, h - 12), rng.integers(12, w - 12)
        r = rng.integers(10, 20)
        if rng.random() < 0.5:
            mask = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
        else:
            mask = (abs(yy - cy) < r) & (abs(xx - cx) < r * 0.7)
        label[mask] = cls
    img = COLOURS[label].astype(np.int16) + rng.integers(-25, 26, (h, w, 3))
    bg = label == 0
    img[bg] = rng.integers(90, 160, (int(bg.sum()), 3))
    return np.clip(img, 0, 255).astype(np.uint8), label


def write_shapes_dataset(root, n_train=16, n_val=4, seed=0):
    """Write ``img_dir/{train,val}/*.png`` and ``ann_dir/{train,val}/*.png`` (4 classes)."""
    rng = np.random.default_rng(seed)
    for split, n in (('train', n_train), ('val', n_val)):
        os.makedirs(osp.join(root, 'img_dir', split), exist_ok=True)
        os.makedirs(osp.join(root, 'ann_dir', split), exist_ok=True)
        for i in range(n):
            img, label = shapes_sample(rng)
            Image.fromarray(img).save(osp.join(root, 'img_dir', split, f'{i:04d}.png'))
            Image.fromarray(label).save(osp.join(root, 'ann_dir', split, f'{i:04d}.png'))
    return root
