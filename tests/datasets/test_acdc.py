"""ACDCDataset on a tiny tree in the released layout: conditions, splits, train-id labels."""
import numpy as np
import pytest
from mmengine.registry import init_default_scope
from PIL import Image

import clipdense  # noqa: F401
from clipdense.datasets.acdc import ACDCDataset

from ..models.vltseg.street_trees import write_acdc

LOAD = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')]


@pytest.fixture(autouse=True, scope='module')
def _mmseg_scope():
    init_default_scope('mmseg')


@pytest.fixture(scope='module')
def acdc(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('acdc'))
    write_acdc(root, split='val', n=2)
    write_acdc(root, conditions=('night',), split='test', n=1, seed=9)
    return root


def test_all_conditions_with_their_labels(acdc):
    ds = ACDCDataset(data_root=acdc, split='val', pipeline=LOAD)
    assert len(ds) == 8
    conditions = [ds.get_data_info(i)['condition'] for i in range(8)]
    assert conditions == sorted(['fog', 'night', 'rain', 'snow'] * 2)
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        assert info['seg_map_path'].endswith('_gt_labelTrainIds.png')
        assert info['img_path'].replace('rgb_anon', 'gt', 1).replace('_rgb_anon.png', '') == \
            info['seg_map_path'].replace('_gt_labelTrainIds.png', '')
        gt = np.array(Image.open(info['seg_map_path']))
        np.testing.assert_array_equal(ds[i]['gt_seg_map'], gt)


def test_condition_subset_and_test_split(acdc):
    assert len(ACDCDataset(data_root=acdc, conditions='fog,snow')) == 4
    test = ACDCDataset(data_root=acdc, split='test', conditions=['night'],
                       pipeline=[dict(type='LoadImageFromFile')])
    assert len(test) == 1 and 'seg_map_path' not in test.get_data_info(0)
    assert test[0]['img'].shape == (54, 96, 3)


def test_bad_arguments_and_missing_data(acdc, tmp_path):
    with pytest.raises(ValueError, match=r"unknown ACDC conditions \['haze'\]"):
        ACDCDataset(data_root=acdc, conditions=['fog', 'haze'])
    with pytest.raises(ValueError, match='split'):
        ACDCDataset(data_root=acdc, split='trainval')
    with pytest.raises(FileNotFoundError, match=r'ACDC images not found at .*rgb_anon/fog/val.*acdc.vision'):
        ACDCDataset(data_root=str(tmp_path))
