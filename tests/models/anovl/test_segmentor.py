"""AnoVLSegmentor from the real config (shrunk): predict outputs, loading, tools/test.py end to end."""
import glob
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from .data_trees import write_mvtec_tree
from .tiny import CONFIG, ROOT, TINY_OPTIONS, tiny_cli_options


@pytest.fixture(scope='module')
def model():
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(TINY_OPTIONS)
    init_default_scope(cfg.default_scope)
    return MODELS.build(cfg.model).eval()


def _samples(names):
    return [SegDataSample(metainfo=dict(object_name=n, img_shape=(64, 64), ori_shape=(64, 64))) for n in names]


def test_predict_outputs(model):
    x = torch.randn(2, 3, 64, 64)
    out = model.predict(x, _samples(['bottle', 'wood']))
    for ds in out:
        amap = ds.seg_logits.data
        assert amap.shape == (1, 64, 64) and ((amap > 0) & (amap < 1)).all()
        torch.testing.assert_close(ds.pred_sem_seg.data, (amap >= 0.5).long())
        assert ds.pred_score.shape == (1,)
    tfa = model.localize(x, ['bottle', 'wood'], tta=False)
    assert not torch.allclose(tfa['anomaly_map'], torch.stack([d.seg_logits.data[0] for d in out]))
    assert model.tta_enabled and 'tta_losses' in model.localize(x[:1], ['bottle'])


def test_errors(model):
    with pytest.raises(KeyError, match='has no object_name'):
        model.predict(torch.randn(1, 3, 64, 64), [SegDataSample(metainfo=dict(img_path='a.png'))])
    with pytest.raises(RuntimeError, match='nothing to train'):
        model.loss(torch.randn(1, 3, 64, 64), _samples(['bottle']))


def test_empty_checkpoint_keeps_clip_weights(model):
    before = model.localizer.clip.visual.conv1.weight.clone()
    model.load_state_dict({}, strict=True)
    torch.testing.assert_close(model.localizer.clip.visual.conv1.weight, before)


def test_tools_test_end_to_end(tmp_path):
    data = write_mvtec_tree(str(tmp_path / 'mvtec'), categories=('bottle', 'wood'), n_good=2, n_bad=2)
    ckpt = str(tmp_path / 'empty.pth')
    torch.save({'state_dict': {}}, ckpt)
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    out = tmp_path / 'maps'
    proc = subprocess.run([sys.executable, 'tools/test.py', CONFIG, ckpt, '--work-dir', str(tmp_path / 'w'),
                           '--out', str(out), '--cfg-options', *tiny_cli_options(data)],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    for key in ('pixel_AUROC', 'AUPRO', 'pixel_F1max', 'image_AUROC', 'image_F1max', 'bottle/AUPRO'):
        assert key in log, log[-3000:]
    # --out: one float map per test image, grouped by category and defect type
    images = sorted(glob.glob(os.path.join(data, '*', 'test', '*', '*.png')))
    saved = sorted(glob.glob(str(out / '*' / '*' / '*.npy')))
    assert len(saved) == len(images) > 0
    assert {tuple(p.split(os.sep)[-3:-1]) for p in saved} == \
        {(p.split(os.sep)[-4], p.split(os.sep)[-2]) for p in images}  # <category>/test/<defect>/
    for p in saved:
        m = np.load(p)
        assert m.dtype == np.float32 and m.ndim == 2 and np.isfinite(m).all()
