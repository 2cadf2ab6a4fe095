"""16-bit label maps (ADE20K-847 / Pascal Context-459) load without wrapping ids above 255."""
import numpy as np
import pytest
from PIL import Image

from clipdense.models.ovseg import LoadWideSegAnnotations


@pytest.mark.parametrize('ext', ['tif', 'png'])
def test_ids_above_255_and_the_ignore_value_survive(tmp_path, ext):
    seg = np.array([[0, 255, 256], [846, 65535, 3]], dtype=np.uint16)
    path = str(tmp_path / f'a.{ext}')
    Image.fromarray(seg).save(path)
    out = LoadWideSegAnnotations()(dict(seg_map_path=path))
    assert out['gt_seg_map'].dtype == np.int64
    assert out['gt_seg_map'].tolist() == seg.astype(np.int64).tolist()
    assert 'gt_seg_map' in out['seg_fields']


def test_reduce_zero_label_and_bad_files(tmp_path):
    path = str(tmp_path / 'b.png')
    Image.fromarray(np.array([[0, 1, 300]], dtype=np.uint16)).save(path)
    out = LoadWideSegAnnotations(reduce_zero_label=True)(dict(seg_map_path=path))
    assert out['gt_seg_map'].tolist() == [[65535, 0, 299]]
    rgb = str(tmp_path / 'c.png')
    Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(rgb)
    with pytest.raises(ValueError, match='3 channels'):
        LoadWideSegAnnotations()(dict(seg_map_path=rgb))
