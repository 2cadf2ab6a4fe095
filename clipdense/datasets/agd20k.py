"""AGD20K (Luo et al., CVPR 2022) in its released layout, and its heat-map ground truth.

Layout (``data_root`` is the folder holding ``Seen/`` and ``Unseen/``)::

    AGD20K/{Seen,Unseen}/trainset/egocentric/<affordance>/<object>/<name>.jpg
    AGD20K/{Seen,Unseen}/trainset/exocentric/<affordance>/<object>/<name>.jpg
    AGD20K/{Seen,Unseen}/testset/egocentric/<affordance>/<object>/<name>.jpg
    AGD20K/{Seen,Unseen}/testset/GT/<affordance>/<object>/<name>.png     heat map, 0..255

The test set is the egocentric images that have a GT heat map (as in the AGD20K code);
training images carry only their affordance and object labels (weak supervision). Each
sample's ``text`` is the affordance written as an action prompt (``cut_with`` -> ``cut with``).
"""
import os
import os.path as osp
from typing import List, Sequence

import cv2
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.dataset import BaseDataset
from mmengine.structures import PixelData
from mmseg.datasets.transforms import PackSegInputs
from mmseg.registry import DATASETS, TRANSFORMS

SEEN_AFFORDANCES = (
    'beat', 'boxing', 'brush_with', 'carry', 'catch', 'cut', 'cut_with', 'drag', 'drink_with',
    'eat', 'hit', 'hold', 'jump', 'kick', 'lie_on', 'lift', 'look_out', 'open', 'pack', 'peel',
    'pick_up', 'pour', 'push', 'ride', 'sip', 'sit_on', 'stick', 'stir', 'swing', 'take_photo',
    'talk_on', 'text_on', 'throw', 'type_on', 'wash', 'write')
UNSEEN_AFFORDANCES = (
    'carry', 'catch', 'cut', 'cut_with', 'drink_with', 'eat', 'hit', 'hold', 'jump', 'kick',
    'lie_on', 'open', 'peel', 'pick_up', 'pour', 'push', 'ride', 'sip', 'sit_on', 'stick',
    'swing', 'take_photo', 'throw', 'type_on', 'wash')
AGD20K_OBJECTS = (
    'apple', 'axe', 'badminton_racket', 'banana', 'baseball', 'baseball_bat', 'basketball', 'bed',
    'bench', 'bicycle', 'binoculars', 'book', 'bottle', 'bowl', 'broccoli', 'camera', 'carrot',
    'cell_phone', 'chair', 'couch', 'cup', 'discus', 'drum', 'fork', 'frisbee', 'golf_clubs',
    'hammer', 'hot_dog', 'javelin', 'keyboard', 'knife', 'laptop', 'microwave', 'motorcycle',
    'orange', 'oven', 'pen', 'punching_bag', 'refrigerator', 'rugby_ball', 'scissors',
    'skateboard', 'skis', 'snowboard', 'soccer_ball', 'suitcase', 'surfboard', 'tennis_racket',
    'toothbrush', 'wine_glass')
AFFORDANCES = dict(Seen=SEEN_AFFORDANCES, Unseen=UNSEEN_AFFORDANCES)
IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png')


def action_prompt(affordance: str, template: str = '{}') -> str:
    """``'cut_with'`` -> ``template.format('cut with')``."""
    return template.format(affordance.replace('_', ' '))


@DATASETS.register_module()
class AGD20KDataset(BaseDataset):
    """AGD20K images with affordance/object labels and (test set) GT heat-map paths.

    Args:
        data_root: folder holding ``Seen/`` and ``Unseen/``.
        split: ``'Seen'`` (36 affordances) or ``'Unseen'`` (25 affordances, novel objects).
        subset: ``'testset'`` or ``'trainset'``.
        view: ``'egocentric'`` or ``'exocentric'`` (the test set is egocentric only).
        prompt_template: format string turning the affordance into the action prompt.

    Each data info: ``img_path``, ``gt_heatmap_path`` (test set, else ``None``),
    ``affordance``, ``object``, ``label`` (index into ``metainfo['classes']``), ``text``.
    """

    def __init__(self, data_root: str, split: str = 'Seen', subset: str = 'testset',
                 view: str = 'egocentric', prompt_template: str = '{}', **kwargs):
        if split not in AFFORDANCES:
            raise ValueError(f'AGD20K split {split!r} is unknown; use "Seen" or "Unseen"')
        if subset not in ('testset', 'trainset'):
            raise ValueError(f'AGD20K subset {subset!r} is unknown; use "testset" or "trainset"')
        if view not in ('egocentric', 'exocentric') or (subset, view) == ('testset', 'exocentric'):
            raise ValueError(f'AGD20K has no {subset}/{view}; the test set is egocentric, '
                             'the training set has egocentric and exocentric images')
        self.split, self.subset, self.view = split, subset, view
        self.prompt_template = prompt_template
        kwargs.setdefault('metainfo', dict(classes=AFFORDANCES[split]))
        super().__init__(data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        image_root = osp.join(self.data_root, self.split, self.subset, self.view)
        gt_root = osp.join(self.data_root, self.split, 'testset', 'GT')
        if not osp.isdir(image_root):
            raise FileNotFoundError(
                f'AGD20K images not found at {image_root}; download AGD20K and set data_root to '
                'the folder holding Seen/ and Unseen/ (see configs/affordanceclip/README.md)')
        classes = list(self.metainfo['classes'])
        data_list = []
        for aff in sorted(os.listdir(image_root)):
            if aff not in classes:
                raise ValueError(f'{osp.join(image_root, aff)} is not an AGD20K {self.split} '
                                 f'affordance; expected one of {classes}')
            for obj in sorted(os.listdir(osp.join(image_root, aff))):
                folder = osp.join(image_root, aff, obj)
                for name in sorted(os.listdir(folder)):
                    if not name.lower().endswith(IMAGE_SUFFIXES):
                        continue
                    gt_path = osp.join(gt_root, aff, obj, osp.splitext(name)[0] + '.png')
                    if self.subset == 'testset' and not osp.isfile(gt_path):
                        continue  # the AGD20K test set is the images with a GT map
                    data_list.append(dict(
                        img_path=osp.join(folder, name),
                        gt_heatmap_path=gt_path if self.subset == 'testset' else None,
                        affordance=aff, object=obj, label=classes.index(aff),
                        text=action_prompt(aff, self.prompt_template)))
        if not data_list:
            raise FileNotFoundError(f'no AGD20K images (with GT maps) below {image_root}')
        return data_list


@TRANSFORMS.register_module()
class LoadAffordanceHeatmap(BaseTransform):
    """Read ``gt_heatmap_path`` (grey PNG, 0..255) into ``results['gt_heatmap']`` float32 [0, 1]."""

    def transform(self, results: dict) -> dict:
        path = results.get('gt_heatmap_path')
        heatmap = cv2.imread(path, cv2.IMREAD_GRAYSCALE) if path else None
        if heatmap is None:
            raise FileNotFoundError(f'GT heat map {path!r} is missing or unreadable; the AGD20K '
                                    'test set needs testset/GT/<affordance>/<object>/<name>.png')
        results['gt_heatmap'] = heatmap.astype(np.float32) / 255.0
        return results


@TRANSFORMS.register_module()
class PackAffordanceInputs(PackSegInputs):
    """``PackSegInputs`` that also packs ``gt_heatmap`` (``[1, H, W]`` at the original image
    size, as ``data_sample.gt_heatmap``) and keeps the text prompt and labels in the metainfo."""

    def __init__(self, meta_keys: Sequence[str] = (
            'img_path', 'seg_map_path', 'ori_shape', 'img_shape', 'pad_shape', 'scale_factor',
            'flip', 'flip_direction', 'reduce_zero_label', 'text', 'affordance', 'object',
            'label')):
        super().__init__(meta_keys=meta_keys)

    def transform(self, results: dict) -> dict:
        packed = super().transform(results)
        if 'gt_heatmap' in results:
            heatmap = torch.from_numpy(np.ascontiguousarray(results['gt_heatmap']))[None]
            packed['data_samples'].gt_heatmap = PixelData(data=heatmap)
        return packed

