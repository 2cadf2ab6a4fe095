"""Saving per-image float maps for ``tools/test.py --out`` (metrics whose outputs are not labels).

``IoUMetric`` writes label PNGs; anomaly and affordance maps are scores, so the evaluators write
them losslessly as ``float32`` ``.npy`` files, one per prediction, under
``<output_dir>/<group>/<stem>.npy``: the group keeps apart images that share a file name
(MVTec AD's ``000.png`` of every category and defect type; one AGD20K image under several
affordances).
"""
import os
import os.path as osp
import re
from typing import Sequence

import numpy as np


def _safe(part: str) -> str:
    return re.sub(r'[^A-Za-z0-9._-]+', '_', str(part)).strip('_') or '_'


def save_float_map(output_dir: str, groups: Sequence[str], img_path: str, data: np.ndarray) -> str:
    """Write ``data`` (e.g. an anomaly map ``[H, W]``) as float32 to
    ``<output_dir>/<groups...>/<stem of img_path>.npy`` and return that path."""
    folder = osp.join(output_dir, *[_safe(g) for g in groups if g not in (None, '')])
    os.makedirs(folder, exist_ok=True)
    stem = osp.splitext(osp.basename(img_path or 'image'))[0]
    path = osp.join(folder, f'{_safe(stem)}.npy')
    np.save(path, np.asarray(data, dtype=np.float32))
    return path
