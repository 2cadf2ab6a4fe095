"""Referring pairs from RefCOCO-style records: polygon / RLE rasterisation and the pair choice."""
import numpy as np
import pytest

from clipdense.models.affordanceclip import SampleReferringExpression, rasterize_coco_mask


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pycocotools vs numpy 2
def test_polygon_and_rle_rasterise_to_the_same_square():
    poly = [[2, 1, 6, 1, 6, 4, 2, 4]]                    # x 2..6, y 1..4 (inclusive vertices)
    m = rasterize_coco_mask(poly, 6, 8)
    assert m.dtype == np.uint8 and m.sum() == 5 * 4 and m[1:5, 2:7].all()
    from pycocotools import mask as mask_utils
    rle = mask_utils.encode(np.asfortranarray(m))
    rle['counts'] = rle['counts'].decode()
    np.testing.assert_array_equal(rasterize_coco_mask(rle, 6, 8), m)


def _record():
    return dict(img_path='x.jpg', ori_shape=(6, 8), text=['left box', 'right box'],
                instances=[dict(mask=[[0, 0, 2, 0, 2, 2, 0, 2]], ignore_flag=0),
                           dict(mask=[[5, 0, 7, 0, 7, 2, 5, 2]], ignore_flag=0)])


def test_first_mode_is_deterministic_and_random_mode_covers_all_pairs():
    out = SampleReferringExpression(mode='first')(_record())
    assert out['text'] == 'left box' and out['gt_seg_map'][:3, :3].all()
    assert out['gt_seg_map'].sum() == 9 and 'gt_seg_map' in out['seg_fields']
    np.random.seed(0)
    seen = {SampleReferringExpression()(_record())['text'] for _ in range(20)}
    assert seen == {'left box', 'right box'}
    right = [r for r in (SampleReferringExpression()(_record()) for _ in range(10))
             if r['text'] == 'right box'][0]
    assert right['gt_seg_map'][:3, 5:8].all() and right['gt_seg_map'][:, :5].sum() == 0


def test_bad_records_are_explained():
    rec = _record()
    rec['text'] = ['only one']
    with pytest.raises(ValueError, match='RefCocoDataset'):
        SampleReferringExpression()(rec)
    with pytest.raises(ValueError, match='"random" or "first"'):
        SampleReferringExpression(mode='all')
