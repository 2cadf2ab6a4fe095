"""BDD100KSemSegDataset on a tiny tree in the released 10K layout (labels are train ids already)."""
import numpy as np
import pytest
from mmengine.registry import init_default_scope
from PIL import Image

import clipdense  # noqa: F401
from clipdense.datasets.bdd100k import BDD100KSemSegDataset

from ..models.vltseg.street_trees import write_bdd100k

LOAD = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')]


@pytest.fixture(autouse=True, scope='module')
def _mmseg_scope():
    init_default_scope('mmseg')


@pytest.fixture(scope='module')
def bdd(tmp_path_factory):
    return write_bdd100k(str(tmp_path_factory.mktemp('bdd')), n=3, size=(36, 64), block=4)


def test_val_split_reads_train_ids_unchanged(bdd):
    ds = BDD100KSemSegDataset(data_root=bdd, split='val', pipeline=LOAD)
    assert len(ds) == 3 and len(ds.metainfo['classes']) == 19
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        assert info['img_path'].endswith('.jpg') and '/images/10k/val/' in info['img_path']
        gt = np.array(Image.open(info['seg_map_path']))
        out = ds[i]
        np.testing.assert_array_equal(out['gt_seg_map'], gt)
        assert out['img'].shape == (36, 64, 3) and 255 in gt


def test_old_seg_layout_via_prefix_and_missing_folders(bdd, tmp_path):
    import shutil
    old = tmp_path / 'old'
    shutil.copytree(f'{bdd}/images/10k/val', old / 'seg' / 'images' / 'val')
    (old / 'seg' / 'labels' / 'val').mkdir(parents=True)
    for p in (old / 'seg' / 'images' / 'val').iterdir():
        src = f'{bdd}/labels/sem_seg/masks/val/{p.stem}.png'
        shutil.copy(src, old / 'seg' / 'labels' / 'val' / f'{p.stem}_train_id.png')
    ds = BDD100KSemSegDataset(data_root=str(old), data_prefix=dict(img_path='seg/images/val',
                                                             seg_map_path='seg/labels/val'),
                        seg_map_suffix='_train_id.png', pipeline=LOAD)
    assert len(ds) == 3 and ds[0]['gt_seg_map'].shape == (36, 64)
    with pytest.raises(FileNotFoundError, match=r'BDD100K images not found at .*images/10k/train'):
        BDD100KSemSegDataset(data_root=bdd, split='train')
