"""AffordanceCLIP through tools/train.py and tools/test.py: the real config (RefCOCOg training,
AGD20K Seen evaluation) on tiny trees in the released layouts, with a tiny random-init CLIP."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from clipdense.evaluation.affordance_metrics import kld, prepare_maps, sim

from .tiny_setup import CONFIG, MODEL_OPTIONS, ROOT, data_options, write_trees


def _run(cmd):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''),
               OMP_NUM_THREADS='1')  # tiny model: one thread avoids spin-waiting on a busy CPU
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    return proc.stdout + proc.stderr


@pytest.fixture(scope='module')
def trees(tmp_path_factory):
    return write_trees(str(tmp_path_factory.mktemp('affordanceclip_data')))


def test_train_then_test_reports_agd20k_metrics(trees, tmp_path):
    work = str(tmp_path / 'work')
    opts = MODEL_OPTIONS + data_options(*trees) + [
        'train_cfg.max_epochs=3', 'train_cfg.val_interval=3', 'param_scheduler.0.milestones=[2]',
        'param_scheduler.0.end=3', 'default_hooks.checkpoint.interval=3',
        'default_hooks.logger.interval=1', 'log_processor.window_size=1',
        'optim_wrapper.optimizer.lr=1e-3']
    _run([sys.executable, 'tools/train.py', CONFIG, '--work-dir', work, '--cfg-options', *opts])
    scalars = sorted(glob.glob(osp.join(work, '*', 'vis_data', 'scalars.json')))[-1]
    rows = [json.loads(line) for line in open(scalars)]
    losses = [r['loss'] for r in rows if 'loss' in r]
    assert len(losses) == 18 and max(losses[-3:]) < 0.8 * min(losses[:3]), losses
    val = [r for r in rows if 'SIM' in r]
    assert len(val) == 1
    # trivial baseline: a uniform map scored by the same protocol on the tree's GT heat map (both
    # test images share it). Measured SIM 0.184 vs uniform 0.151; KLD 1.88 vs uniform 2.11;
    # NSS 0.70 vs 0 for any constant map.
    gt = np.asarray(Image.open(osp.join(trees[1], 'Seen', 'testset', 'GT', 'hold', 'cup', 'cup_000002.png')),
                    np.float64) / 255
    _, gt = prepare_maps(np.zeros(gt.shape), gt)
    uniform = np.ones_like(gt)
    assert val[0]['SIM'] > sim(uniform, gt) + 0.01, (val, sim(uniform, gt))
    assert val[0]['KLD'] < kld(uniform, gt) - 0.1, (val, kld(uniform, gt))
    assert val[0]['NSS'] > 0.35, val
    ckpt = osp.join(work, 'epoch_3.pth')
    assert osp.isfile(ckpt)
    out = _run([sys.executable, 'tools/test.py', CONFIG, ckpt, '--work-dir', str(tmp_path / 'test'),
                '--cfg-options', *opts])
    for key in ('KLD', 'SIM', 'NSS', 'KLD/cut_with', 'NSS/hold'):
        assert key + ':' in out, out[-2000:]
