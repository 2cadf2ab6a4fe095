"""UMD part affordances: released layout and split files, `_label.mat` reading, both modes."""
import os
import os.path as osp

import numpy as np
import pytest
import scipy.io
from PIL import Image

from clipdense.datasets.umd import UMD_CLASSES, LoadUMDAnnotations, UMDDataset


def _label(tool_id):
    label = np.zeros((12, 16), np.uint8)
    label[2:6, 2:8] = 1                  # grasp (handle)
    label[6:10, 8:14] = tool_id          # cut (knife) / contain (cup)
    return label


def _frame(folder, stem, label):
    os.makedirs(folder, exist_ok=True)
    Image.fromarray(np.full((12, 16, 3), 90, np.uint8)).save(osp.join(folder, stem + '_rgb.jpg'))
    scipy.io.savemat(osp.join(folder, stem + '_label.mat'), {'gt_label': label})


def write_umd(root, nested=False, frames=3):
    """knife_01 (train, split id 1) and cup_01 (test, id 2); ``nested`` = the toy world's layout."""
    for tool, aff in (('knife_01', 2), ('cup_01', 4)):
        parent = osp.join(root, tool.split('_')[0]) if nested else osp.join(root, 'tools')
        for f in range(1, frames + 1):
            _frame(osp.join(parent, tool), f'{tool}_{f:08d}', _label(aff))
    if not nested:
        with open(osp.join(root, 'category_split.txt'), 'w') as fh:
            fh.write('1 knife_01\n2 cup_01\n')
    return root


def test_semantic_mode_reads_split_and_label_mats(tmp_path):
    import clipdense  # noqa: F401  (registers the transforms)
    from mmseg.utils import register_all_modules
    register_all_modules()  # default scope mmseg, as in the configs
    root = write_umd(str(tmp_path))
    pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadUMDAnnotations'),
                dict(type='PackAffordanceInputs')]
    test = UMDDataset(data_root=root, subset='test', pipeline=pipeline)
    train = UMDDataset(data_root=root, subset='train', frame_stride=2)
    assert len(test) == 3 and len(train) == 2          # frames 1 and 3 of knife_01
    assert test.get_data_info(0)['object'] == 'cup'
    assert test.metainfo['classes'] == UMD_CLASSES
    sample = test[0]['data_samples']
    np.testing.assert_array_equal(sample.gt_sem_seg.data[0].numpy(), _label(4))


def test_affordance_mode_gives_one_query_per_present_part(tmp_path):
    root = write_umd(str(tmp_path), frames=1)
    ds = UMDDataset(data_root=root, subset='train', mode='affordance',
                    action_prompts={1: 'hold', 2: 'cut with'})
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert [(i['affordance'], i['text']) for i in infos] == [('grasp', 'hold'), ('cut', 'cut with')]
    res = LoadUMDAnnotations()(dict(infos[1]))
    np.testing.assert_array_equal(res['gt_heatmap'], (_label(2) == 2).astype(np.float32))
    assert 'gt_seg_map' in res['seg_fields']


def test_toy_world_layout_without_split_files(tmp_path):
    root = write_umd(str(tmp_path), nested=True, frames=2)
    ds = UMDDataset(data_root=root, split=None)
    assert sorted({ds.get_data_info(i)['tool'] for i in range(len(ds))}) == ['cup_01', 'knife_01']
    assert len(ds) == 4


def test_errors_name_the_problem(tmp_path):
    root = write_umd(str(tmp_path))
    with open(osp.join(root, 'category_split.txt'), 'a') as fh:
        fh.write('train spoon_01\n')
    with pytest.raises(ValueError, match=r'category_split.txt:3 should read'):
        UMDDataset(data_root=root)
    with pytest.raises(FileNotFoundError, match='novel_split.txt'):
        UMDDataset(data_root=root, split='novel')
    with pytest.raises(ValueError, match='"semantic" or "affordance"'):
        UMDDataset(data_root=root, mode='parts')
    bad = osp.join(str(tmp_path), 'bad_label.mat')
    scipy.io.savemat(bad, {'labels': np.zeros((2, 2))})
    with pytest.raises(ValueError, match='gt_label'):
        LoadUMDAnnotations()({'seg_map_path': bad})
