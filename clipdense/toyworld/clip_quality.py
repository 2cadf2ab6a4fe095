"""Zero-shot quality of a CLIP model on the toy world's held-out object scenes.

* Image classification: the global embedding against the class-name embeddings must name the
  colour (8 names) and the shape (6 names) of each scene's largest object.
* Dense segmentation: value-path patch embeddings (MaskCLIP, ``dense_mode='value'``) against
  the same class-name embeddings, bilinearly upsampled logits, arg-max per pixel; scored on
  object (foreground) pixels: pixel accuracy and the mean of per-class accuracies.
"""
import json
import os.path as osp
from typing import Dict, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from clipdense.clip import ClassEmbeddingCache, TextTower, build_dense_encoder

from .clip_pretraining import normalise_images, upsample
from .vocabulary import COLOUR_NAMES, SHAPE_NAMES, TOY_TEMPLATES


def load_object_split(root: str, split: str = 'val', limit: int = None):
    """Images ``uint8 [N, 64, 64, 3]``, colour and shape labels ``uint8 [N, 64, 64]`` and the
    per-image object lists of ``<root>/objects/<split>``."""
    folder = osp.join(root, 'objects')
    ann = osp.join(folder, 'annotations', f'objects_{split}.json')
    if not osp.isfile(ann):
        raise FileNotFoundError(f'no toy object scenes at {ann}; generate them with '
                                f'`python -m clipdense.toyworld --root {root} --parts objects`')
    with open(ann) as f:
        records = json.load(f)[:limit]

    def read(sub, rec):
        return np.asarray(Image.open(osp.join(folder, sub, rec['file_name'])))
    images = np.stack([read('images', r) for r in records])
    colours = np.stack([read('labels_colour', r) for r in records])
    shapes = np.stack([read('labels_shape', r) for r in records])
    return images, colours, shapes, [r['objects'] for r in records]


def logits_from_dense(dense: torch.Tensor, text: torch.Tensor, size) -> torch.Tensor:
    """Class logits ``[B, K, H, W]`` (``size`` = (H, W)) from dense embeddings ``[B, D, h, w]``
    and L2-normalised class embeddings ``text [K, D]`` (cosine similarity, bilinear upsampling)."""
    logits = torch.einsum('bdhw,kd->bkhw', F.normalize(dense, dim=1), text)
    return F.interpolate(logits, size=tuple(size), mode='bilinear', align_corners=False)


@torch.no_grad()
def dense_logits(encoder, images: torch.Tensor, text: torch.Tensor, scale: int = 1) -> torch.Tensor:
    """Per-pixel class logits ``[B, K, H, W]`` from dense embeddings vs ``text [K, D]``;
    ``scale`` upsamples the input first (finer patch grid)."""
    h, w = images.shape[-2:]
    return logits_from_dense(encoder(upsample(images, scale))['dense_embed'], text, (h, w))


def _dense_scores(pred: np.ndarray, label: np.ndarray, k: int) -> Dict[str, float]:
    fg = label > 0
    correct = pred[fg] == label[fg] - 1
    per_class = [correct[label[fg] == c + 1].mean() for c in range(k) if (label[fg] == c + 1).any()]
    return dict(pixel_acc=float(correct.mean()), mean_class_acc=float(np.mean(per_class)))


@torch.no_grad()
def evaluate_zero_shot(model, root: str, split: str = 'val', templates=TOY_TEMPLATES,
                       limit: int = None, scale: int = 1, batch_size: int = 50,
                       input_scale: int = 1, dense_mode: str = 'value') -> Dict[str, float]:
    """Zero-shot scores (fractions in [0, 1]) of an open_clip ``model`` on the object scenes.

    The 64 px scenes are upsampled by ``input_scale`` (the model's own input scale, e.g. 4 for
    the toy ResNet) for everything, and the dense readout by ``scale`` more; ``dense_mode``
    picks the readout (``'value'`` path or DenseCLIP's ``'attention'``).

    Keys: ``cls_colour``, ``cls_shape`` (image classification of the largest object),
    ``dense_colour_pixel_acc``, ``dense_colour_mean_class_acc``, ``dense_shape_pixel_acc``,
    ``dense_shape_mean_class_acc``, and the chance levels ``chance_colour``, ``chance_shape``.
    """
    images, colours, shapes, objects = load_object_split(root, split, limit)
    encoder = build_dense_encoder(model, out_indices=(), dense_mode=dense_mode).eval()
    cache = ClassEmbeddingCache(TextTower(model), templates=templates)
    text = {'colour': cache.embed(COLOUR_NAMES), 'shape': cache.embed(SHAPE_NAMES)}
    glob, dense = {'colour': [], 'shape': []}, {'colour': [], 'shape': []}
    for i in range(0, len(images), batch_size):
        x = normalise_images(torch.from_numpy(images[i:i + batch_size]))
        size = x.shape[-2:]
        x = upsample(x, input_scale)
        out = encoder(x)
        g = F.normalize(out['global_embed'], dim=-1)
        if scale > 1:
            out = encoder(upsample(x, scale))
        for kind in ('colour', 'shape'):
            glob[kind].append((g @ text[kind].t()).argmax(1).numpy())
            dense[kind].append(logits_from_dense(out['dense_embed'], text[kind], size)
                               .argmax(1).numpy())
    largest = [max(objs, key=lambda o: o['area']) for objs in objects]
    out = {}
    for kind, names, labels in (('colour', COLOUR_NAMES, colours), ('shape', SHAPE_NAMES, shapes)):
        truth = np.array([names.index(o[kind]) for o in largest])
        out[f'cls_{kind}'] = float((np.concatenate(glob[kind]) == truth).mean())
        scores = _dense_scores(np.concatenate(dense[kind]), labels, len(names))
        out.update({f'dense_{kind}_{k}': v for k, v in scores.items()})
        out[f'chance_{kind}'] = 1.0 / len(names)
    return out


SHORT_NAMES = {'cls_colour': 'cls colour', 'cls_shape': 'cls shape',
               'dense_colour_pixel_acc': 'dense colour', 'dense_colour_mean_class_acc': 'colour mAcc',
               'dense_shape_pixel_acc': 'dense shape', 'dense_shape_mean_class_acc': 'shape mAcc',
               'chance_colour': 'chance colour', 'chance_shape': 'chance shape'}


def format_scores(rows: Dict[str, Dict[str, float]], keys: Sequence[str] = None) -> str:
    """A plain-text table: one row per model, percentages."""
    keys = keys or list(next(iter(rows.values())))
    head = f'{"model":<20}' + ''.join(f'{SHORT_NAMES.get(k, k):>15}' for k in keys)
    lines = [head] + [f'{name:<20}' + ''.join(f'{100 * s[k]:>14.1f}%' for k in keys)
                      for name, s in rows.items()]
    return '\n'.join(lines)
