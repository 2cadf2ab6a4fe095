"""Mapillary Vistas v1.2 (Neuhold et al., ICCV 2017) mapped to the 19 Cityscapes classes, the
usual protocol of domain-generalized segmentation (same mapping as DAFormer/HRDA's converter).

Layout (``mapillary-vistas-dataset_public_v1.2.zip``)::

    <data_root>/{training,validation}/images/<key>.jpg
    <data_root>/{training,validation}/labels/<key>.png      v1.2 class ids 0..65 (palette PNG)

With the v2.0 download the v1.2 labels are in ``<split>/v1.2/labels`` (set ``data_prefix``).
Ids are mapped to train ids on loading through ``label_map`` (unlisted ids -> 255), or read
pre-converted ``<key>_labelTrainIds.png`` files with ``label_format='trainId'``.
"""
from typing import List, Optional

from mmseg.datasets import BaseSegDataset, CityscapesDataset
from mmseg.registry import DATASETS

from .folder_checks import require_data_folders
from .gta5 import attach_train_id_map, label_format_suffix

NUM_VISTAS_V12_IDS = 66
# Vistas v1.2 id (name) -> Cityscapes train id; the other 41 ids (animals, barriers other than
# curb/fence/wall, bridges, water, street furniture, boats, caravans, trailers, void...) -> 255.
VISTAS_V12_ID_TO_TRAIN_ID = {
    13: 0,   # construction--flat--road
    24: 0,   # marking--general (lane markings)
    41: 0,   # object--manhole
    2: 1,    # construction--barrier--curb
    15: 1,   # construction--flat--sidewalk
    17: 2,   # construction--structure--building
    6: 3,    # construction--barrier--wall
    3: 4,    # construction--barrier--fence
    45: 5,   # object--support--pole
    47: 5,   # object--support--utility-pole
    48: 6,   # object--traffic-light
    50: 7,   # object--traffic-sign--front
    30: 8,   # nature--vegetation
    29: 9,   # nature--terrain
    27: 10,  # nature--sky
    19: 11,  # human--person
    20: 12,  # human--rider--bicyclist
    21: 12,  # human--rider--motorcyclist
    22: 12,  # human--rider--other-rider
    55: 13,  # object--vehicle--car
    61: 14,  # object--vehicle--truck
    54: 15,  # object--vehicle--bus
    58: 16,  # object--vehicle--on-rails
    57: 17,  # object--vehicle--motorcycle
    52: 18,  # object--vehicle--bicycle
}


@DATASETS.register_module()
class MapillaryVistasCityscapesDataset(BaseSegDataset):
    """Mapillary Vistas v1.2 with the 19 Cityscapes classes.

    Args:
        split: ``'training'`` or ``'validation'``; sets the default ``data_prefix``.
        label_format: ``'id'`` (released v1.2 labels) or ``'trainId'`` (converted files).
    """
    METAINFO = CityscapesDataset.METAINFO

    def __init__(self, split: str = 'validation', label_format: str = 'id',
                 data_prefix: Optional[dict] = None, img_suffix: str = '.jpg',
                 seg_map_suffix: Optional[str] = None, **kwargs):
        if split not in ('training', 'validation'):
            raise ValueError(f"Mapillary split must be 'training' or 'validation', got {split!r}")
        seg_map_suffix = label_format_suffix('Mapillary', label_format, seg_map_suffix)
        self.label_format = label_format
        if data_prefix is None:
            data_prefix = dict(img_path=f'{split}/images', seg_map_path=f'{split}/labels')
        super().__init__(data_prefix=data_prefix, img_suffix=img_suffix,
                         seg_map_suffix=seg_map_suffix, **kwargs)

    def load_data_list(self) -> List[dict]:
        require_data_folders(
            'Mapillary Vistas', self.data_prefix, 'download v1.2 from https://www.mapillary.com/'
            'dataset/vistas and extract it into data_root (v2.0 download: seg_map_path=<split>/'
            'v1.2/labels)')
        return attach_train_id_map(super().load_data_list(), self.label_format,
                                   VISTAS_V12_ID_TO_TRAIN_ID, NUM_VISTAS_V12_IDS, self.label_map)
