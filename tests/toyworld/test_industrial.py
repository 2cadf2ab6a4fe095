"""MVTec-AD layout: file tree, masks that match the defects."""
import os
import os.path as osp

import numpy as np
from PIL import Image

from clipdense.toyworld.surfaces import add_defect, render_surface
from clipdense.toyworld.vocabulary import MVTEC_CATEGORIES, MVTEC_DEFECTS


def test_mvtec_tree_is_well_formed(toy_root):
    root = osp.join(toy_root, 'mvtec')
    assert sorted(os.listdir(root)) == sorted(MVTEC_CATEGORIES)
    for cat in MVTEC_CATEGORIES:
        assert sorted(os.listdir(osp.join(root, cat))) == ['ground_truth', 'test', 'train']
        assert os.listdir(osp.join(root, cat, 'train')) == ['good']
        assert sorted(os.listdir(osp.join(root, cat, 'test'))) == sorted(('good',) + MVTEC_DEFECTS)
        assert sorted(os.listdir(osp.join(root, cat, 'ground_truth'))) == sorted(MVTEC_DEFECTS)
        assert sorted(os.listdir(osp.join(root, cat, 'train', 'good'))) == ['000.png', '001.png', '002.png']
        for defect in MVTEC_DEFECTS:
            images = sorted(os.listdir(osp.join(root, cat, 'test', defect)))
            masks = sorted(os.listdir(osp.join(root, cat, 'ground_truth', defect)))
            assert masks == [n.replace('.png', '_mask.png') for n in images] and len(images) == 3
            for name in masks:
                mask = np.asarray(Image.open(osp.join(root, cat, 'ground_truth', defect, name)))
                assert mask.shape == (128, 128) and set(np.unique(mask)) == {0, 255}
                assert 0 < (mask > 0).mean() < 0.2


def test_mvtec_dataset_class_reads_the_tree(toy_root):
    import clipdense  # noqa: F401
    from mmseg.registry import DATASETS
    try:
        ds = DATASETS.build(dict(type='MVTecADDataset', data_root=osp.join(toy_root, 'mvtec'),
                                 categories=['fabric'], pipeline=[]))
    except (KeyError, TypeError) as err:  # the dataset class belongs to the AnoVL work
        import pytest
        pytest.skip(f'MVTecADDataset not usable here: {err}')
    assert len(ds) == 4 + 3 * 3


def test_defects_change_exactly_the_masked_pixels():
    rng = np.random.default_rng(0)
    for kind in ('fabric', 'washer'):
        for defect in MVTEC_DEFECTS:
            img, region = render_surface(rng, kind, 128)
            before = img.copy()
            mask = add_defect(rng, img, region, defect)
            changed = np.any(np.abs(img - before) > 1e-3, axis=-1)
            assert mask.any() and not (mask & ~region).any()
            assert not (changed & ~mask).any() and changed[mask].mean() > 0.9
