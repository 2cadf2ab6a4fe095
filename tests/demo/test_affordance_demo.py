"""demo/affordance_demo.py: image + any action text -> heat-map overlay PNG; one-line errors."""
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch

from ..models.affordanceclip.tiny_setup import CONFIG, MODEL_OPTIONS, ROOT


@pytest.fixture(scope='module')
def tiny_checkpoint(tmp_path_factory):
    from mmengine.config import Config
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules

    import clipdense  # noqa: F401
    register_all_modules()
    cfg = Config.fromfile(CONFIG)
    cfg.model.clip.arch, cfg.model.clip.checkpoint = 'tiny-RN', None
    cfg.model.neck.channels = (16, 24, 32)
    cfg.model.projector.channels = 16
    model = MODELS.build(cfg.model)
    path = str(tmp_path_factory.mktemp('ckpt') / 'tiny.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return path


def _demo(*args):
    cmd = [sys.executable, 'demo/affordance_demo.py', *args]
    env = dict(os.environ, OMP_NUM_THREADS='1')
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)


def test_writes_one_overlay_panel_per_action(tiny_checkpoint, tmp_path):
    img = np.full((40, 60, 3), 120, np.uint8)
    img[10:30, 10:30] = (20, 20, 200)
    cv2.imwrite(str(tmp_path / 'cup.jpg'), img)
    out = str(tmp_path / 'overlay.png')
    proc = _demo(str(tmp_path / 'cup.jpg'), 'hold', 'drink with', '--config', CONFIG,
                 '--checkpoint', tiny_checkpoint, '--out', out, '--cfg-options', *MODEL_OPTIONS)
    assert proc.returncode == 0, proc.stderr[-3000:]
    png = cv2.imread(out)
    assert png.shape == (5 * 40, 5 * 120, 3)   # two panels side by side, enlarged x5 (longer side >= 256)
    assert 'drink with' in proc.stdout
    assert not np.array_equal(png[:, :60], np.repeat(img[..., :1], 3, 2))  # heat map drawn


def _main(*args):
    """Run the demo's ``main`` in-process (same code path as the CLI, no interpreter start-up)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location('affordance_demo', osp.join(ROOT, 'demo',
                                                                             'affordance_demo.py'))
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    with pytest.raises(SystemExit) as err:
        demo.main(list(args))
    message = str(err.value)
    assert message.startswith('error:') and '\n' not in message
    return message


def test_missing_image_and_checkpoint_are_one_line_errors(tiny_checkpoint, tmp_path):
    assert 'nope.jpg is missing' in _main(str(tmp_path / 'nope.jpg'), 'hold', '--config', CONFIG,
                                          '--checkpoint', tiny_checkpoint)
    img = str(tmp_path / 'x.png')
    cv2.imwrite(img, np.zeros((8, 8, 3), np.uint8))
    assert 'none.pth not found' in _main(img, 'hold', '--config', CONFIG,
                                         '--checkpoint', str(tmp_path / 'none.pth'))


def test_missing_clip_weights_are_named(tiny_checkpoint, tmp_path):
    img = str(tmp_path / 'x.png')
    cv2.imwrite(img, np.zeros((8, 8, 3), np.uint8))
    opts = [o for o in MODEL_OPTIONS if 'checkpoint' not in o] + [
        f'model.clip.checkpoint={tmp_path}/RN.pt']
    assert 'RN.pt' in _main(img, 'hold', '--config', CONFIG, '--checkpoint', tiny_checkpoint,
                            '--cfg-options', *opts)
