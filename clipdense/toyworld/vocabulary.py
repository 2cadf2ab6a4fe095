"""Every name and id of the toy world: colours, shapes, street classes, defects, tools.

Held out of all supervised training (documented in ``objects/meta.json`` as well): the object
colours :data:`UNSEEN_COLOURS` and the shape :data:`UNSEEN_SHAPES` never occur in the
``objects`` *train* split, only in its *val* split and in the CLIP pretraining corpus (the
stand-in for web-scale image-text data, where every word occurs).
"""
from collections import OrderedDict

import numpy as np

# ---------------------------------------------------------------- object scenes
COLOURS = OrderedDict([  # name -> mean RGB of an object of that colour
    ('red', (215, 35, 35)), ('orange', (245, 135, 20)), ('yellow', (235, 215, 30)),
    ('green', (40, 160, 50)), ('cyan', (30, 200, 215)), ('blue', (35, 65, 215)),
    ('purple', (135, 45, 185)), ('pink', (245, 125, 190)),
])
COLOUR_NAMES = tuple(COLOURS)
SHAPE_NAMES = ('circle', 'square', 'triangle', 'cross', 'ring', 'star')
UNSEEN_COLOURS = ('cyan', 'purple')
UNSEEN_SHAPES = ('star',)
SEEN_COLOURS = tuple(c for c in COLOUR_NAMES if c not in UNSEEN_COLOURS)
SEEN_SHAPES = tuple(s for s in SHAPE_NAMES if s not in UNSEEN_SHAPES)
# Label maps of object scenes: 0 = background, i + 1 = COLOUR_NAMES[i] (or SHAPE_NAMES[i]).
OBJECT_BACKGROUND = 'background'

# Prompts that the toy CLIP was trained with (a subset of CLIP's ImageNet templates is also
# mixed into its captions, so 'imagenet80'/'single' templates work too).
TOY_TEMPLATES = ('a photo of a {}.', 'a {} thing.', 'a photo of something {}.', '{}')

# ---------------------------------------------------------------- street scenes (Cityscapes ids)
CITYSCAPES_CLASSES = (
    'road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light', 'traffic sign',
    'vegetation', 'terrain', 'sky', 'person', 'rider', 'car', 'truck', 'bus', 'train',
    'motorcycle', 'bicycle')
CITYSCAPES_PALETTE = (
    (128, 64, 128), (244, 35, 232), (70, 70, 70), (102, 102, 156), (190, 153, 153),
    (153, 153, 153), (250, 170, 30), (220, 220, 0), (107, 142, 35), (152, 251, 152),
    (70, 130, 180), (220, 20, 60), (255, 0, 0), (0, 0, 142), (0, 0, 70), (0, 60, 100),
    (0, 80, 100), (0, 0, 230), (119, 11, 32))
# Cityscapes label id -> train id (cityscapesScripts' labels.py); every other id -> 255.
LABEL_ID_TO_TRAIN_ID = {7: 0, 8: 1, 11: 2, 12: 3, 13: 4, 17: 5, 19: 6, 20: 7, 21: 8, 22: 9,
                        23: 10, 24: 11, 25: 12, 26: 13, 27: 14, 28: 15, 31: 16, 32: 17, 33: 18}
# The classes the street scenes contain, as Cityscapes label ids (plus 0 unlabeled, 1 ego vehicle).
STREET_LABEL_IDS = OrderedDict([
    ('unlabeled', 0), ('ego vehicle', 1), ('road', 7), ('sidewalk', 8), ('building', 11),
    ('pole', 17), ('vegetation', 21), ('sky', 23), ('person', 24), ('car', 26)])
STREET_CLASSES = ('road', 'sidewalk', 'building', 'pole', 'vegetation', 'sky', 'person', 'car')


def label_ids_to_train_ids(label_ids: np.ndarray) -> np.ndarray:
    """Map a Cityscapes label-id map ``[H, W]`` to train ids (0..18, 255 = ignore)."""
    lut = np.full(256, 255, np.uint8)
    for lid, tid in LABEL_ID_TO_TRAIN_ID.items():
        lut[lid] = tid
    return lut[label_ids]


# ---------------------------------------------------------------- industrial (MVTec AD layout)
MVTEC_CATEGORIES = ('fabric', 'washer')  # a texture and an object; never in CLIP pretraining
MVTEC_TEXTURES = ('fabric',)  # prompted as a texture (AnoVL's domain-aware prompts)
MVTEC_DEFECTS = ('scratch', 'hole', 'stain')
# Surfaces the CLIP pretraining corpus shows with and without the same defects.
PRETRAIN_SURFACES = ('wood', 'metal', 'paper', 'stone')

# ---------------------------------------------------------------- affordances (UMD layout)
# UMD part-affordance ids (0 = background).
AFFORDANCE_IDS = OrderedDict([('background', 0), ('grasp', 1), ('cut', 2), ('scoop', 3),
                              ('contain', 4), ('pound', 5), ('support', 6), ('wrap-grasp', 7)])
# tool -> (part name, affordance) for its two parts: (handle-like part, working part).
TOOL_PARTS = OrderedDict([
    ('knife', (('handle', 'grasp'), ('blade', 'cut'))),
    ('hammer', (('handle', 'grasp'), ('head', 'pound'))),
    ('spoon', (('handle', 'grasp'), ('bowl', 'scoop'))),
    ('cup', (('body', 'wrap-grasp'), ('opening', 'contain'))),
])
# Phrases an affordance query may use for each action.
ACTION_PHRASES = OrderedDict([('grasp', 'hold'), ('cut', 'cut'), ('scoop', 'scoop'),
                              ('contain', 'pour into'), ('pound', 'hit'),
                              ('wrap-grasp', 'hold')])
