"""AGD20K: the released folder layout, the test-set rule (images with GT), heat-map packing."""
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from clipdense.datasets.agd20k import (SEEN_AFFORDANCES, UNSEEN_AFFORDANCES, AGD20KDataset,
                                       action_prompt)


def _image(path, size=(20, 30), value=100):
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(np.full((*size, 3), value, np.uint8)).save(path)


def write_agd20k(root, split='Seen'):
    """Tiny AGD20K tree: 3 test images (2 with GT), 2 exocentric and 1 egocentric train images."""
    ego = osp.join(root, split, 'testset', 'egocentric')
    gt = osp.join(root, split, 'testset', 'GT')
    _image(osp.join(ego, 'cut_with', 'knife', 'knife_000001.jpg'))
    _image(osp.join(ego, 'hold', 'cup', 'cup_000002.jpg'))
    _image(osp.join(ego, 'hold', 'cup', 'cup_000003.jpg'))          # no GT: not in the test set
    heat = np.zeros((20, 30), np.uint8)
    heat[5:10, 10:20] = 255
    heat[5:10, 20:25] = 51
    for rel in ('cut_with/knife/knife_000001.png', 'hold/cup/cup_000002.png'):
        os.makedirs(osp.dirname(osp.join(gt, rel)), exist_ok=True)
        Image.fromarray(heat).save(osp.join(gt, rel))
    for i in range(2):
        _image(osp.join(root, split, 'trainset', 'exocentric', 'hold', 'cup', f'cup_{i}.jpg'))
    _image(osp.join(root, split, 'trainset', 'egocentric', 'hold', 'cup', 'cup_9.jpg'))
    return root, heat


def test_splits_have_the_agd20k_affordance_lists():
    assert len(SEEN_AFFORDANCES) == 36 and len(UNSEEN_AFFORDANCES) == 25
    assert set(UNSEEN_AFFORDANCES) < set(SEEN_AFFORDANCES)
    assert action_prompt('cut_with') == 'cut with'
    assert action_prompt('sit_on', 'a photo of {}') == 'a photo of sit on'


def test_testset_lists_egocentric_images_that_have_a_gt_map(tmp_path):
    root, _ = write_agd20k(str(tmp_path))
    ds = AGD20KDataset(data_root=root, split='Seen', subset='testset', lazy_init=False)
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert len(ds) == 2
    assert [(i['affordance'], i['object'], i['text']) for i in infos] == [
        ('cut_with', 'knife', 'cut with'), ('hold', 'cup', 'hold')]
    assert infos[0]['label'] == SEEN_AFFORDANCES.index('cut_with')
    assert infos[1]['gt_heatmap_path'].endswith(osp.join('GT', 'hold', 'cup', 'cup_000002.png'))
    assert ds.metainfo['classes'] == SEEN_AFFORDANCES


def test_trainset_views_have_labels_but_no_gt(tmp_path):
    root, _ = write_agd20k(str(tmp_path), split='Unseen')
    exo = AGD20KDataset(data_root=root, split='Unseen', subset='trainset', view='exocentric')
    ego = AGD20KDataset(data_root=root, split='Unseen', subset='trainset', view='egocentric')
    assert len(exo) == 2 and len(ego) == 1
    info = exo.get_data_info(0)
    assert info['gt_heatmap_path'] is None and info['label'] == UNSEEN_AFFORDANCES.index('hold')


def test_bad_layouts_fail_with_one_line_errors(tmp_path):
    root, _ = write_agd20k(str(tmp_path))
    with pytest.raises(FileNotFoundError, match='AGD20K images not found'):
        AGD20KDataset(data_root=str(tmp_path / 'nowhere'))
    with pytest.raises(ValueError, match='test set is egocentric'):
        AGD20KDataset(data_root=root, subset='testset', view='exocentric')
    with pytest.raises(ValueError, match='"Seen" or "Unseen"'):
        AGD20KDataset(data_root=root, split='seen')
    _image(osp.join(root, 'Seen', 'testset', 'egocentric', 'fly', 'kite', 'k.jpg'))
    with pytest.raises(ValueError, match='not an AGD20K Seen affordance'):
        AGD20KDataset(data_root=root)


def test_pipeline_packs_heatmap_at_original_size_and_text(tmp_path):
    import clipdense  # noqa: F401  (registers the transforms)
    from mmseg.utils import register_all_modules
    register_all_modules()  # default scope mmseg, as in the configs
    root, heat = write_agd20k(str(tmp_path))
    pipeline = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(64, 64), keep_ratio=False),
                dict(type='LoadAffordanceHeatmap'), dict(type='PackAffordanceInputs')]
    ds = AGD20KDataset(data_root=root, pipeline=pipeline)
    out = ds[0]
    sample = out['data_samples']
    assert out['inputs'].shape == (3, 64, 64)
    assert sample.gt_heatmap.data.shape == (1, 20, 30)
    np.testing.assert_allclose(sample.gt_heatmap.data[0].numpy(), heat / 255.0, atol=1e-6)
    assert sample.metainfo['text'] == 'cut with' and sample.metainfo['affordance'] == 'cut_with'


def test_missing_gt_file_is_named(tmp_path):
    from clipdense.datasets.agd20k import LoadAffordanceHeatmap
    with pytest.raises(FileNotFoundError, match='missing.png'):
        LoadAffordanceHeatmap()({'gt_heatmap_path': str(tmp_path / 'missing.png')})
