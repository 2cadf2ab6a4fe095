"""Toy-world glue: the colour dataset's seen-class remapping and the zero-shot evaluation."""
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS, MODELS

from clipdense.models.ovseg import toy
from clipdense.toyworld import ensure_toy_world


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('toyworld'))
    ensure_toy_world(root, parts=['objects'], sizes={'objects': {'counts': {'train': 3, 'val': 2}}},
                     verbose=False)
    return root


def test_seen_subset_remaps_label_ids(world):
    init_default_scope('mmseg')
    seen = ['background', 'red', 'orange', 'yellow', 'green', 'blue', 'pink']
    ds = DATASETS.build(dict(type='OVSegToyObjectsDataset', data_root=f'{world}/objects',
                             metainfo=dict(classes=seen),
                             data_prefix=dict(img_path='images/train', seg_map_path='labels_colour/train'),
                             pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')]))
    assert ds.label_map == {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 255, 6: 5, 7: 255, 8: 6}
    assert len(ds) == 3 and ds[0]['gt_seg_map'].max() < 7


@pytest.mark.skipif(not __import__('os').path.isfile(toy.TOY_CLIP), reason='toy CLIP not built yet')
def test_evaluate_toy_reports_unseen_and_seen_iou(world, tmp_path):
    init_default_scope('mmseg')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(toy.TOY_CONFIG).model)
    torch.save({'state_dict': model.state_dict()}, tmp_path / 'p.pth')
    out = toy.evaluate_toy(world, str(tmp_path / 'p.pth'))
    # random-init proposal network: the IoUs carry no meaning (measured mIoU unseen 4.54, seen 0.31),
    # so check that the two means are the means of their classes
    assert set(toy.ALL_CLASSES) <= set(out) and all(0 <= out[c] <= 100 for c in toy.ALL_CLASSES)
    assert np.isclose(out['mIoU(unseen)'], (out['cyan'] + out['purple']) / 2)
    seen = [c for c in toy.ALL_CLASSES if c not in ('cyan', 'purple')]
    assert len(seen) == 7 and np.isclose(out['mIoU(seen)'], np.mean([out[c] for c in seen]))


def test_comparison_seeds_every_training_and_scores_lambda_zero_once(world, tmp_path, monkeypatch):
    """``seed`` reaches the proposal and both CLIP trainings (and their work dirs); lambda 0,
    where CLIP does not enter, is scored for the plain CLIP only."""
    trained, scored = [], []
    monkeypatch.setattr(toy, '_train', lambda cfg, wd, opts: trained.append((wd, opts)) or f'{wd}.pth')
    monkeypatch.setattr(toy, 'mine_toy_pairs', lambda root, proposals, out: out)
    monkeypatch.setattr(toy, 'evaluate_toy', lambda root, prop, ckpt=None, depth=0, clip_weight=0.7,
                        limit=None: scored.append((ckpt, clip_weight)) or {'mIoU(unseen)': 0.0})
    out = toy.run_toy_comparison(world, str(tmp_path), seed=3, clip_weights=(0.7, 0.0))
    assert [opts['randomness.seed'] for _, opts in trained] == [3, 3, 3]
    assert all(f'{tmp_path}/seed3/' in wd for wd, _ in trained)
    assert list(out) == [('plain CLIP', 0.7), ('mask prompts only (depth 3)', 0.7),
                         ('full fine-tuning', 0.7), ('plain CLIP', 0.0)]
    assert scored[-1] == (None, 0.0)
