"""The flagship config through the OpenMMLab tools, shrunk with --cfg-options: train on a GTA5
tree, validate on a Cityscapes tree, multi-domain test on Cityscapes + BDD100K + Mapillary
trees, and a 2-process CPU run through tools/dist_train.sh."""
import glob
import json
import os
import os.path as osp
import re
import socket
import subprocess
import sys

import pytest

from ..models.vltseg.street_trees import write_bdd100k, write_cityscapes, write_gta5, write_mapillary
from ..models.vltseg.tiny import FLAGSHIP, cli, schedule_options, tiny_data_options, tiny_model_options

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _run(cmd, env=None):
    env = dict(os.environ, **(env or {}))
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    return proc.stdout + proc.stderr


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def trees(tmp_path_factory):
    root = tmp_path_factory.mktemp('street')
    return dict(gta=write_gta5(str(root / 'gta'), n=4, size=(64, 128)),
                cityscapes=write_cityscapes(str(root / 'cityscapes'), counts=(('val', 2),)),
                bdd=write_bdd100k(str(root / 'bdd100k'), n=1),
                mapillary=write_mapillary(str(root / 'mapillary'), n=1))


def options(trees, iters):
    return cli({**tiny_model_options(), **tiny_data_options(**trees), **schedule_options(iters)})


def test_train_validate_then_multi_domain_test(trees, tmp_path):
    work = str(tmp_path / 'work')
    out = _run([sys.executable, 'tools/train.py', FLAGSHIP, '--work-dir', work,
                '--cfg-options', *options(trees, 2)])
    scalars = sorted(glob.glob(osp.join(work, '*', 'vis_data', 'scalars.json')))[-1]
    rows = [json.loads(line) for line in open(scalars)]
    assert sum('loss' in r for r in rows) == 2 and all(r['loss'] > 0 for r in rows if 'loss' in r)
    assert any('mIoU' in r for r in rows), out[-2000:]           # validated on the Cityscapes tree
    ckpt = osp.join(work, 'iter_2.pth')
    assert osp.isfile(ckpt)

    out = _run([sys.executable, 'tools/test.py', FLAGSHIP, ckpt, '--work-dir', str(tmp_path / 'test'),
                '--cfg-options', *options(trees, 2)])
    for domain, n in (('cityscapes', 2), ('bdd100k', 1), ('mapillary', 1)):
        assert f'test domain "{domain}" ({n} images)' in out
        assert re.search(rf'\|\s*{domain}\s*\|\s*{n}\s*\|', out), out[-3000:]
    assert re.search(r'\|\s*mean\s*\|', out) and 'per class results' in out
    assert all(f'{d}/mIoU:' in out for d in ('cityscapes', 'bdd100k', 'mapillary')) and ' mIoU:' in out


def test_dist_train_two_cpu_processes(trees, tmp_path):
    work = str(tmp_path / 'dist')
    out = _run(['bash', 'tools/dist_train.sh', FLAGSHIP, '2', '--work-dir', work,
                '--cfg-options', *options(trees, 2), 'train_dataloader.batch_size=1'],
               env={'PORT': str(_free_port()), 'PYTHON': sys.executable, 'OMP_NUM_THREADS': '1'})
    assert 'Distributed training: True' in out and 'GPU number: 2' in out, out[-3000:]  # = world size
    assert osp.isfile(osp.join(work, 'iter_2.pth'))
    assert 'the pyramid uses BN on this machine' in out    # SyncBN converted for CPU DDP
