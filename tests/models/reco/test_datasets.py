"""ReCo benchmark layouts on tiny trees (clipdense.datasets.reco_*): Cityscapes-27 from label ids,
COCO-Stuff-27 from fine ids with a curated list, KITTI-STEP panoptic maps, scoring on the crop."""
import os
import os.path as osp

import numpy as np
from mmseg.registry import DATASETS
from PIL import Image

import clipdense  # noqa: F401
from clipdense.datasets.reco_cityscapes27 import CITYSCAPES27_CLASSES, LABEL_ID_TO_27
from clipdense.datasets.reco_coco_stuff27 import (COCO_STUFF27_CLASSES, COCO_STUFF171_CONCEPTS,
                                                  COCO_STUFF171_TO_27, FINE_TO_COARSE)

LOAD = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'), dict(type='PackSegInputs')]


def save(path, array):
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(array).save(path)


def image(h=30, w=40, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def gt_of(dataset, i):
    return dataset[i]['data_samples'].gt_sem_seg.data[0].numpy()


def test_cityscapes27_maps_label_ids(tmp_path):
    ids = np.random.default_rng(0).integers(0, 34, (30, 40)).astype(np.uint8)
    save(f'{tmp_path}/leftImg8bit/val/aachen/aachen_000000_000019_leftImg8bit.png', image())
    save(f'{tmp_path}/gtFine/val/aachen/aachen_000000_000019_gtFine_labelIds.png', ids)
    ds = DATASETS.build(dict(type='ReCoCityscapes27Dataset', data_root=str(tmp_path),
                             data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
                             pipeline=LOAD))
    expected = np.where(ids >= 7, ids.astype(np.int32) - 7, 255)
    assert len(ds) == 1 and np.array_equal(gt_of(ds, 0), expected)
    assert ds.metainfo['classes'] == CITYSCAPES27_CLASSES and len(ds.metainfo['palette']) == 27
    assert LABEL_ID_TO_27[7] == 0 and LABEL_ID_TO_27[33] == 26 and LABEL_ID_TO_27[6] == 255


def test_coco_stuff27_curated_list_and_fine_to_coarse(tmp_path):
    fine = np.random.default_rng(1).integers(0, 182, (30, 40)).astype(np.uint8)
    fine[:3] = 255
    for name in ('000000000139', '000000000285'):
        save(f'{tmp_path}/images/val2017/{name}.jpg', image())
        save(f'{tmp_path}/annotations/val2017/{name}.png', fine)
    os.makedirs(tmp_path / 'curated' / 'val2017')
    (tmp_path / 'curated' / 'val2017' / 'Coco164kFull_Stuff_Coarse.txt').write_text('000000000285\n')
    ds = DATASETS.build(dict(type='ReCoCocoStuff27Dataset', data_root=str(tmp_path),
                             ann_file='curated/val2017/Coco164kFull_Stuff_Coarse.txt',
                             data_prefix=dict(img_path='images/val2017', seg_map_path='annotations/val2017'),
                             pipeline=LOAD))
    lut = np.array(list(FINE_TO_COARSE) + [255] * 74)
    assert len(ds) == 1 and ds[0]['data_samples'].img_path.endswith('000000000285.jpg')
    assert np.array_equal(gt_of(ds, 0), lut[fine])
    assert len(COCO_STUFF27_CLASSES) == 27 and len(COCO_STUFF171_CONCEPTS) == 171
    # each fine concept maps by its own id (tv is electronic, book is indoor, tree is plant)
    coarse = dict(zip(COCO_STUFF171_CONCEPTS, COCO_STUFF171_TO_27))
    assert [COCO_STUFF27_CLASSES[coarse[n]] for n in ('tv', 'book', 'tree', 'person')] == \
        ['electronic', 'indoor', 'plant', 'person']


def test_kitti_step_reads_the_semantic_channel(tmp_path):
    rng = np.random.default_rng(2)
    pan = np.stack([rng.integers(0, 19, (30, 40)), rng.integers(0, 5, (30, 40)),
                    rng.integers(0, 256, (30, 40))], -1).astype(np.uint8)
    pan[0, :5, 0] = 255
    save(f'{tmp_path}/images/val/0002/000007.png', image())
    save(f'{tmp_path}/panoptic_maps/val/0002/000007.png', pan)
    pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadSTEPSemanticAnnotations'),
                dict(type='PackSegInputs')]
    ds = DATASETS.build(dict(type='ReCoKittiStepDataset', data_root=str(tmp_path),
                             data_prefix=dict(img_path='images/val', seg_map_path='panoptic_maps/val'),
                             pipeline=pipeline))
    assert len(ds) == 1 and np.array_equal(gt_of(ds, 0), pan[..., 0])
    assert len(ds.metainfo['classes']) == 19


def test_scored_at_the_resized_centre_crop(tmp_path):
    ids = np.full((30, 40), 7, np.uint8)
    ids[:, :4] = 26                                      # left border: cropped away
    save(f'{tmp_path}/leftImg8bit/val/c/c_0_0_leftImg8bit.png', image())
    save(f'{tmp_path}/gtFine/val/c/c_0_0_gtFine_labelIds.png', ids)
    pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                dict(type='ResizeShortestEdge', scale=15, max_size=1000), dict(type='CenterCrop', crop_size=15),
                dict(type='ScoreAtCurrentSize'), dict(type='PackSegInputs')]
    ds = DATASETS.build(dict(type='ReCoCityscapes27Dataset', data_root=str(tmp_path),
                             data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
                             pipeline=pipeline))
    sample = ds[0]['data_samples']
    assert sample.ori_shape == (15, 15) and sample.img_shape == (15, 15)
    assert np.array_equal(gt_of(ds, 0), np.zeros((15, 15)))
