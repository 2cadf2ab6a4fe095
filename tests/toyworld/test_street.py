"""Street scenes: valid Cityscapes ids, both layouts read by the real mmseg dataset classes."""
import glob
import os.path as osp

import numpy as np
from PIL import Image

from clipdense.toyworld.street import CITIES, render_street_sample
from clipdense.toyworld.vocabulary import (LABEL_ID_TO_TRAIN_ID, STREET_CLASSES, STREET_LABEL_IDS,
                                           label_ids_to_train_ids)

VALID_IDS = set(STREET_LABEL_IDS.values())


def test_label_ids_and_train_ids(toy_root):
    labels = sorted(glob.glob(osp.join(toy_root, 'gta5', 'labels', '?????.png')))
    assert len(labels) == 72
    seen = set()
    for path in labels:
        ids = np.asarray(Image.open(path))
        train = np.asarray(Image.open(path[:-4] + '_labelTrainIds.png'))
        img = Image.open(path.replace('labels', 'images'))
        assert img.size == (256, 128) and img.mode == 'RGB' and ids.shape == (128, 256)
        assert set(np.unique(ids)) <= VALID_IDS - {1}  # no ego vehicle in the source domain
        assert np.array_equal(train, label_ids_to_train_ids(ids))
        seen |= set(np.unique(ids))
    assert {STREET_LABEL_IDS[c] for c in STREET_CLASSES} <= seen  # every class occurs
    lut = label_ids_to_train_ids(np.arange(34, dtype=np.uint8))
    assert lut[7] == 0 and lut[26] == 13 and lut[23] == 10 and lut[0] == lut[1] == 255
    assert all(lut[i] == t for i, t in LABEL_ID_TO_TRAIN_ID.items())


def test_cityscapes_layout_read_by_mmseg_cityscapes_dataset(toy_root):
    from mmseg.datasets import CityscapesDataset
    from mmseg.datasets.transforms import LoadAnnotations
    for split, n in (('train', 6), ('val', 24)):
        ds = CityscapesDataset(data_root=osp.join(toy_root, 'cityscapes'), pipeline=[],
                               data_prefix=dict(img_path=f'leftImg8bit/{split}',
                                                seg_map_path=f'gtFine/{split}'))
        assert len(ds) == n
        cities = {osp.basename(osp.dirname(ds[i]['img_path'])) for i in range(n)}
        assert cities == set(CITIES[split])
        info = ds[0]
        assert osp.isfile(info['img_path']) and osp.isfile(info['seg_map_path'])
        assert info['seg_map_path'].endswith('_gtFine_labelTrainIds.png')
        seg = LoadAnnotations()(dict(info, seg_fields=[]))['gt_seg_map']
        ids = np.asarray(Image.open(info['seg_map_path'].replace('labelTrainIds', 'labelIds')))
        assert np.array_equal(seg, label_ids_to_train_ids(ids))
        assert set(np.unique(seg)) <= {0, 1, 2, 5, 8, 10, 11, 13, 255}
        assert (ids == 1).any()  # the ego vehicle (ignored) is there, as in Cityscapes


def test_gta5_layout_read_by_the_gta5_dataset_with_the_toy_split(toy_root):
    import clipdense  # noqa: F401  (registers GTA5Dataset)
    from mmseg.registry import DATASETS
    from mmseg.datasets.transforms import LoadAnnotations
    for split, n in (('train', 60), ('val', 12)):
        ds = DATASETS.build(dict(type='GTA5Dataset', data_root=osp.join(toy_root, 'gta5'),
                                 ann_file=f'toy_splits/{split}.txt', pipeline=[]))
        assert len(ds) == n
        info = ds[0]
        seg = LoadAnnotations()(dict(info, seg_fields=[]))['gt_seg_map']
        expected = np.asarray(Image.open(info['seg_map_path'][:-4] + '_labelTrainIds.png'))
        assert np.array_equal(seg, expected)


def test_domains_differ_in_appearance_not_in_label_statistics():
    rng_a, rng_b = np.random.default_rng(0), np.random.default_rng(0)
    syn = [render_street_sample(rng_a, 'synthetic') for _ in range(8)]
    real = [render_street_sample(rng_b, 'real') for _ in range(8)]
    # same class inventory; "real" images are noisier (texture + sensor noise)
    def roughness(img):
        return np.abs(np.diff(img.astype(np.float32), axis=1)).mean()
    assert np.mean([roughness(i) for i, _ in real]) > 1.5 * np.mean([roughness(i) for i, _ in syn])
    classes = lambda samples: set().union(*[set(np.unique(lbl)) for _, lbl in samples])  # noqa: E731
    assert classes(syn) - {1} <= classes(real)
