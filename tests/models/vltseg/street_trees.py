"""Tiny street-scene datasets written in the real on-disk layouts of GTA5, Cityscapes, BDD100K,
Mapillary Vistas v1.2 and ACDC (file names, folders, PNG modes), for the VLTSeg tests.

Labels are random per ``block`` x ``block`` cell; images paint each cell with the colour of
its Cityscapes train id (plus noise), so a segmentor can learn them.
"""
import os
import os.path as osp

import numpy as np
from PIL import Image

# The 34 Cityscapes label ids and their names (cityscapesScripts labels.py).
CITYSCAPES_LABEL_NAMES = (
    'unlabeled', 'ego vehicle', 'rectification border', 'out of roi', 'static', 'dynamic',
    'ground', 'road', 'sidewalk', 'parking', 'rail track', 'building', 'wall', 'fence',
    'guard rail', 'bridge', 'tunnel', 'pole', 'polegroup', 'traffic light', 'traffic sign',
    'vegetation', 'terrain', 'sky', 'person', 'rider', 'car', 'truck', 'bus', 'caravan',
    'trailer', 'train', 'motorcycle', 'bicycle')
TRAIN_COLOURS = np.random.default_rng(123).integers(0, 256, (256, 3)).astype(np.uint8)


def _palette_png(path, ids):
    """Save ``ids`` [H, W] uint8 as an 8-bit palette PNG (as GTA5 / Vistas labels are)."""
    img = Image.fromarray(ids.astype(np.uint8), mode='P')
    img.putpalette(np.random.default_rng(0).integers(0, 256, 768).astype(np.uint8).tolist())
    os.makedirs(osp.dirname(path), exist_ok=True)
    img.save(path)


def _save(path, array):
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(array).save(path)


def block_labels(rng, values, size, block=8):
    """``[H, W]`` labels drawn from ``values``, constant on ``block`` x ``block`` cells."""
    h, w = size
    cells = rng.choice(np.asarray(values), size=(-(-h // block), -(-w // block)))
    return np.kron(cells, np.ones((block, block), dtype=cells.dtype))[:h, :w].astype(np.uint8)


def paint(rng, train_ids):
    """An RGB image whose pixels are the colour of their train id plus noise."""
    img = TRAIN_COLOURS[train_ids].astype(np.int16) + rng.integers(-20, 21, train_ids.shape + (3,))
    return np.clip(img, 0, 255).astype(np.uint8)


def cityscapes_id_to_train_id():
    """Expected mapping derived from the class *names* (independent of clipdense's table)."""
    from mmseg.datasets import CityscapesDataset
    classes = list(CityscapesDataset.METAINFO['classes'])
    lut = np.full(256, 255, np.uint8)
    for label_id, name in enumerate(CITYSCAPES_LABEL_NAMES):
        if name in classes:
            lut[label_id] = classes.index(name)
    return lut


def write_gta5(root, n=3, size=(64, 128), seed=0, block=8):
    """``images/0000i.png`` + ``labels/0000i.png`` (palette PNG of label ids 0..33)."""
    rng, lut = np.random.default_rng(seed), cityscapes_id_to_train_id()
    for i in range(1, n + 1):
        ids = block_labels(rng, range(34), size, block)
        _save(osp.join(root, 'images', f'{i:05d}.png'), paint(rng, lut[ids]))
        _palette_png(osp.join(root, 'labels', f'{i:05d}.png'), ids)
    return root


def write_cityscapes(root, counts=(('train', 2), ('val', 2)), size=(64, 128), seed=1, block=8):
    """``leftImg8bit/<split>/<city>/*_leftImg8bit.png`` + ``gtFine/..._gtFine_label{Ids,TrainIds}.png``."""
    rng, lut = np.random.default_rng(seed), cityscapes_id_to_train_id()
    for split, n in counts:
        for i in range(n):
            city = ('aachen', 'bremen')[i % 2] if split == 'train' else ('frankfurt', 'lindau')[i % 2]
            stem = f'{city}_000000_{i:06d}'
            ids = block_labels(rng, range(34), size, block)
            _save(osp.join(root, 'leftImg8bit', split, city, stem + '_leftImg8bit.png'), paint(rng, lut[ids]))
            gt = osp.join(root, 'gtFine', split, city, stem)
            _save(gt + '_gtFine_labelIds.png', ids)
            _save(gt + '_gtFine_labelTrainIds.png', lut[ids])
    return root


def write_bdd100k(root, n=2, split='val', size=(72, 128), seed=2, block=8):
    """``images/10k/<split>/<name>.jpg`` + ``labels/sem_seg/masks/<split>/<name>.png`` (train ids)."""
    rng = np.random.default_rng(seed)
    for i in range(n):
        name = f'{i:08x}-{i + 7:08x}'
        train_ids = block_labels(rng, list(range(19)) + [255], size, block)
        _save(osp.join(root, 'images', '10k', split, name + '.jpg'), paint(rng, train_ids))
        _save(osp.join(root, 'labels', 'sem_seg', 'masks', split, name + '.png'), train_ids)
    return root


def write_mapillary(root, n=2, split='validation', size=(96, 128), seed=3, block=8,
                    vistas_to_train=None):
    """``<split>/images/<key>.jpg`` + ``<split>/labels/<key>.png`` (palette PNG of v1.2 ids 0..65)."""
    rng = np.random.default_rng(seed)
    lut = np.full(256, 255, np.uint8)
    for vid, tid in (vistas_to_train or {}).items():
        lut[vid] = tid
    for i in range(n):
        key = f'key{i:04d}Xy'
        ids = block_labels(rng, range(66), size, block)
        _save(osp.join(root, split, 'images', key + '.jpg'), paint(rng, lut[ids]))
        _palette_png(osp.join(root, split, 'labels', key + '.png'), ids)
    return root


def write_acdc(root, conditions=('fog', 'night', 'rain', 'snow'), split='val', n=1,
               size=(54, 96), seed=4, block=6):
    """``rgb_anon/<cond>/<split>/<seq>/<frame>_rgb_anon.png`` + ``gt/.../<frame>_gt_labelTrainIds.png``."""
    rng, lut = np.random.default_rng(seed), cityscapes_id_to_train_id()
    for c, condition in enumerate(conditions):
        for i in range(n):
            seq = f'GOPR{400 + c:04d}'
            frame = f'{seq}_frame_{i:06d}'
            ids = block_labels(rng, range(34), size, block)
            _save(osp.join(root, 'rgb_anon', condition, split, seq, frame + '_rgb_anon.png'),
                  paint(rng, lut[ids]))
            gt = osp.join(root, 'gt', condition, split, seq, frame)
            _save(gt + '_gt_labelIds.png', ids)
            _save(gt + '_gt_labelTrainIds.png', lut[ids])
    return root
