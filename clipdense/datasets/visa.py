"""VisA (Zou et al., ECCV 2022) read through its released split file ``split_csv/1cls.csv``.

Layout (``data_root`` = the extracted ``VisA_20220922`` folder)::

    <data_root>/split_csv/1cls.csv          columns: object,split,label,image,mask
    <data_root>/<category>/Data/Images/{Normal,Anomaly}/*.JPG
    <data_root>/<category>/Data/Masks/Anomaly/*.png

``label`` is ``normal`` or ``anomaly``; ``image``/``mask`` are paths relative to ``data_root``
(``mask`` empty for normal images). Samples carry the same meta keys as MVTec AD; the object
names used in the prompts are the product words (``pcb1`` -> ``'printed circuit board'``).
"""
import csv
import os.path as osp

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from .mvtec import ANOMALY_METAINFO, anomaly_sample, select_categories

VISA_CATEGORIES = ('candle', 'capsules', 'cashew', 'chewinggum', 'fryum', 'macaroni1', 'macaroni2',
                   'pcb1', 'pcb2', 'pcb3', 'pcb4', 'pipe_fryum')
VISA_OBJECT_NAMES = {
    'candle': 'candle', 'capsules': 'capsules', 'cashew': 'cashew', 'chewinggum': 'chewing gum',
    'fryum': 'fryum', 'macaroni1': 'macaroni', 'macaroni2': 'macaroni',
    'pcb1': 'printed circuit board', 'pcb2': 'printed circuit board',
    'pcb3': 'printed circuit board', 'pcb4': 'printed circuit board', 'pipe_fryum': 'pipe fryum',
}
SPLIT_COLUMNS = ('object', 'split', 'label', 'image', 'mask')


def visa_object_name(category: str) -> str:
    """Prompt words for a VisA category (unknown categories: underscores become spaces)."""
    return VISA_OBJECT_NAMES.get(category, category.replace('_', ' '))


@DATASETS.register_module()
class VisADataset(BaseSegDataset):
    """VisA test or train split as defined by a split CSV (``split_csv/1cls.csv`` by default).

    Args:
        data_root: the VisA folder (holds ``split_csv/`` and the category folders).
        categories: subset of categories (list or comma-separated); all in the CSV by default.
        split: ``'test'`` or ``'train'`` (the CSV's ``split`` column).
        split_file: CSV path relative to ``data_root`` (or absolute).
    """
    METAINFO = ANOMALY_METAINFO

    def __init__(self, data_root: str, categories=None, split: str = 'test',
                 split_file: str = 'split_csv/1cls.csv', **kwargs):
        if split not in ('test', 'train'):
            raise ValueError(f'VisA split must be "test" or "train", got {split!r}')
        self.categories, self.split, self.split_file = categories, split, split_file
        super().__init__(data_root=data_root, **kwargs)

    def _read_rows(self):
        path = osp.join(self.data_root or '', self.split_file)
        if not osp.isfile(path):
            raise FileNotFoundError(f'VisA split file not found: {path}; extract VisA_20220922.tar so that '
                                    'split_csv/1cls.csv is under data_root (or set split_file)')
        with open(path, newline='') as f:
            reader = csv.DictReader(f)
            missing = [c for c in SPLIT_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ValueError(f'{path} lacks column(s) {missing}; expected header '
                                 f'{",".join(SPLIT_COLUMNS)}')
            return path, [{k: (row[k] or '').strip() for k in SPLIT_COLUMNS} for row in reader]

    def load_data_list(self):
        path, rows = self._read_rows()
        rows = [r for r in rows if r['split'] == self.split]
        found = sorted({r['object'] for r in rows})
        if not found:
            raise ValueError(f'{path} has no rows with split={self.split!r}')
        wanted = set(select_categories(found, self.categories, path))
        data_list = []
        for r in rows:
            if r['object'] not in wanted:
                continue
            if r['label'] not in ('normal', 'anomaly'):
                raise ValueError(f'{path}: label must be "normal" or "anomaly", got {r["label"]!r} '
                                 f'for {r["image"]}')
            img = osp.join(self.data_root, r['image'])
            if not osp.isfile(img):
                raise FileNotFoundError(f'VisA image listed in {path} not found: {img}')
            mask = None
            if r['label'] == 'anomaly':
                if not r['mask']:
                    raise ValueError(f'{path}: anomalous image {r["image"]} has no mask path')
                mask = osp.join(self.data_root, r['mask'])
            cat = r['object']
            data_list.append(anomaly_sample(img, mask, cat, visa_object_name(cat), 'object',
                                            'anomaly' if mask else 'good', self.label_map))
        return data_list
