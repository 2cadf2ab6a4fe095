# ReCo zero-shot transfer on COCO-Stuff-27 (paper: 46.1 pixel accuracy, 26.3 mIoU, with CRF).
# ReCo segments COCO-Stuff's 171 fine concepts; each maps to its coarse class (the max over its
# concepts), the table of clipdense/datasets/reco_coco_stuff27.py (COCO_STUFF171_*).
#   python tools/reco_build_index.py configs/reco/reco_coco_stuff27.py --out work_dirs/reco_coco_stuff27/references.pth
#   python tools/test.py configs/reco/reco_coco_stuff27.py work_dirs/reco_coco_stuff27/references.pth
_base_ = ['./_base_/reco_recipe.py', './_base_/coco_stuff27.py']

fine_concepts = (
    'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat',
    'traffic light', 'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat',
    'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'backpack',
    'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball',
    'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket',
    'bottle', 'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple',
    'sandwich', 'orange', 'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair',
    'couch', 'potted plant', 'bed', 'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote',
    'keyboard', 'cell phone', 'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book',
    'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush', 'banner', 'blanket',
    'branch', 'bridge', 'building other', 'bush', 'cabinet', 'cage', 'cardboard', 'carpet',
    'ceiling other', 'ceiling tile', 'cloth', 'clothes', 'clouds', 'counter', 'cupboard',
    'curtain', 'desk stuff', 'dirt', 'door stuff', 'fence', 'floor marble', 'floor other',
    'floor stone', 'floor tile', 'floor wood', 'flower', 'fog', 'food other', 'fruit',
    'furniture other', 'grass', 'gravel', 'ground other', 'hill', 'house', 'leaves', 'light',
    'mat', 'metal', 'mirror stuff', 'moss', 'mountain', 'mud', 'napkin', 'net', 'paper',
    'pavement', 'pillow', 'plant other', 'plastic', 'platform', 'playingfield', 'railing',
    'railroad', 'river', 'road', 'rock', 'roof', 'rug', 'salad', 'sand', 'sea', 'shelf',
    'sky other', 'skyscraper', 'snow', 'solid other', 'stairs', 'stone', 'straw',
    'structural other', 'table', 'tent', 'textile other', 'towel', 'tree', 'vegetable',
    'wall brick', 'wall concrete', 'wall other', 'wall panel', 'wall stone', 'wall tile',
    'wall wood', 'water other', 'waterdrops', 'window blind', 'window other', 'wood',
)
fine_to_coarse = (  # index into the 27 classes of the dataset config
    9, 11, 11, 11, 11, 11, 11, 11, 11, 8, 8, 8, 8, 8, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6,
    6, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 5, 5, 5, 5, 5, 5, 5, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 4, 4, 4, 4, 4, 4, 4, 17, 17, 22, 20,
    20, 22, 15, 25, 16, 13, 12, 12, 17, 17, 23, 15, 15, 17, 15, 21, 15, 25, 13, 13, 13, 13, 13,
    22, 26, 14, 14, 15, 22, 21, 21, 24, 20, 22, 15, 17, 16, 15, 22, 24, 21, 17, 25, 16, 21, 17,
    22, 16, 21, 21, 25, 21, 26, 21, 24, 20, 17, 14, 21, 26, 15, 23, 20, 21, 24, 15, 24, 22, 25,
    15, 20, 17, 17, 22, 14, 18, 18, 18, 18, 18, 18, 18, 26, 26, 19, 19, 24,
)
model = dict(class_names=fine_concepts, concept_labels=fine_to_coarse)
train_dataloader = None  # ReCo is training-free; reco_plus_deeplabv3plus_r101_coco_stuff27.py trains the student
