"""AffordanceCLIP's proxy task in the toy world: referring expressions for *objects*, never
actions, written in the RefCOCO layout (the toy counterpart of RefCOCOg).

Sources (all from :mod:`clipdense.toyworld`):

* the object scenes (``objects/images/train``): each object is referred to as
  "the <colour> <shape>" / "<colour> <shape>" / "the <colour> thing", its mask from the colour
  label map;
* freshly rendered tools (knife, hammer, spoon, cup; other random streams than the evaluation
  tree ``umd/``): "the <tool>" / "a <tool>", the mask being the *whole* tool.

No action word and no part mask is used, so the trained model has seen no action-object pair:
as in the paper, actions are only queried at test time.
"""
import json
import os.path as osp
from typing import Dict, List

import numpy as np
from PIL import Image

from .refcoco_writer import write_refcoco


def object_scene_samples(world_root: str, split: str = 'train') -> List[dict]:
    """Referring samples of the toy object scenes (one ref per visible object)."""
    from clipdense.toyworld.vocabulary import COLOUR_NAMES
    folder = osp.join(world_root, 'objects')
    with open(osp.join(folder, 'annotations', f'objects_{split}.json')) as f:
        records = json.load(f)
    samples = []
    for rec in records:
        image = np.asarray(Image.open(osp.join(folder, 'images', rec['file_name'])).convert('RGB'))
        colours = np.asarray(Image.open(osp.join(folder, 'labels_colour', rec['file_name'])))
        refs = []
        for obj in rec['objects']:
            mask = colours == COLOUR_NAMES.index(obj['colour']) + 1
            c, s = obj['colour'], obj['shape']
            refs.append(([f'the {c} {s}', f'{c} {s}', f'the {c} thing'], mask))
        samples.append(dict(image=image, split='train', refs=refs))
    return samples


def tool_samples(n: int, seed: int = 0) -> List[dict]:
    """``n`` rendered tools referred to by name, whole-tool masks (no parts, no actions)."""
    from clipdense.toyworld.affordance import instance_colours, render_tool
    from clipdense.toyworld.vocabulary import TOOL_PARTS
    tools = list(TOOL_PARTS)
    samples = []
    for i in range(n):
        rng = np.random.default_rng([seed, 7919, i])
        tool = tools[i % len(tools)]
        image, label = render_tool(rng, tool, instance_colours(rng, tool))
        samples.append(dict(image=image, split='train',
                            refs=[([f'the {tool}', f'a {tool}'], label > 0)]))
    return samples


def write_toy_refcoco(world_root: str, out_root: str, n_tools: int = 200, seed: int = 0) -> Dict:
    """Write the toy referring tree to ``out_root`` (``refcocog/refs(umd).p`` + images)."""
    samples = object_scene_samples(world_root) + tool_samples(n_tools, seed)
    return write_refcoco(out_root, samples, dataset='refcocog', split_by='umd')
