"""Mask-category pairs dataset: COCO-style JSON with RLE masks -> masked 224-style crops + names."""
import json

import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS
from PIL import Image
from pycocotools import mask as mask_utils

from clipdense.datasets.ovseg_pairs import CLIP_MEAN_RGB, CropMaskedRegion


def _write_pairs(root):
    (root / 'imgs').mkdir()
    img = np.zeros((40, 60, 3), np.uint8)
    img[5:25, 10:30] = (200, 30, 30)                            # a red square (RGB)
    Image.fromarray(img).save(root / 'imgs' / 'a.png')
    mask = np.zeros((40, 60), np.uint8)
    mask[5:25, 10:30] = 1
    rle = mask_utils.encode(np.asfortranarray(mask))
    poly = [[40, 30, 55, 30, 55, 38, 40, 38]]                    # polygon form is accepted too
    data = dict(images=[dict(id=7, file_name='a.png', height=40, width=60)],
                categories=[dict(id=1, name='red square'), dict(id=2, name='strip')],
                annotations=[dict(id=1, image_id=7, category_id=1, score=0.9,
                                  segmentation=dict(size=rle['size'], counts=rle['counts'].decode())),
                             dict(id=2, image_id=7, category_id=2, score=0.1, segmentation=poly)])
    (root / 'pairs.json').write_text(json.dumps(data))
    return root


def _dataset(root, **kw):
    init_default_scope('mmseg')
    return DATASETS.build(dict(
        type='MaskCategoryPairsDataset', data_root=str(root), ann_file='pairs.json',
        data_prefix=dict(img_path='imgs'), pipeline=[
            dict(type='LoadImageFromFile'), dict(type='CropMaskedRegion', size=32),
            dict(type='PackMaskCategoryInputs')], **kw))


def test_samples_are_masked_crops_with_their_category(tmp_path):
    ds = _dataset(_write_pairs(tmp_path))
    assert len(ds) == 2 and ds.metainfo['classes'] == ('red square', 'strip')
    s = ds[0]
    assert s['inputs'].shape == (3, 32, 32) and s['data_samples'].category == 'red square'
    assert s['data_samples'].region_mask.all()                  # the box is the mask here
    bgr = s['inputs'].numpy().transpose(1, 2, 0)
    assert np.abs(bgr[8, 8].astype(int) - [30, 30, 200]).max() <= 2
    strip = ds[1]['data_samples']
    assert strip.category == 'strip' and strip.region_mask.any()


def test_min_score_filters_pairs(tmp_path):
    assert len(_dataset(_write_pairs(tmp_path), min_score=0.5)) == 1


def test_pixels_outside_the_mask_get_clips_mean_colour():
    img = np.full((20, 20, 3), 255, np.uint8)
    mask = np.zeros((20, 20), np.uint8)
    mask[2:10, 2:10] = 1
    mask[9, 9] = 0
    rle = mask_utils.encode(np.asfortranarray(mask))
    rle['counts'] = rle['counts'].decode()
    out = CropMaskedRegion(size=8)(dict(img=img, segmentation=rle, height=20, width=20))
    assert out['img'].shape == (8, 8, 3) and out['region_mask'][0, 0] == 1
    assert out['region_mask'][7, 7] == 0
    assert np.abs(out['img'][7, 7] - np.array(CLIP_MEAN_RGB[::-1])).max() < 1     # BGR fill


def test_missing_file_is_a_one_line_error(tmp_path):
    with pytest.raises(FileNotFoundError, match='ovseg_mine_pairs'):
        _dataset(tmp_path)
