"""GTA5 (Richter et al., "Playing for Data", ECCV 2016) read as released, with its labels
mapped to the 19 Cityscapes train ids on loading.

Layout (``data_root`` = the folder the 20 zip files were extracted to)::

    <data_root>/images/00001.png ... 24966.png     1914x1052 RGB frames
    <data_root>/labels/00001.png ... 24966.png     Cityscapes *label ids* (0..33), palette PNG

Domain-generalization work trains on all 24,966 frames; ``ann_file`` (one name per line,
without suffix) selects a subset. Labels are mapped id -> train id (unlisted ids -> 255) by
mmseg's ``LoadAnnotations`` through ``label_map``, so any pipeline with the standard loader
gets train ids. Labels already converted by DAFormer/HRDA's ``gta.py``
(``labels/*_labelTrainIds.png``) are read with ``label_format='trainId'``.
"""
import os.path as osp
from typing import Dict, List, Optional

from mmseg.datasets import BaseSegDataset, CityscapesDataset
from mmseg.registry import DATASETS

from .folder_checks import require_data_folders

IGNORE = 255
# Cityscapes label id -> train id (cityscapesScripts labels.py); every other id is ignored.
CITYSCAPES_LABEL_ID_TO_TRAIN_ID = {
    7: 0, 8: 1, 11: 2, 12: 3, 13: 4, 17: 5, 19: 6, 20: 7, 21: 8, 22: 9, 23: 10,
    24: 11, 25: 12, 26: 13, 27: 14, 28: 15, 31: 16, 32: 17, 33: 18}
NUM_CITYSCAPES_LABEL_IDS = 34  # ids 0..33 are defined; 0..6, 9, 10, 14..16, 18, 29, 30 are void


def id_to_train_id_map(table: Dict[int, int], num_ids: int,
                       class_subset_map: Optional[Dict[int, int]] = None) -> Dict[int, int]:
    """A ``label_map`` ``{id: train_id}`` for every id in ``range(num_ids)`` (unlisted -> 255).

    ``class_subset_map`` (``BaseSegDataset.label_map`` when ``metainfo`` selects a subset of
    the 19 classes) is applied after the id -> train id mapping.
    """
    out = {}
    for label_id in range(num_ids):
        train_id = table.get(label_id, IGNORE)
        if class_subset_map is not None and train_id != IGNORE:
            train_id = class_subset_map.get(train_id, IGNORE)
        out[label_id] = train_id
    return out


def label_format_suffix(dataset: str, label_format: str, seg_map_suffix: Optional[str]) -> str:
    """Check ``label_format`` (``'id'``: released label ids; ``'trainId'``: converted files) and
    return the label suffix: ``seg_map_suffix`` if given, else ``.png`` / ``_labelTrainIds.png``."""
    if label_format not in ('id', 'trainId'):
        raise ValueError(f"{dataset} label_format must be 'id' or 'trainId', got {label_format!r}")
    if seg_map_suffix is not None:
        return seg_map_suffix
    return '.png' if label_format == 'id' else '_labelTrainIds.png'


def attach_train_id_map(data_list: List[dict], label_format: str, table: Dict[int, int],
                        num_ids: int, class_subset_map: Optional[Dict[int, int]]) -> List[dict]:
    """For ``label_format='id'``, give every sample the id -> train id ``label_map`` that mmseg's
    ``LoadAnnotations`` applies (see :func:`id_to_train_id_map`); ``'trainId'`` needs none."""
    if label_format == 'id':
        label_map = id_to_train_id_map(table, num_ids, class_subset_map)
        for info in data_list:
            info['label_map'] = label_map
    return data_list


@DATASETS.register_module()
class GTA5Dataset(BaseSegDataset):
    """GTA5 with the 19 Cityscapes classes (same ``metainfo`` as ``CityscapesDataset``).

    Args:
        label_format: ``'id'`` (the released ``labels/<name>.png``, mapped on loading) or
            ``'trainId'`` (already converted ``labels/<name>_labelTrainIds.png``).
        data_prefix: ``img_path``/``seg_map_path`` relative to ``data_root``.
        ann_file: optional list of frame names (relative to ``data_root``).
    """
    METAINFO = CityscapesDataset.METAINFO

    def __init__(self, label_format: str = 'id',
                 data_prefix: dict = dict(img_path='images', seg_map_path='labels'),
                 img_suffix: str = '.png', seg_map_suffix: Optional[str] = None, **kwargs):
        seg_map_suffix = label_format_suffix('GTA5Dataset', label_format, seg_map_suffix)
        self.label_format = label_format
        super().__init__(data_prefix=data_prefix, img_suffix=img_suffix,
                         seg_map_suffix=seg_map_suffix, **kwargs)

    def load_data_list(self) -> List[dict]:
        require_data_folders(
            'GTA5', self.data_prefix, 'download GTA5 from https://download.visinf.tu-darmstadt.de/'
            'data/from_games/ and extract the images/ and labels/ folders under data_root (or set '
            'data_root / data_prefix)')
        data_list = attach_train_id_map(super().load_data_list(), self.label_format,
                                        CITYSCAPES_LABEL_ID_TO_TRAIN_ID, NUM_CITYSCAPES_LABEL_IDS,
                                        self.label_map)
        ann_dir = self.data_prefix.get('seg_map_path')
        if ann_dir is not None:
            missing = [info['seg_map_path'] for info in data_list
                       if not osp.isfile(info['seg_map_path'])]
            if missing:
                raise FileNotFoundError(f'GTA5: {len(missing)} label files are missing, e.g. '
                                        f'{missing[0]}; extract all *_labels.zip into {ann_dir}')
        return data_list
