"""Mask-category pair mining (OVSeg, Sec. 3.2): caption nouns matched to proposals by CLIP.

For one image, the nouns of its captions (found by :class:`NounMatcher` against a noun vocabulary,
no NLP model needed) are scored by the mask-adapted CLIP against every proposal crop in one
batched pass, and each noun is paired with its best-scoring proposal. ``tools/ovseg_mine_pairs.py``
runs this over a COCO Captions file and writes a COCO-style pairs JSON.
"""
import json
import os.path as osp
import re
from collections import defaultdict

import torch
import torch.nn.functional as F


class NounMatcher:
    """Find vocabulary nouns in a caption: lower-cased word n-grams, longest match first.

    Each noun also matches its simple plurals (``+s``, ``+es``, ``y -> ies``).
    """

    def __init__(self, vocabulary):
        self.forms = {}
        for noun in vocabulary:
            base = ' '.join(self.words(noun))
            if not base:
                continue
            for form in self.plurals(base):
                self.forms.setdefault(form, noun)
        self.max_len = max((len(f.split()) for f in self.forms), default=0)

    @staticmethod
    def words(text: str):
        return re.findall(r"[^\W_]+(?:['-][^\W_]+)*", text.lower())

    @staticmethod
    def plurals(base: str):
        head, _, last = base.rpartition(' ')
        head = head + ' ' if head else ''
        forms = {base, f'{head}{last}s', f'{head}{last}es'}
        if last.endswith('y') and len(last) > 1:
            forms.add(f'{head}{last[:-1]}ies')
        return forms

    def __call__(self, caption: str):
        """Nouns of ``caption`` in order of appearance, each once."""
        words, found, i = self.words(caption), [], 0
        while i < len(words):
            for n in range(min(self.max_len, len(words) - i), 0, -1):
                noun = self.forms.get(' '.join(words[i:i + n]))
                if noun is not None:
                    if noun not in found:
                        found.append(noun)
                    i += n
                    break
            else:
                i += 1
        return found


def read_captions(path: str, num_captions: int):
    """COCO Captions JSON -> ``{image_id: image dict}``, ``{image_id: [captions]}`` (first N by id)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'captions file {path} not found; give COCO Captions\' captions_train2017.json')
    with open(path, encoding='utf-8') as f:
        data = json.load(f)
    if 'images' not in data or 'annotations' not in data:
        raise ValueError(f'{path} is not a COCO Captions file (needs "images" and "annotations")')
    bad = [a for a in data['annotations'] if not {'id', 'image_id', 'caption'} <= set(a)][:1]
    if bad or any(not {'id', 'file_name', 'height', 'width'} <= set(im) for im in data['images']):
        raise ValueError(f'{path} is not a COCO Captions file: every annotation needs "id", "image_id" '
                         'and "caption", every image "id", "file_name", "height" and "width"')
    images = {im['id']: im for im in data['images']}
    caps = defaultdict(list)
    for ann in sorted(data['annotations'], key=lambda a: a['id']):
        caps[ann['image_id']].append(ann['caption'])
    return images, {k: v[:num_captions] for k, v in caps.items()}


@torch.no_grad()
def mine_image(model, pipeline, path, nouns, min_objectness=0.5):
    """Best proposal per noun of one image.

    Args:
        model: an :class:`OVSeg` (proposal generator + ``clip_classifier``), in eval mode.
        pipeline: its test pipeline without annotation loading.
        path: image file.
        nouns: the image's nouns.
        min_objectness: proposals whose "not no-object" probability is lower are not paired.

    Returns:
        ``[(noun index, mask [H, W] bool numpy, cosine score)]`` at the image's original size.
    """
    data = pipeline(dict(img_path=path))
    data = model.data_preprocessor(dict(inputs=[data['inputs']], data_samples=[data['data_samples']]))
    inputs, meta = data['inputs'], data['data_samples'][0].metainfo
    head, clip = model.decode_head, model.clip_classifier
    if head.supervision == 'seen':      # objectness against the generator's training classes
        head.set_class_embeddings(clip.text_embeddings(model.train_class_names))
    cls_logits, mask_logits = head.predict_proposals(model.extract_feat(inputs), [meta], inputs.shape[-2:])
    objectness = 1 - F.softmax(cls_logits[0], dim=-1)[:, -1]                   # [Q]
    h, w = meta['img_shape'][:2]
    probs = mask_logits[:, :, :h, :w].sigmoid()                                # [1, Q, h, w]
    logits, valid = clip.classify_proposals(model.raw_rgb(inputs)[..., :h, :w], probs, nouns)
    usable = valid[0] & (objectness >= min_objectness)
    if not usable.any():
        return []
    cos = (logits[0] / clip.temperature).masked_fill(~usable[:, None], -2.0)  # [Q, K]
    score, best = cos.max(dim=0)                                                # best proposal per noun
    masks = F.interpolate(probs[:, best], size=tuple(meta['ori_shape'][:2]), mode='bilinear',
                          align_corners=False)[0] > clip.mask_threshold        # [K, H, W]
    keep = masks.flatten(1).any(1).tolist()
    return [(k, masks[k].cpu().numpy(), float(score[k])) for k in range(len(nouns)) if keep[k]]


def pairs_json(images, pairs, vocabulary, source: str = ''):
    """COCO-style pairs file content.

    Args:
        images: ``[dict(id, file_name, height, width)]`` of the mined images.
        pairs: ``[(image_id, noun, mask [H, W] bool numpy, score)]``.
        vocabulary: nouns in category-id order (ids start at 1); unused nouns are dropped.
    """
    import numpy as np
    from pycocotools import mask as mask_utils
    used = [n for n in vocabulary if any(p[1] == n for p in pairs)]
    ids = {n: i + 1 for i, n in enumerate(used)}
    annotations = []
    for image_id, noun, mask, score in pairs:
        rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
        annotations.append(dict(id=len(annotations) + 1, image_id=image_id, category_id=ids[noun],
                                segmentation=dict(size=rle['size'], counts=rle['counts'].decode()),
                                bbox=mask_utils.toBbox(rle).tolist(), area=int(mask_utils.area(rle)),
                                score=score))
    keep = {p[0] for p in pairs}
    return dict(info=dict(description='OVSeg mask-category pairs', source=source),
                images=[im for im in images if im['id'] in keep],
                categories=[dict(id=i, name=n) for n, i in ids.items()], annotations=annotations)
