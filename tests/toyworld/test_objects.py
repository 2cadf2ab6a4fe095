"""Object scenes: captions match the pixels, held-out names stay out of the train split."""
import json
import os.path as osp

import numpy as np
from PIL import Image

from clipdense.toyworld import COLOUR_NAMES, SHAPE_NAMES, UNSEEN_COLOURS, UNSEEN_SHAPES
from clipdense.toyworld.io import read_coco_captions
from clipdense.toyworld.objects import render_object_scene


def _load(root, split):
    folder = osp.join(root, 'objects')
    with open(osp.join(folder, 'annotations', f'objects_{split}.json')) as f:
        objects = {r['file_name']: r['objects'] for r in json.load(f)}
    return folder, objects, read_coco_captions(osp.join(folder, 'annotations', f'captions_{split}.json'))


def test_captions_and_object_lists_match_the_label_maps(toy_root):
    for split in ('train', 'val'):
        folder, objects, captions = _load(toy_root, split)
        assert set(objects) == set(captions) and len(objects) > 0
        for name, objs in objects.items():
            colour = np.asarray(Image.open(osp.join(folder, 'labels_colour', name)))
            shape = np.asarray(Image.open(osp.join(folder, 'labels_shape', name)))
            image = np.asarray(Image.open(osp.join(folder, 'images', name)))
            assert image.shape == (64, 64, 3) and colour.shape == shape.shape == (64, 64)
            assert set(np.unique(colour)) - {0} == {COLOUR_NAMES.index(o['colour']) + 1 for o in objs}
            assert set(np.unique(shape)) - {0} == {SHAPE_NAMES.index(o['shape']) + 1 for o in objs}
            assert np.array_equal(colour > 0, shape > 0)
            for o in objs:
                mask = colour == COLOUR_NAMES.index(o['colour']) + 1
                assert mask.sum() == o['area']
                x, y, w, h = o['bbox']
                assert mask[y:y + h, x:x + w].sum() == o['area']
                # the object is painted in its colour: its mean pixel is nearest its palette entry
                from clipdense.toyworld.vocabulary import COLOURS
                mean = image[mask].mean(0)
                nearest = min(COLOURS, key=lambda c: np.abs(np.array(COLOURS[c]) - mean).sum())
                assert nearest == o['colour'], (name, o, mean)
            full = captions[name][0]
            for o in objs:
                assert f"{o['colour']} {o['shape']}" in full, (full, objs)
            words = set(full.replace(',', ' ').split())
            assert words & set(COLOUR_NAMES) == {o['colour'] for o in objs}


def test_held_out_names_never_in_the_train_split(toy_root):
    _, objects, captions = _load(toy_root, 'train')
    held_out = set(UNSEEN_COLOURS) | set(UNSEEN_SHAPES)
    for name, objs in objects.items():
        assert not {o['colour'] for o in objs} & held_out and not {o['shape'] for o in objs} & held_out
        assert not any(w in c for c in captions[name] for w in held_out)
    _, val_objects, _ = _load(toy_root, 'val')
    val_names = {o['colour'] for objs in val_objects.values() for o in objs}
    assert set(UNSEEN_COLOURS) <= val_names


def test_meta_names_the_classes_and_the_held_out_ones(toy_root):
    with open(osp.join(toy_root, 'objects', 'meta.json')) as f:
        meta = json.load(f)
    assert meta['colour_classes'] == ['background', *COLOUR_NAMES]
    assert meta['unseen_colours'] == list(UNSEEN_COLOURS) and meta['unseen_shapes'] == list(UNSEEN_SHAPES)


def test_render_respects_requested_vocabulary():
    rng = np.random.default_rng(3)
    for _ in range(20):
        _, colour, _, objs, _ = render_object_scene(rng, 64, ('red', 'blue'), ('circle',), n_objects=2)
        assert {o['shape'] for o in objs} == {'circle'} and {o['colour'] for o in objs} <= {'red', 'blue'}
        assert set(np.unique(colour)) <= {0, 1, 6}
