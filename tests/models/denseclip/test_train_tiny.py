"""The real DenseCLIP configs train a few iterations through tools/train.py on tiny data trees
written here in the real on-disk formats (ADE20K folders; COCO json + jpgs), then validate.

The three trainings run one after another in a single subprocess (``tools/train.py``'s
``main(argv)``), which saves two interpreter start-ups."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

from .tiny import (DET_MASK_RCNN, DET_RETINANET, ROOT, SEG_RN50, tiny_overrides, write_tiny_ade,
                   write_tiny_coco)

DRIVER = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location('train_tool', 'tools/train.py')
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)
for argv in json.loads(sys.argv[1]):
    tool.main(argv)
"""


def _fmt(v):
    return repr(v).replace(' ', '') if isinstance(v, (list, tuple)) else str(v)


def _argv(config, opts, work_dir):
    return [osp.join('configs/denseclip', config), '--work-dir', work_dir, '--cfg-options',
            *[f'{k}={_fmt(v)}' for k, v in opts.items()]]


def _scalars(work_dir):
    path = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))[-1]
    with open(path) as f:
        return [json.loads(line) for line in f]


def _loaders(**dataset):
    opts = {}
    for k in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts.update({f'{k}.num_workers': 0, f'{k}.persistent_workers': False})
        opts.update({f'{k}.dataset.{a}': v for a, v in dataset.items()})
    return opts


def _seg_opts(tmp_path):
    data = write_tiny_ade(str(tmp_path / 'ade'))
    opts = tiny_overrides(SEG_RN50)
    opts.update(_loaders(data_root=data))
    opts.update({'train_dataloader.batch_size': 2,
                 'train_dataloader.dataset.pipeline.2.scale': (96, 64),
                 'train_dataloader.dataset.pipeline.3.crop_size': (64, 64),
                 'val_dataloader.dataset.pipeline.1.scale': (96, 64),
                 'test_dataloader.dataset.pipeline.1.scale': (96, 64),
                 'train_cfg.max_iters': 4, 'train_cfg.val_interval': 4,
                 'default_hooks.checkpoint.interval': 4, 'default_hooks.logger.interval': 1})
    return opts


def _det_opts(tmp_path, config):
    data = write_tiny_coco(str(tmp_path / 'coco')) + '/'
    opts = tiny_overrides(config)
    opts.update(_loaders(data_root=data))
    val_ann = data + 'annotations/instances_val2017.json'
    rcnn = config == DET_MASK_RCNN
    opts.update({'train_dataloader.batch_size': 2,
                 'train_dataloader.dataset.pipeline.2.scale': (96, 64),
                 'val_dataloader.dataset.pipeline.1.scale': (96, 64),
                 'test_dataloader.dataset.pipeline.1.scale': (96, 64),
                 'val_evaluator.ann_file': val_ann, 'test_evaluator.ann_file': val_ann,
                 'train_cfg.max_epochs': 1, 'default_hooks.logger.interval': 1,
                 ('model.test_cfg.rcnn.score_thr' if rcnn else 'model.test_cfg.score_thr'): 0.0})
    return opts


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """Work dirs of the three runs: RN50 ADE20K segmentor, RetinaNet, Mask R-CNN (tiny CLIP)."""
    tmp = tmp_path_factory.mktemp('denseclip_train')
    runs = {SEG_RN50: _seg_opts(tmp)}
    runs.update({c: _det_opts(tmp, c) for c in (DET_RETINANET, DET_MASK_RCNN)})
    work = {c: str(tmp / f'work{i}') for i, c in enumerate(runs)}
    for i, opts in enumerate(runs.values()):      # one visualizer instance (and log file) per run
        opts['visualizer.name'] = f'denseclip_run{i}'
    argvs = [_argv(c, opts, work[c]) for c, opts in runs.items()]
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    proc = subprocess.run([sys.executable, '-c', DRIVER, json.dumps(argvs)], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    return work


def test_segmentation_config_trains_and_validates(trained):
    rows = _scalars(trained[SEG_RN50])
    losses = [r for r in rows if 'loss' in r]
    assert len(losses) == 4 and all('aux_identity.loss_ce' in r for r in losses)
    # 4 warm-up iterations (lr <= 2e-7) of a random-init tiny CLIP: the loss does not fall and mIoU
    # is 0 (measured loss 1.035, 1.170, 1.987, 1.867), so check deterministic relations instead:
    # the logged loss is the sum of its two parts and the warm-up lr rises every iteration
    for r in losses:
        assert r['loss'] == pytest.approx(r['decode.loss_ce'] + r['aux_identity.loss_ce'], rel=1e-5), r
    lrs = [r['lr'] for r in losses]
    assert all(a < b for a, b in zip(lrs, lrs[1:])), lrs
    val = [r for r in rows if 'mIoU' in r]
    assert len(val) == 1 and 0 <= val[0]['mIoU'] <= val[0]['mAcc'] <= 100 and 0 <= val[0]['aAcc'] <= 100
    assert osp.isfile(osp.join(trained[SEG_RN50], 'iter_4.pth'))


@pytest.mark.parametrize('config', [DET_RETINANET, DET_MASK_RCNN])
def test_detection_config_trains_and_validates(trained, config):
    rows = _scalars(trained[config])
    losses = [r for r in rows if 'loss' in r]
    assert len(losses) == 2 and all('loss_aux_seg' in r for r in losses)
    assert any('coco/bbox_mAP' in r for r in rows)
    if config == DET_MASK_RCNN:
        assert any('coco/segm_mAP' in r for r in rows)
