"""demo/main_job.py: the zero-shot steps run on a small toy world and write their outputs."""
import json
import os
import os.path as osp
import subprocess
import sys

from PIL import Image

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_open_vocab_and_anomaly_steps(toy_root, tmp_path):
    out = tmp_path / 'out'
    proc = subprocess.run([sys.executable, 'demo/main_job.py', '--root', toy_root, '--out', str(out),
                           '--steps', 'open_vocab', 'anomaly'], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env=dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == f'outputs: {out}'
    assert any(line.startswith('[demo 1/2] open_vocab') for line in lines)
    with open(out / 'summary.json') as f:
        summary = json.load(f)
    assert 0 <= summary['open_vocab']['object_pixel_acc'] <= 1
    for cat in ('fabric', 'washer'):
        assert set(summary['anomaly'][cat]) == {'plain', 'anovl_tfa', 'anovl_tfa_tta'}
        for scores in summary['anomaly'][cat].values():
            assert set(scores) == {'pixel_auroc', 'image_auroc'}
            assert all(0 <= v <= 1 for v in scores.values())
        for defect in ('good', 'scratch', 'hole', 'stain'):
            for method in ('plain', 'anovl'):
                assert Image.open(out / 'anomaly' / f'{cat}_{defect}_{method}.png').size == (2 * 3 * 128, 2 * 128)
    assert Image.open(out / 'open_vocab_segmentation.png').size == (4 * 3 * 64, 4 * 64)
