"""MVTec AD dataset and LoadAnomalyMask on a tiny tree in the released layout."""
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.registry import init_default_scope

from clipdense.datasets.mvtec import LoadAnomalyMask, MVTecADDataset, category_domain, mvtec_object_name

from ..models.anovl.data_trees import write_mvtec_tree

PIPELINE = [dict(type='LoadImageFromFile'), dict(type='LoadAnomalyMask'),
            dict(type='Resize', scale=(32, 32), keep_ratio=False),
            dict(type='PackSegInputs', meta_keys=('img_path', 'category', 'object_name', 'domain',
                                                  'anomaly_label', 'defect_type'))]


init_default_scope('mmseg')  # the pipeline's transforms live in mmseg's registry


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    return write_mvtec_tree(str(tmp_path_factory.mktemp('mvtec')), categories=('metal_nut', 'wood'),
                            defects=('crack', 'scratch'))


def test_data_list_labels_and_object_names(root):
    ds = MVTecADDataset(data_root=root, pipeline=[])
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert len(infos) == 2 * (2 + 2 * 2)  # per category: 2 good + 2 defect types x 2
    nut = [d for d in infos if d['category'] == 'metal_nut']
    assert {d['object_name'] for d in nut} == {'metal nut'} and {d['domain'] for d in nut} == {'object'}
    assert {d['domain'] for d in infos if d['category'] == 'wood'} == {'texture'}
    for d in infos:
        assert d['anomaly_label'] == int(d['defect_type'] != 'good')
        assert (d['seg_map_path'] is None) == (d['defect_type'] == 'good')
        if d['seg_map_path']:
            assert d['seg_map_path'].endswith(osp.join('ground_truth', d['defect_type'],
                                                       osp.basename(d['img_path'])[:-4] + '_mask.png'))
    train = MVTecADDataset(data_root=root, split='train', categories='wood', pipeline=[])
    assert len(train) == 2 and all(train.get_data_info(i)['anomaly_label'] == 0 for i in range(2))


def test_pipeline_gives_binary_resized_masks(root):
    ds = MVTecADDataset(data_root=root, categories=['metal_nut'], pipeline=PIPELINE)
    seen = set()
    for i in range(len(ds)):
        item = ds[i]
        mask = item['data_samples'].gt_sem_seg.data
        assert tuple(mask.shape) == (1, 32, 32) and tuple(item['inputs'].shape) == (3, 32, 32)
        assert set(np.unique(mask.numpy())) <= {0, 1}
        meta = item['data_samples'].metainfo
        assert bool(mask.any()) == bool(meta['anomaly_label'])
        seen.add(meta['object_name'])
    assert seen == {'metal nut'}


def test_load_anomaly_mask_zero_for_normal_images():
    out = LoadAnomalyMask()(dict(img=np.zeros((5, 7, 3), np.uint8), seg_map_path=None))
    assert out['gt_seg_map'].shape == (5, 7) and not out['gt_seg_map'].any()
    assert 'gt_seg_map' in out['seg_fields']


def test_helpers():
    assert mvtec_object_name('metal_nut') == 'metal nut'
    assert category_domain('carpet') == 'texture' and category_domain('screw') == 'object'


def test_one_line_errors(root, tmp_path):
    with pytest.raises(FileNotFoundError, match='MVTec AD root not found'):
        MVTecADDataset(data_root=str(tmp_path / 'nope'), pipeline=[])
    with pytest.raises(FileNotFoundError, match='no MVTec AD categories'):
        MVTecADDataset(data_root=str(tmp_path), pipeline=[])
    with pytest.raises(ValueError, match="unknown category 'bottle'"):
        MVTecADDataset(data_root=root, categories='bottle', pipeline=[])
    broken = write_mvtec_tree(str(tmp_path / 'broken'), categories=('screw',))
    os.remove(osp.join(broken, 'screw', 'ground_truth', 'crack', '001_mask.png'))
    with pytest.raises(FileNotFoundError, match='missing ground-truth mask'):
        MVTecADDataset(data_root=broken, pipeline=[])
