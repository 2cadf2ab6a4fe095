"""VisA dataset read through split_csv/1cls.csv on a tiny tree in the released layout."""
import os.path as osp

import numpy as np
import pytest

from clipdense.datasets.visa import VisADataset, visa_object_name

from ..models.anovl.data_trees import write_visa_tree
from .test_mvtec import PIPELINE


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    return write_visa_tree(str(tmp_path_factory.mktemp('visa')), categories=('candle', 'pcb1', 'macaroni2'))


def test_split_csv_rows_become_samples(root):
    ds = VisADataset(data_root=root, pipeline=[])
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert len(infos) == 3 * 4  # test rows only: 2 normal + 2 anomaly per category
    assert {d['object_name'] for d in infos} == {'candle', 'printed circuit board', 'macaroni'}
    for d in infos:
        assert d['anomaly_label'] == int(d['seg_map_path'] is not None)
        assert osp.isfile(d['img_path']) and d['domain'] == 'object'
    train = VisADataset(data_root=root, split='train', categories='pcb1', pipeline=[])
    assert len(train) == 1 and train.get_data_info(0)['anomaly_label'] == 0


def test_masks_with_class_values_are_binarised(root):
    ds = VisADataset(data_root=root, categories=['pcb1'], pipeline=PIPELINE)
    labels = []
    for i in range(len(ds)):
        item = ds[i]
        mask = item['data_samples'].gt_sem_seg.data.numpy()
        assert set(np.unique(mask)) <= {0, 1}  # VisA stores class indices (2 here) in its masks
        labels.append(item['data_samples'].metainfo['anomaly_label'])
        assert bool(mask.any()) == bool(labels[-1])
    assert sorted(labels) == [0, 0, 1, 1]


def test_object_names():
    assert visa_object_name('pcb3') == 'printed circuit board'
    assert visa_object_name('chewinggum') == 'chewing gum' and visa_object_name('pipe_fryum') == 'pipe fryum'


def test_one_line_errors(root, tmp_path):
    with pytest.raises(FileNotFoundError, match='VisA split file not found'):
        VisADataset(data_root=str(tmp_path), pipeline=[])
    with pytest.raises(ValueError, match="unknown category 'cashew'"):
        VisADataset(data_root=root, categories=['cashew'], pipeline=[])
    bad = tmp_path / 'bad'
    (bad / 'split_csv').mkdir(parents=True)
    (bad / 'split_csv' / '1cls.csv').write_text('object,split,image\ncandle,test,a.JPG\n')
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['label', 'mask'\]"):
        VisADataset(data_root=str(bad), pipeline=[])
