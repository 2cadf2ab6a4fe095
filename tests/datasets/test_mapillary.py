"""Mapillary Vistas v1.2 -> 19 Cityscapes classes, pixel by pixel, on a tree in the released layout."""
import numpy as np
import pytest
from mmengine.registry import init_default_scope
from PIL import Image

import clipdense  # noqa: F401
from clipdense.datasets.mapillary import MapillaryVistasCityscapesDataset
from mmseg.datasets import MapillaryDataset_v1

from ..models.vltseg.street_trees import write_mapillary

LOAD = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')]


@pytest.fixture(autouse=True, scope='module')
def _mmseg_scope():
    init_default_scope('mmseg')
# Vistas v1.2 class names (mmseg's MapillaryDataset_v1 list, in id order) -> Cityscapes class
VISTAS_TO_CITYSCAPES = {
    'Road': 'road', 'Lane Marking - General': 'road', 'Manhole': 'road', 'Curb': 'sidewalk',
    'Sidewalk': 'sidewalk', 'Building': 'building', 'Wall': 'wall', 'Fence': 'fence', 'Pole': 'pole',
    'Utility Pole': 'pole', 'Traffic Light': 'traffic light', 'Traffic Sign (Front)': 'traffic sign',
    'Vegetation': 'vegetation', 'Terrain': 'terrain', 'Sky': 'sky', 'Person': 'person',
    'Bicyclist': 'rider', 'Motorcyclist': 'rider', 'Other Rider': 'rider', 'Car': 'car',
    'Truck': 'truck', 'Bus': 'bus', 'On Rails': 'train', 'Motorcycle': 'motorcycle',
    'Bicycle': 'bicycle'}


def expected_lut(classes):
    """id -> train id from the class *names* (independent of clipdense's id table)."""
    vistas = MapillaryDataset_v1.METAINFO['classes']
    assert len(vistas) == 66
    lut = np.full(256, 255, np.uint8)
    for vid, name in enumerate(vistas):
        if name in VISTAS_TO_CITYSCAPES:
            lut[vid] = classes.index(VISTAS_TO_CITYSCAPES[name])
    return lut


@pytest.fixture(scope='module')
def vistas(tmp_path_factory):
    return write_mapillary(str(tmp_path_factory.mktemp('mapillary')), n=2, size=(48, 64), block=4)


def test_v12_ids_map_to_cityscapes_pixel_by_pixel(vistas):
    ds = MapillaryVistasCityscapesDataset(data_root=vistas, pipeline=LOAD)
    lut = expected_lut(list(ds.metainfo['classes']))
    assert len(ds) == 2
    for i in range(len(ds)):
        raw = np.array(Image.open(ds.get_data_info(i)['seg_map_path']))
        assert raw.max() > 19  # real v1.2 ids, not train ids
        np.testing.assert_array_equal(ds[i]['gt_seg_map'], lut[raw])
    assert int((lut != 255).sum()) == 25


def test_v2_download_layout_and_errors(vistas, tmp_path):
    import shutil
    v2 = tmp_path / 'v2'
    shutil.copytree(f'{vistas}/validation/images', v2 / 'validation' / 'images')
    shutil.copytree(f'{vistas}/validation/labels', v2 / 'validation' / 'v1.2' / 'labels')
    ds = MapillaryVistasCityscapesDataset(
        data_root=str(v2), data_prefix=dict(img_path='validation/images',
                                            seg_map_path='validation/v1.2/labels'), pipeline=LOAD)
    assert len(ds) == 2 and ds[0]['gt_seg_map'].max() <= 255
    with pytest.raises(FileNotFoundError, match=r'Mapillary Vistas labels not found .*v1.2/labels'):
        MapillaryVistasCityscapesDataset(data_root=str(v2))
    with pytest.raises(ValueError, match='split'):
        MapillaryVistasCityscapesDataset(data_root=vistas, split='val')
    with pytest.raises(ValueError, match="Mapillary label_format must be 'id' or 'trainId'"):
        MapillaryVistasCityscapesDataset(data_root=vistas, label_format='labelIds')
