"""demo/affordance_demo.py: image + any action text -> heat-map overlay PNG; one-line errors."""
import contextlib
import io
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


def _load_demo():
    import importlib.util
    spec = importlib.util.spec_from_file_location('affordance_demo', osp.join(ROOT, 'demo',
                                                                             'affordance_demo.py'))
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    return demo


def _main(*args):
    """Run the demo in-process as ``__main__`` does (``run_cli(main)``: same code path as the CLI,
    no interpreter start-up); return its one ``error:`` line."""
    demo = _load_demo()
    stderr = io.StringIO()
    with pytest.raises(SystemExit) as err, contextlib.redirect_stderr(stderr):
        demo.run_cli(demo.main, list(args))
    message = err.value.code if isinstance(err.value.code, str) else stderr.getvalue().strip()
    assert err.value.code != 0
    assert message.startswith('error:') and '\n' not in message, message
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


def _image(tmp_path, name='cup.jpg'):
    img = str(tmp_path / name)
    cv2.imwrite(img, np.full((8, 8, 3), 120, np.uint8))
    return img


def test_checkpoint_without_weights_of_the_model_is_rejected(tmp_path):
    ckpt = str(tmp_path / 'other.pth')
    torch.save({'state_dict': {'foo': torch.zeros(1)}}, ckpt)
    out = tmp_path / 'heat.png'
    msg = _main(_image(tmp_path), 'hold', '--config', CONFIG, '--checkpoint', ckpt, '--out', str(out),
                '--cfg-options', *MODEL_OPTIONS)
    assert 'other.pth holds none of the weights' in msg and osp.basename(CONFIG) in msg
    assert not out.exists()                         # no heat maps from random weights


@pytest.mark.parametrize('head', [b'', b'\x80'])  # \x80: starts like a pickle, fails in torch.load
def test_random_bytes_checkpoint_is_a_one_line_error(tmp_path, head):
    ckpt = tmp_path / 'noise.pth'
    ckpt.write_bytes(head + np.random.default_rng(0).integers(1, 127, 300, np.uint8).tobytes())
    msg = _main(_image(tmp_path), 'hold', '--config', CONFIG, '--checkpoint', str(ckpt),
                '--cfg-options', *MODEL_OPTIONS)
    assert 'noise.pth' in msg and 'not a PyTorch checkpoint' in msg and 'weights_only' not in msg


def test_out_folder_and_partial_checkpoint_warning(tiny_checkpoint, tmp_path, capsys):
    state = torch.load(tiny_checkpoint, map_location='cpu')['state_dict']
    dropped = list(state)[:3]
    partial = str(tmp_path / 'partial.pth')
    torch.save({'state_dict': {k: v for k, v in state.items() if k not in dropped}}, partial)
    folder = tmp_path / 'panels'
    folder.mkdir()
    (folder / 'keep.png').write_bytes(b'x')
    written = _load_demo().main([_image(tmp_path), 'hold', '--config', CONFIG, '--checkpoint', partial,
                                 '--out', str(folder), '--cfg-options', *MODEL_OPTIONS])
    assert written == str(folder / 'cup_affordance.png')
    assert cv2.imread(written).shape == (256, 256, 3)
    assert (folder / 'keep.png').read_bytes() == b'x'
    warning = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith('warning:')]
    assert len(warning) == 1 and f'{len(dropped)} of {len(state)} weights' in warning[0]
    assert 'partial.pth' in warning[0]


def test_out_with_unknown_extension_is_rejected_before_loading(tiny_checkpoint, tmp_path):
    assert 'cannot write an image' in _main(_image(tmp_path), 'hold', '--config', CONFIG, '--checkpoint',
                                            tiny_checkpoint, '--out', str(tmp_path / 'panel.txt'))
