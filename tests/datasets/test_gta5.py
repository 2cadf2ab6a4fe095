"""GTA5Dataset on a tiny tree in the released layout: ids -> Cityscapes train ids pixel by pixel."""
import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmcv.transforms import Compose
from PIL import Image

import clipdense  # noqa: F401
from clipdense.datasets.gta5 import GTA5Dataset
from mmseg.datasets import CityscapesDataset

from ..models.vltseg.street_trees import cityscapes_id_to_train_id, write_gta5

LOAD = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')]


@pytest.fixture(autouse=True, scope='module')
def _mmseg_scope():
    init_default_scope('mmseg')


@pytest.fixture(scope='module')
def gta(tmp_path_factory):
    return write_gta5(str(tmp_path_factory.mktemp('gta')), n=3, size=(40, 72), block=4)


def test_name_based_expectation_is_the_known_table():
    lut = cityscapes_id_to_train_id()
    assert lut[7] == 0 and lut[8] == 1 and lut[26] == 13 and lut[33] == 18   # road, sidewalk, car, bicycle
    assert lut[0] == lut[9] == lut[29] == lut[30] == 255  # unlabeled, parking, caravan, trailer
    assert sorted(set(lut[:34].tolist()) - {255}) == list(range(19))


def test_label_ids_become_train_ids_pixel_by_pixel(gta):
    ds = GTA5Dataset(data_root=gta, pipeline=LOAD)
    assert len(ds) == 3 and ds.metainfo['classes'] == CityscapesDataset.METAINFO['classes']
    lut = cityscapes_id_to_train_id()
    for i in range(len(ds)):
        out = ds[i]
        raw = np.array(Image.open(ds.get_data_info(i)['seg_map_path']))   # palette indices = ids
        assert out['gt_seg_map'].shape == raw.shape == out['img'].shape[:2]
        np.testing.assert_array_equal(out['gt_seg_map'], lut[raw])
        assert set(np.unique(raw)) >= {7, 26}  # the tree really contains mapped and void ids


def test_class_subset_is_applied_after_the_id_mapping(gta):
    ds = GTA5Dataset(data_root=gta, pipeline=LOAD, metainfo=dict(classes=('road', 'car')))
    raw = np.array(Image.open(ds.get_data_info(0)['seg_map_path']))
    expected = np.full_like(raw, 255)
    expected[raw == 7], expected[raw == 26] = 0, 1
    np.testing.assert_array_equal(ds[0]['gt_seg_map'], expected)


def test_converted_train_id_labels_and_split_file(gta, tmp_path):
    import os.path as osp
    lut = cityscapes_id_to_train_id()
    raw = np.array(Image.open(osp.join(gta, 'labels', '00002.png')))
    Image.fromarray(lut[raw]).save(osp.join(gta, 'labels', '00002_labelTrainIds.png'))
    split = tmp_path / 'split.txt'
    split.write_text('00002\n')
    ds = GTA5Dataset(data_root=gta, label_format='trainId', ann_file=str(split), pipeline=LOAD)
    assert len(ds) == 1 and ds.get_data_info(0).get('label_map') is None
    np.testing.assert_array_equal(Compose(LOAD)(ds.get_data_info(0))['gt_seg_map'], lut[raw])


def test_missing_data_gives_one_line_errors(gta, tmp_path):
    with pytest.raises(FileNotFoundError, match=r'GTA5 images not found at .*nowhere/images.*download'):
        GTA5Dataset(data_root=str(tmp_path / 'nowhere'))
    (tmp_path / 'half' / 'images').mkdir(parents=True)
    (tmp_path / 'half' / 'labels').mkdir()
    Image.new('RGB', (8, 8)).save(tmp_path / 'half' / 'images' / '00001.png')
    with pytest.raises(FileNotFoundError, match=r'1 label files are missing'):
        GTA5Dataset(data_root=str(tmp_path / 'half'))
    with pytest.raises(ValueError, match='label_format'):
        GTA5Dataset(data_root=gta, label_format='color')
