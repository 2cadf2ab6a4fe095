"""MVTec AD in its released on-disk layout, and the anomaly-mask loader shared with VisA.

Layout (``data_root`` = the folder that holds the 15 category folders)::

    <data_root>/<category>/train/good/000.png
    <data_root>/<category>/test/good/000.png
    <data_root>/<category>/test/<defect>/000.png
    <data_root>/<category>/ground_truth/<defect>/000_mask.png

Each sample carries ``category``, ``object_name`` (the words put into the prompts, e.g.
``'metal nut'``), ``domain`` (``'texture'`` for carpet/grid/leather/tile/wood, else ``'object'``),
``defect_type`` and ``anomaly_label`` (0 good, 1 defective); ``seg_map_path`` is ``None`` for
good images, whose mask is all zeros.
"""
import os
import os.path as osp
from typing import Optional, Sequence

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS, TRANSFORMS

MVTEC_CATEGORIES = ('bottle', 'cable', 'capsule', 'carpet', 'grid', 'hazelnut', 'leather', 'metal_nut',
                    'pill', 'screw', 'tile', 'toothbrush', 'transistor', 'wood', 'zipper')
TEXTURE_CATEGORIES = ('carpet', 'grid', 'leather', 'tile', 'wood')
IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')
ANOMALY_METAINFO = dict(classes=('normal', 'anomaly'), palette=[[0, 0, 0], [255, 0, 0]])


def mvtec_object_name(category: str) -> str:
    """Prompt words for a category folder name: ``'metal_nut'`` -> ``'metal nut'``."""
    return category.replace('_', ' ')


def category_domain(category: str, textures: Sequence[str] = TEXTURE_CATEGORIES) -> str:
    """``'texture'`` for texture categories (MVTec AD's five by default), ``'object'`` otherwise."""
    return 'texture' if category in textures else 'object'


def select_categories(available: Sequence[str], wanted: Optional[Sequence[str]], where: str):
    """Keep ``wanted`` (all when ``None``); one-line error for a category that is not there."""
    if wanted is None:
        return list(available)
    if isinstance(wanted, str):
        wanted = [c.strip() for c in wanted.split(',') if c.strip()]
    missing = [c for c in wanted if c not in available]
    if missing:
        raise ValueError(f'unknown category {missing[0]!r} in {where}; available: {", ".join(available)}')
    return list(wanted)


def anomaly_sample(img_path, mask_path, category, object_name, domain, defect_type, label_map):
    """One data-list entry in the form mmseg's pipeline expects."""
    return dict(img_path=img_path, seg_map_path=mask_path, category=category, object_name=object_name,
                domain=domain, defect_type=defect_type, anomaly_label=int(mask_path is not None),
                label_map=label_map, reduce_zero_label=False, seg_fields=[])


@TRANSFORMS.register_module()
class LoadAnomalyMask(BaseTransform):
    """Load the binary anomaly mask as ``gt_seg_map`` (uint8, 1 = anomalous).

    Any non-zero mask value counts as anomalous (MVTec stores 255, VisA class indices). Samples
    without a mask (``seg_map_path`` is ``None``: normal images) get zeros of the image size, so
    use it after ``LoadImageFromFile`` and before ``Resize``.
    """

    def transform(self, results: dict) -> dict:
        path = results.get('seg_map_path')
        if path is None:
            mask = np.zeros(results['img'].shape[:2], np.uint8)
        else:
            if not osp.isfile(path):
                raise FileNotFoundError(f'anomaly mask not found: {path}')
            mask = (mmcv.imread(path, flag='unchanged') > 0).astype(np.uint8)
            if mask.ndim == 3:
                mask = mask.max(axis=2)
        results['gt_seg_map'] = mask
        results.setdefault('seg_fields', []).append('gt_seg_map')
        return results


@DATASETS.register_module()
class MVTecADDataset(BaseSegDataset):
    """MVTec AD (Bergmann et al., CVPR 2019) test or train split.

    Args:
        data_root: folder holding the category folders.
        categories: subset of categories (list or comma-separated); all found ones by default.
        split: ``'test'`` (good + defective, with masks) or ``'train'`` (good only).
        texture_categories: categories prompted as textures (MVTec AD's five by default).
    """
    METAINFO = ANOMALY_METAINFO

    def __init__(self, data_root: str, categories=None, split: str = 'test',
                 texture_categories: Sequence[str] = TEXTURE_CATEGORIES, **kwargs):
        if split not in ('test', 'train'):
            raise ValueError(f'MVTec AD split must be "test" or "train", got {split!r}')
        self.categories, self.split, self.texture_categories = categories, split, tuple(texture_categories)
        super().__init__(data_root=data_root, **kwargs)

    def load_data_list(self):
        root = self.data_root
        if not root or not osp.isdir(root):
            raise FileNotFoundError(f'MVTec AD root not found: {root}; download MVTec AD and point '
                                    'data_root at the folder holding bottle/, cable/, ...')
        found = sorted(d for d in os.listdir(root) if osp.isdir(osp.join(root, d, self.split)))
        if not found:
            raise FileNotFoundError(f'no MVTec AD categories under {root}: expected '
                                    f'{root}/<category>/{self.split}/<defect>/<image>.png')
        data_list = []
        for cat in select_categories(found, self.categories, root):
            split_dir = osp.join(root, cat, self.split)
            for defect in sorted(os.listdir(split_dir)):
                folder = osp.join(split_dir, defect)
                if not osp.isdir(folder):
                    continue
                for name in sorted(os.listdir(folder)):
                    stem, ext = osp.splitext(name)
                    if ext.lower() not in IMAGE_SUFFIXES:
                        continue
                    mask = None
                    if defect != 'good':
                        mask = osp.join(root, cat, 'ground_truth', defect, stem + '_mask.png')
                        if not osp.isfile(mask):
                            raise FileNotFoundError(f'missing ground-truth mask {mask} for '
                                                    f'{osp.join(folder, name)}')
                    domain = category_domain(cat, self.texture_categories)
                    data_list.append(anomaly_sample(osp.join(folder, name), mask, cat, mvtec_object_name(cat),
                                                    domain, defect, self.label_map))
        return data_list
