"""``toy.train_toy_proposals`` for real (MMEngine Runner, toy CLIP, toy object scenes) on a tiny
world and a 12-iteration schedule: it generates the world part it needs, trains with the given
seed, the loss falls, and it returns a reusable proposal checkpoint without the frozen CLIP."""
import glob
import json
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

import clipdense.toyworld
from clipdense.models.ovseg import toy

pytestmark = pytest.mark.skipif(not osp.isfile(toy.TOY_CLIP), reason='toy CLIP not built yet')

ITERS = 12
SIZES = {'objects': {'counts': {'train': 8, 'val': 2}}}


def _losses(work_dir):
    (scalars,) = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    with open(scalars) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r['loss'] for r in sorted((r for r in rows if 'loss' in r), key=lambda r: r['iter'])]


def test_train_toy_proposals_trains_and_returns_its_checkpoint(tmp_path, monkeypatch):
    real_ensure, real_train = clipdense.toyworld.ensure_toy_world, toy._train
    ensured, trained = [], []

    def small_world(root, parts=None, verbose=True, **kwargs):      # the real generator, fewer scenes
        ensured.append((root, parts))
        return real_ensure(root, parts=parts, sizes=SIZES, verbose=False)

    def short_schedule(config, work_dir, options):                  # the real Runner, fewer iterations
        trained.append(options)
        return real_train(config, work_dir, dict(options, **{
            'train_cfg.max_iters': ITERS, 'train_cfg.val_begin': ITERS + 1,
            'default_hooks.checkpoint.interval': ITERS, 'default_hooks.logger.interval': 1,
            'train_dataloader.batch_size': 4}))

    monkeypatch.setattr(clipdense.toyworld, 'ensure_toy_world', small_world)
    monkeypatch.setattr(toy, '_train', short_schedule)
    root, work = str(tmp_path / 'world'), str(tmp_path / 'work')
    path = toy.train_toy_proposals(root, work, seed=5)

    assert ensured == [(root, ['objects'])]
    assert len(os.listdir(osp.join(root, 'objects', 'images', 'train'))) == 8
    assert trained[0]['randomness.seed'] == 5
    assert all(trained[0][f'{k}.dataset.data_root'] == osp.join(root, 'objects')
               for k in ('train_dataloader', 'val_dataloader', 'test_dataloader'))
    assert path == osp.join(work, 'proposals', f'iter_{ITERS}.pth') and osp.isfile(path)

    losses = _losses(osp.join(work, 'proposals'))
    assert len(losses) == ITERS and all(map(torch.isfinite, torch.tensor(losses)))
    first, last = sum(losses[:3]) / 3, sum(losses[-3:]) / 3
    assert last < 0.9 * first, losses

    ckpt = torch.load(path, map_location='cpu', weights_only=False)
    assert ckpt['meta']['seed'] == 5 and ckpt['meta']['iter'] == ITERS
    assert ckpt['meta']['dataset_meta']['classes'] == ['background', 'red', 'orange', 'yellow', 'green',
                                                       'blue', 'pink']          # seen colours only
    state = ckpt['state_dict']
    assert state and not any(k.startswith('clip_classifier.') for k in state)

    # the checkpoint loads strictly into the toy OVSeg (the CLIP comes from its own weights) and
    # differs from a fresh initialisation: it was trained
    init_default_scope('mmseg')
    torch.manual_seed(5)
    model = MODELS.build(Config.fromfile(toy.TOY_CONFIG).model)
    model.init_weights()
    fresh = {k: v.clone() for k, v in model.state_dict().items()}
    clip_before = {k: v.clone() for k, v in model.clip_classifier.state_dict().items()}
    missing, unexpected = model.load_state_dict(state, strict=True)
    assert not missing and not unexpected
    assert all(torch.equal(v, model.clip_classifier.state_dict()[k]) for k, v in clip_before.items())
    assert any(not torch.equal(fresh[k], state[k]) for k in state if k.startswith('decode_head.'))

    # a second call reuses the checkpoint instead of training again
    stamp = os.stat(path).st_mtime_ns
    assert toy.train_toy_proposals(root, work, seed=5) == path
    assert os.stat(path).st_mtime_ns == stamp and len(glob.glob(osp.join(work, 'proposals', '2*'))) == 1
