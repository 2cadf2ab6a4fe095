"""Write referring-segmentation data in the released RefCOCO layout, so that
``mmdet.RefCocoDataset`` (and so AffordanceCLIP's training config) reads it unchanged::

    <root>/train2014/<name>.jpg
    <root>/<dataset>/instances.json      COCO images + annotations (polygon segmentations)
    <root>/<dataset>/refs(<split_by>).p   pickled refs: ref_id, ann_id, image_id, split, sentences

Used to turn the toy world (or any labelled images) into AffordanceCLIP's proxy task and by the
tests, which need tiny trees in the real format.
"""
import json
import os
import os.path as osp
import pickle
from typing import Iterable, List, Sequence, Tuple

import cv2
import numpy as np


def mask_to_polygons(mask: np.ndarray) -> List[List[float]]:
    """Binary ``[H, W]`` -> COCO polygons (outer contours, >= 3 points each)."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    return [c.reshape(-1).astype(float).tolist() for c in contours if len(c) >= 3]


def write_refcoco(root: str, samples: Iterable[dict], dataset: str = 'refcocog',
                  split_by: str = 'umd') -> dict:
    """Write ``samples`` as a RefCOCO-style tree.

    Args:
        root: output folder.
        samples: dicts with ``image`` (``uint8 [H, W, 3]`` RGB), ``split`` (``'train'``,
            ``'val'``, ...) and ``refs``: a list of ``(sentences, mask)`` with ``mask`` a
            binary ``[H, W]`` array and ``sentences`` a list of strings.
        dataset: sub-folder name (``refcoco``, ``refcoco+``, ``refcocog``).
        split_by: the ``refs(<split_by>).p`` suffix (``unc``, ``umd``, ``google``).
    Returns:
        counts per split of images and refs.
    """
    os.makedirs(osp.join(root, 'train2014'), exist_ok=True)
    os.makedirs(osp.join(root, dataset), exist_ok=True)
    images, annotations, refs, counts = [], [], [], {}
    for image_id, sample in enumerate(samples, 1):
        img = sample['image']
        name = f'COCO_train2014_{image_id:012d}.jpg'
        cv2.imwrite(osp.join(root, 'train2014', name), img[..., ::-1])
        images.append(dict(id=image_id, file_name=name, height=img.shape[0], width=img.shape[1]))
        split = sample['split']
        counts.setdefault(split, dict(images=0, refs=0))['images'] += 1
        for sentences, mask in sample['refs']:
            polys = mask_to_polygons(mask)
            if not polys:
                continue
            ys, xs = np.nonzero(mask)
            ann_id = len(annotations) + 1
            annotations.append(dict(
                id=ann_id, image_id=image_id, category_id=1, iscrowd=0, segmentation=polys,
                area=float(mask.sum()),
                bbox=[float(xs.min()), float(ys.min()), float(np.ptp(xs) + 1), float(np.ptp(ys) + 1)]))
            refs.append(dict(
                ref_id=len(refs) + 1, ann_id=ann_id, image_id=image_id, split=split,
                category_id=1, file_name=name, sent_ids=list(range(len(sentences))),
                sentences=[dict(raw=s, sent=s.lower(), tokens=s.lower().split(), sent_id=i)
                           for i, s in enumerate(sentences)]))
            counts[split]['refs'] += 1
    with open(osp.join(root, dataset, 'instances.json'), 'w') as f:
        json.dump(dict(images=images, annotations=annotations,
                       categories=[dict(id=1, name='object')]), f)
    with open(osp.join(root, dataset, f'refs({split_by}).p'), 'wb') as f:
        pickle.dump(refs, f)
    return counts


def square_samples(n: int, size: Tuple[int, int] = (64, 64), split: str = 'train',
                   seed: int = 0, words: Sequence[str] = ('red', 'blue')) -> List[dict]:
    """``n`` images with a red and a blue square each, referred to as "the <colour> square"
    (tiny referring data for tests and smoke runs)."""
    rng = np.random.default_rng(seed)
    colours = dict(red=(220, 30, 30), blue=(30, 60, 220), green=(30, 180, 60))
    out = []
    for _ in range(n):
        img = rng.integers(90, 160, (*size, 3)).astype(np.uint8)
        refs = []
        for k, word in enumerate(words):
            s = int(rng.integers(10, size[0] // 3))
            y = int(rng.integers(0, size[0] - s))
            x = int(rng.integers(k * size[1] // len(words), (k + 1) * size[1] // len(words) - s))
            mask = np.zeros(size, bool)
            mask[y:y + s, x:x + s] = True
            img[mask] = colours[word]
            refs.append(([f'the {word} square', f'{word} box'], mask))
        out.append(dict(image=img, split=split, refs=refs))
    return out
