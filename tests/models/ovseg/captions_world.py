"""A tiny image-caption dataset in COCO Captions' real format (captions_*.json + images)."""
import json
import os

import numpy as np
from PIL import Image

from ...helpers import shapes_sample

COLOUR_WORDS = {1: 'red', 2: 'green', 3: 'blue'}


def write_captions_world(root, n=4, seed=0):
    """``root/train2017/*.jpg`` + ``root/annotations/captions_train2017.json`` (2 captions/image)."""
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(root, 'train2017'), exist_ok=True)
    os.makedirs(os.path.join(root, 'annotations'), exist_ok=True)
    images, anns = [], []
    for i in range(n):
        img, label = shapes_sample(rng)
        name = f'{i:012d}.jpg'
        Image.fromarray(img).save(os.path.join(root, 'train2017', name))
        images.append(dict(id=100 + i, file_name=name, height=img.shape[0], width=img.shape[1],
                           license=1, coco_url='', date_captured='', flickr_url=''))
        colours = [COLOUR_WORDS[c] for c in np.unique(label) if c in COLOUR_WORDS]
        anns.append(dict(id=1000 + 2 * i, image_id=100 + i,
                         caption=' and '.join(f'a {c} shape' for c in colours) + ' on a grey background.'))
        anns.append(dict(id=1001 + 2 * i, image_id=100 + i, caption='Some Shapes lying around.'))
    data = dict(info=dict(description='toy captions'), licenses=[], images=images, annotations=anns)
    path = os.path.join(root, 'annotations', 'captions_train2017.json')
    with open(path, 'w') as f:
        json.dump(data, f)
    return path
