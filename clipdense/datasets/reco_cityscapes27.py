"""Cityscapes with the 27 classes of the unsupervised-segmentation protocol (PiCIE, STEGO, ReCo).

Same layout as MMSeg's ``CityscapesDataset`` (``leftImg8bit/{split}/<city>/*_leftImg8bit.png``),
but labels come from the official ``*_gtFine_labelIds.png``: label ids 7..33 become 0..26 (every
class that is not void, including parking, rail track, guard rail, bridge, tunnel, polegroup,
caravan and trailer); ids 0..6 are ignored (255).
"""
from mmseg.datasets import CityscapesDataset
from mmseg.registry import DATASETS

CITYSCAPES27_CLASSES = (
    'road', 'sidewalk', 'parking', 'rail track', 'building', 'wall', 'fence', 'guard rail', 'bridge',
    'tunnel', 'pole', 'polegroup', 'traffic light', 'traffic sign', 'vegetation', 'terrain', 'sky',
    'person', 'rider', 'car', 'truck', 'bus', 'caravan', 'trailer', 'train', 'motorcycle', 'bicycle')
CITYSCAPES27_PALETTE = (
    (128, 64, 128), (244, 35, 232), (250, 170, 160), (230, 150, 140), (70, 70, 70), (102, 102, 156),
    (190, 153, 153), (180, 165, 180), (150, 100, 100), (150, 120, 90), (153, 153, 153),
    (153, 153, 153), (250, 170, 30), (220, 220, 0), (107, 142, 35), (152, 251, 152), (70, 130, 180),
    (220, 20, 60), (255, 0, 0), (0, 0, 142), (0, 0, 70), (0, 60, 100), (0, 0, 90), (0, 0, 110),
    (0, 80, 100), (0, 0, 230), (119, 11, 32))
FIRST_NON_VOID_ID = 7
# Cityscapes label id -> 27-class id (ids 0..6 are void).
LABEL_ID_TO_27 = {i: (i - FIRST_NON_VOID_ID if i >= FIRST_NON_VOID_ID else 255) for i in range(34)}


@DATASETS.register_module()
class ReCoCityscapes27Dataset(CityscapesDataset):
    """Cityscapes (27 classes) read from ``*_gtFine_labelIds.png``."""
    METAINFO = dict(classes=CITYSCAPES27_CLASSES, palette=[list(c) for c in CITYSCAPES27_PALETTE])

    def __init__(self, img_suffix='_leftImg8bit.png', seg_map_suffix='_gtFine_labelIds.png', **kwargs):
        super().__init__(img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)

    @classmethod
    def get_label_map(cls, new_classes=None):
        """Label ids -> 27-class ids (applied by ``LoadAnnotations``)."""
        if new_classes is not None and tuple(new_classes) != CITYSCAPES27_CLASSES:
            raise ValueError('ReCoCityscapes27Dataset has fixed classes; drop metainfo.classes or use '
                             'BaseSegDataset for another class list')
        return dict(LABEL_ID_TO_27)
