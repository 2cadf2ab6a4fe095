"""The toy referring proxy task: object phrases only, colour-label / whole-tool masks, and the
RefCOCO layout on disk."""
import json
import os.path as osp
import pickle

import cv2
import numpy as np
import pytest
from PIL import Image

from clipdense.models.affordanceclip.toy_referring import (object_scene_samples, tool_samples,
                                                           write_toy_refcoco)
from clipdense.toyworld.vocabulary import (ACTION_PHRASES, AFFORDANCE_IDS, COLOUR_NAMES, SHAPE_NAMES,
                                           TOOL_PARTS)

# every word an affordance query may use (action phrases and affordance names)
ACTION_WORDS = ({w for p in ACTION_PHRASES.values() for w in p.split()}
                | {w for a in list(AFFORDANCE_IDS)[1:] for w in a.replace('-', ' ').split()}
                | {a for a in AFFORDANCE_IDS if a != 'background'})
PART_WORDS = {part for parts in TOOL_PARTS.values() for part, _ in parts}


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    from clipdense.toyworld import ensure_toy_world
    return ensure_toy_world(str(tmp_path_factory.mktemp('toyworld')), parts='objects',
                            sizes={'objects': dict(counts=dict(train=4, val=1))}, verbose=False)


def _no_action_words(sentences):
    for s in sentences:
        words = set(s.lower().split())
        assert not words & ACTION_WORDS, s
        assert not words & PART_WORDS, s


def test_object_scene_refs_name_colour_and_shape_with_colour_label_masks(world):
    folder = osp.join(world, 'objects')
    with open(osp.join(folder, 'annotations', 'objects_train.json')) as f:
        records = json.load(f)
    samples = object_scene_samples(world)
    assert len(samples) == len(records) == 4
    for sample, rec in zip(samples, records):
        image = np.asarray(Image.open(osp.join(folder, 'images', rec['file_name'])).convert('RGB'))
        colours = np.asarray(Image.open(osp.join(folder, 'labels_colour', rec['file_name'])))
        np.testing.assert_array_equal(sample['image'], image)
        assert sample['split'] == 'train' and len(sample['refs']) == len(rec['objects']) > 0
        for (sentences, mask), obj in zip(sample['refs'], rec['objects']):
            c, s = obj['colour'], obj['shape']
            assert c in COLOUR_NAMES and s in SHAPE_NAMES
            assert sentences == [f'the {c} {s}', f'{c} {s}', f'the {c} thing']
            _no_action_words(sentences)
            assert mask.dtype == bool and mask.shape == colours.shape
            np.testing.assert_array_equal(mask, colours == COLOUR_NAMES.index(c) + 1)


def test_tool_refs_are_the_tool_name_with_the_whole_tool_mask():
    from clipdense.toyworld.affordance import instance_colours, render_tool
    samples = tool_samples(5, seed=3)
    tools = list(TOOL_PARTS)
    assert len(samples) == 5
    for i, sample in enumerate(samples):
        tool = tools[i % len(tools)]
        (sentences, mask), = sample['refs']
        assert sentences == [f'the {tool}', f'a {tool}'] and sample['split'] == 'train'
        _no_action_words(sentences)
        rng = np.random.default_rng([3, 7919, i])   # the documented stream, re-rendered
        image, label = render_tool(rng, tool, instance_colours(rng, tool))
        np.testing.assert_array_equal(sample['image'], image)
        np.testing.assert_array_equal(mask, label > 0)            # both parts: the whole tool
        assert len(set(np.unique(label[mask]))) == 2               # (two affordance parts)
    again = tool_samples(5, seed=3)
    assert all(np.array_equal(a['image'], b['image']) for a, b in zip(samples, again))
    assert not np.array_equal(tool_samples(1, seed=4)[0]['image'], samples[0]['image'])


def test_written_tree_follows_the_refcoco_layout(world, tmp_path):
    out = str(tmp_path / 'ref')
    n_tools = 3
    counts = write_toy_refcoco(world, out, n_tools=n_tools)
    expected = object_scene_samples(world) + tool_samples(n_tools)
    n_refs = sum(len(s['refs']) for s in expected)
    assert counts == dict(train=dict(images=len(expected), refs=n_refs))
    with open(osp.join(out, 'refcocog', 'instances.json')) as f:
        inst = json.load(f)
    with open(osp.join(out, 'refcocog', 'refs(umd).p'), 'rb') as f:
        refs = pickle.load(f)
    assert len(inst['images']) == len(expected) and len(inst['annotations']) == len(refs) == n_refs
    assert inst['categories'] == [dict(id=1, name='object')]
    anns = {a['id']: a for a in inst['annotations']}
    images = {im['id']: im for im in inst['images']}
    flat = [(i + 1, sentences, mask) for i, s in enumerate(expected) for sentences, mask in s['refs']]
    for ref, (image_id, sentences, mask) in zip(refs, flat):
        im = images[ref['image_id']]
        assert ref['image_id'] == image_id and ref['split'] == 'train'
        assert ref['file_name'] == im['file_name'] == f'COCO_train2014_{image_id:012d}.jpg'
        assert (im['height'], im['width']) == mask.shape
        path = osp.join(out, 'train2014', im['file_name'])
        assert osp.isfile(path) and cv2.imread(path).shape[:2] == mask.shape
        assert [x['raw'] for x in ref['sentences']] == sentences
        assert ref['sent_ids'] == [x['sent_id'] for x in ref['sentences']] == list(range(len(sentences)))
        assert all(x['tokens'] == x['sent'].split() for x in ref['sentences'])
        _no_action_words([x['sent'] for x in ref['sentences']])
        ann = anns[ref['ann_id']]
        assert ann['image_id'] == image_id and ann['area'] == float(mask.sum())
        ys, xs = np.nonzero(mask)
        assert ann['bbox'] == [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]
        # the polygons rasterise back to (nearly) the mask: they trace its outer contours
        drawn = np.zeros(mask.shape, np.uint8)
        for poly in ann['segmentation']:
            assert len(poly) >= 6 and len(poly) % 2 == 0
            cv2.fillPoly(drawn, [np.asarray(poly).reshape(-1, 2).astype(np.int32)], 1)
        inter, union = (drawn.astype(bool) & mask).sum(), (drawn.astype(bool) | mask).sum()
        assert inter / union > 0.9, inter / union
    # images are the samples' pixels (JPEG: close, not exact)
    first = cv2.imread(osp.join(out, 'train2014', images[1]['file_name']))[..., ::-1]
    assert np.abs(first.astype(int) - expected[0]['image'].astype(int)).mean() < 8
