"""configs/toyworld: a short source-only training through tools/train.py learns, and the
model transfers to the shifted target domain (tools/test.py on the Cityscapes layout)."""
import glob
import json
import os
import os.path as osp
import re
import subprocess
import sys

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'toyworld', 'tiny_clip_fcn_toy_gta5_to_cityscapes.py')
ITERS = 40


def _run(cmd):
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    proc = subprocess.run([sys.executable] + cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def test_short_source_training_is_far_above_chance_on_both_domains(toy_root, tmp_path):
    data = [f'train_dataloader.dataset.data_root={toy_root}/gta5',
            f'val_dataloader.dataset.data_root={toy_root}/gta5',
            f'test_dataloader.dataset.data_root={toy_root}/cityscapes']
    work = str(tmp_path / 'work')
    _run(['tools/train.py', CONFIG, '--work-dir', work, '--cfg-options', *data,
          f'train_cfg.max_iters={ITERS}', f'train_cfg.val_interval={ITERS}',
          f'default_hooks.checkpoint.interval={ITERS}', f'param_scheduler.1.end={ITERS}',
          'default_hooks.logger.interval=5'])
    with open(sorted(glob.glob(osp.join(work, '*', 'vis_data', 'scalars.json')))[-1]) as f:
        rows = [json.loads(line) for line in f]
    losses = [r['loss'] for r in rows if 'loss' in r]
    source = [r['mIoU'] for r in rows if 'mIoU' in r][-1]
    out = _run(['tools/test.py', CONFIG, osp.join(work, f'iter_{ITERS}.pth'), '--work-dir',
                str(tmp_path / 'test'), '--cfg-options', *data])
    target = float(re.findall(r'mIoU: ([\d.]+)', out)[-1])
    # 8 classes occur; guessing among them gives a target mIoU of 5.3 %, the majority class 4.5 %.
    # measured after 40 iterations: loss 2.73 -> 1.43, source-val mIoU 36.6, target mIoU 17.9
    # (the full 300-iteration recipe of the demo: 61.4 and 35.5)
    assert losses[-1] < 0.7 * losses[0], losses
    assert source > 25, source
    assert target > 11, target
