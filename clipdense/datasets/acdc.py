"""ACDC (Sakaridis et al., ICCV 2021): adverse conditions fog / night / rain / snow, read as
released (``rgb_anon_trainvaltest.zip`` + ``gt_trainval.zip``), 19 Cityscapes train ids.

Layout::

    <data_root>/rgb_anon/<condition>/<split>/<sequence>/<frame>_rgb_anon.png
    <data_root>/gt/<condition>/<split>/<sequence>/<frame>_gt_labelTrainIds.png

``conditions`` selects any subset of the four conditions (each sample records its
``condition``); the ``test`` split has no ground truth and yields images only.
"""
import os.path as osp
from typing import List, Sequence, Union

from mmengine import fileio
from mmseg.datasets import BaseSegDataset, CityscapesDataset
from mmseg.registry import DATASETS

ACDC_CONDITIONS = ('fog', 'night', 'rain', 'snow')
ACDC_SPLITS = ('train', 'val', 'test')


@DATASETS.register_module()
class ACDCDataset(BaseSegDataset):
    """ACDC with the 19 Cityscapes classes.

    Args:
        split: ``'train'``, ``'val'`` or ``'test'``.
        conditions: subset of ``('fog', 'night', 'rain', 'snow')`` (list or comma-separated).
        data_prefix: ``img_path`` (``rgb_anon``) and ``seg_map_path`` (``gt``) under ``data_root``.
    """
    METAINFO = CityscapesDataset.METAINFO

    def __init__(self, split: str = 'val', conditions: Union[str, Sequence[str]] = ACDC_CONDITIONS,
                 data_prefix: dict = dict(img_path='rgb_anon', seg_map_path='gt'),
                 img_suffix: str = '_rgb_anon.png', seg_map_suffix: str = '_gt_labelTrainIds.png',
                 **kwargs):
        if split not in ACDC_SPLITS:
            raise ValueError(f'ACDC split must be one of {ACDC_SPLITS}, got {split!r}')
        if isinstance(conditions, str):
            conditions = [c.strip() for c in conditions.split(',') if c.strip()]
        unknown = sorted(set(conditions) - set(ACDC_CONDITIONS))
        if unknown or not conditions:
            raise ValueError(f'unknown ACDC conditions {unknown or conditions}; '
                             f'choose from {ACDC_CONDITIONS}')
        self.split, self.conditions = split, tuple(conditions)
        super().__init__(data_prefix=data_prefix, img_suffix=img_suffix,
                         seg_map_suffix=seg_map_suffix, **kwargs)

    def load_data_list(self) -> List[dict]:
        img_root = self.data_prefix.get('img_path', '')
        ann_root = self.data_prefix.get('seg_map_path')
        data_list = []
        for condition in self.conditions:
            img_dir = osp.join(img_root, condition, self.split)
            if not osp.isdir(img_dir):
                raise FileNotFoundError(
                    f'ACDC images not found at {img_dir}; download rgb_anon_trainvaltest.zip '
                    '(and gt_trainval.zip) from https://acdc.vision.ee.ethz.ch and extract them '
                    'into data_root')
            ann_dir = osp.join(ann_root, condition, self.split) if ann_root else None
            if ann_dir is not None and self.split != 'test' and not osp.isdir(ann_dir):
                raise FileNotFoundError(f'ACDC labels not found at {ann_dir}; extract gt_trainval.zip '
                                        'into data_root')
            for rel in fileio.list_dir_or_file(img_dir, list_dir=False, suffix=self.img_suffix,
                                               recursive=True):
                info = dict(img_path=osp.join(img_dir, rel), condition=condition,
                            label_map=self.label_map, reduce_zero_label=self.reduce_zero_label,
                            seg_fields=[])
                if ann_dir is not None and self.split != 'test':
                    stem = rel[:-len(self.img_suffix)]
                    info['seg_map_path'] = osp.join(ann_dir, stem + self.seg_map_suffix)
                data_list.append(info)
        return sorted(data_list, key=lambda x: x['img_path'])
