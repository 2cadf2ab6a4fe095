"""COCO-Stuff with the 27 coarse classes of the unsupervised-segmentation protocol (IIC, PiCIE,
STEGO, ReCo), in STEGO's curated layout::

    cocostuff/images/{train2017,val2017}/<id>.jpg
    cocostuff/annotations/{train2017,val2017}/<id>.png     # fine ids 0..181, 255 = unlabelled
    cocostuff/curated/{train2017,val2017}/Coco164kFull_Stuff_Coarse.txt   # ids, one per line

Fine ids are 0-based COCO ids (``id - 1``); 11 of the 182 ids are unused, which leaves the 171
fine classes that ReCo segments (:data:`COCO_STUFF171_CONCEPTS`) before mapping to 27.
"""
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

COCO_STUFF27_CLASSES = (
    'electronic', 'appliance', 'food-things', 'furniture-things', 'indoor', 'kitchen', 'accessory',
    'animal', 'outdoor', 'person', 'sports', 'vehicle',                                   # things
    'ceiling', 'floor', 'food-stuff', 'furniture-stuff', 'raw material', 'textile', 'wall', 'window',
    'building', 'ground', 'plant', 'sky', 'solid', 'structural', 'water')                # stuff

# 0-based fine id -> name; ``None`` for the 11 ids that COCO-Stuff does not use.
COCO_STUFF182_NAMES = (
    'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat',
    'traffic light', 'fire hydrant', None, 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog',
    'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', None, 'backpack', 'umbrella',
    None, None, 'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball', 'kite',
    'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle', None,
    'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
    'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed',
    None, 'dining table', None, None, 'toilet', None, 'tv', 'laptop', 'mouse', 'remote', 'keyboard',
    'cell phone', 'microwave', 'oven', 'toaster', 'sink', 'refrigerator', None, 'book', 'clock',
    'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush', None, 'banner', 'blanket',
    'branch', 'bridge', 'building other', 'bush', 'cabinet', 'cage', 'cardboard', 'carpet',
    'ceiling other', 'ceiling tile', 'cloth', 'clothes', 'clouds', 'counter', 'cupboard', 'curtain',
    'desk stuff', 'dirt', 'door stuff', 'fence', 'floor marble', 'floor other', 'floor stone',
    'floor tile', 'floor wood', 'flower', 'fog', 'food other', 'fruit', 'furniture other', 'grass',
    'gravel', 'ground other', 'hill', 'house', 'leaves', 'light', 'mat', 'metal', 'mirror stuff',
    'moss', 'mountain', 'mud', 'napkin', 'net', 'paper', 'pavement', 'pillow', 'plant other',
    'plastic', 'platform', 'playingfield', 'railing', 'railroad', 'river', 'road', 'rock', 'roof',
    'rug', 'salad', 'sand', 'sea', 'shelf', 'sky other', 'skyscraper', 'snow', 'solid other', 'stairs',
    'stone', 'straw', 'structural other', 'table', 'tent', 'textile other', 'towel', 'tree',
    'vegetable', 'wall brick', 'wall concrete', 'wall other', 'wall panel', 'wall stone', 'wall tile',
    'wall wood', 'water other', 'waterdrops', 'window blind', 'window other', 'wood')

# 0-based fine id -> coarse id (IIC's table). Things come in runs; stuff ids 91..181 are listed.
_THING_RUNS = ((1, 9), (8, 11), (6, 8), (10, 7), (8, 6), (10, 10), (8, 5), (10, 2), (10, 3), (6, 0),
               (6, 1), (8, 4))  # (run length, coarse id) for fine ids 0..90
_STUFF_COARSE = (
    17, 17, 22, 20, 20, 22, 15, 25, 16, 13, 12, 12, 17, 17, 23, 15, 15, 17, 15, 21, 15, 25, 13, 13,
    13, 13, 13, 22, 26, 14, 14, 15, 22, 21, 21, 24, 20, 22, 15, 17, 16, 15, 22, 24, 21, 17, 25, 16,
    21, 17, 22, 16, 21, 21, 25, 21, 26, 21, 24, 20, 17, 14, 21, 26, 15, 23, 20, 21, 24, 15, 24, 22,
    25, 15, 20, 17, 17, 22, 14, 18, 18, 18, 18, 18, 18, 18, 26, 26, 19, 19, 24)
FINE_TO_COARSE = tuple(c for n, c in _THING_RUNS for _ in range(n)) + _STUFF_COARSE
assert len(FINE_TO_COARSE) == len(COCO_STUFF182_NAMES) == 182

# The 171 concepts ReCo segments on COCO-Stuff and the coarse class each maps to.
COCO_STUFF171_CONCEPTS = tuple(n for n in COCO_STUFF182_NAMES if n is not None)
COCO_STUFF171_TO_27 = tuple(c for n, c in zip(COCO_STUFF182_NAMES, FINE_TO_COARSE) if n is not None)


@DATASETS.register_module()
class ReCoCocoStuff27Dataset(BaseSegDataset):
    """COCO-Stuff-27: fine annotation PNGs mapped to the 27 coarse classes on loading.

    Use ``ann_file='curated/val2017/Coco164kFull_Stuff_Coarse.txt'`` with
    ``data_prefix=dict(img_path='images/val2017', seg_map_path='annotations/val2017')``.
    """
    METAINFO = dict(classes=COCO_STUFF27_CLASSES)

    def __init__(self, img_suffix='.jpg', seg_map_suffix='.png', **kwargs):
        super().__init__(img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)

    @classmethod
    def get_label_map(cls, new_classes=None):
        """Fine ids 0..181 -> coarse ids 0..26 (applied by ``LoadAnnotations``)."""
        if new_classes is not None and tuple(new_classes) != COCO_STUFF27_CLASSES:
            raise ValueError('ReCoCocoStuff27Dataset has fixed classes; drop metainfo.classes')
        return dict(enumerate(FINE_TO_COARSE))
