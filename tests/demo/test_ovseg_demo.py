"""demo/ovseg_demo.py: image or folder + class list -> overlay with legend + raw label map."""
import importlib.util
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from PIL import Image

from clipdense.utils.cli import run_cli

from ..helpers import shapes_sample
from ..models.ovseg.tiny import ROOT, one_thread, tiny_ovseg_config  # noqa: F401 (autouse)

spec = importlib.util.spec_from_file_location('ovseg_demo', osp.join(ROOT, 'demo/ovseg_demo.py'))
demo = importlib.util.module_from_spec(spec)
spec.loader.exec_module(demo)


@pytest.fixture(scope='module')
def weights(tmp_path_factory):
    """A tiny OVSeg config and its (random) weights, as tools/train.py would leave them."""
    root = tmp_path_factory.mktemp('ovseg_demo')
    cfg = tiny_ovseg_config()
    cfg.test_pipeline = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(96, 64), keep_ratio=True),
                         dict(type='PackSegInputs')]
    cfg.dump(str(root / 'ovseg_tiny.py'))
    init_default_scope('mmseg')
    torch.manual_seed(0)
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, root / 'ovseg_tiny.pth')
    return str(root / 'ovseg_tiny.py'), str(root / 'ovseg_tiny.pth')


def _images(folder, n=2):
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        Image.fromarray(shapes_sample(rng)[0]).save(folder / f'img{i}.png')
    (folder / 'broken.jpg').write_bytes(b'not an image')
    return folder


def test_folder_with_a_broken_image(weights, tmp_path, capsys):
    config, ckpt = weights
    out = tmp_path / 'out'
    rc = demo.main([str(_images(tmp_path / 'imgs')), '--classes', 'red,green,blue,grey background',
                    '--config', config, '--checkpoint', ckpt, '--out-dir', str(out)])
    assert rc == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f'warning: skipping {tmp_path / "imgs" / "broken.jpg"}: not a readable image']
    for i in range(2):
        labels = np.array(Image.open(out / f'img{i}_labels.png'))
        overlay = Image.open(out / f'img{i}_overlay.png')
        assert labels.shape == (64, 96) and labels.dtype == np.uint8 and labels.max() < 4
        assert overlay.size[0] > 96 and overlay.size[1] >= 64          # legend to the right
    assert not (out / 'broken_labels.png').exists()


def test_class_file_with_unicode_and_large_vocabulary(weights, tmp_path):
    config, ckpt = weights
    names = ['café', '猫', 'Straße'] + [f'thing {i}' for i in range(297)]
    f = tmp_path / 'classes.txt'
    f.write_text('\n'.join(names), encoding='utf-8')
    _images(tmp_path / 'imgs', n=1)
    out = tmp_path / 'out'
    assert demo.main([str(tmp_path / 'imgs' / 'img0.png'), '--classes', str(f), '--config', config,
                      '--checkpoint', ckpt, '--out-dir', str(out)]) == 0
    labels = np.array(Image.open(out / 'img0_labels.png'))
    assert labels.dtype == np.uint16 and labels.max() < 300       # > 255 classes: 16-bit map


def test_single_class_marks_unlabelled_pixels(weights, tmp_path):
    config, ckpt = weights
    _images(tmp_path / 'imgs', n=1)
    out = tmp_path / 'out'
    demo.main([str(tmp_path / 'imgs' / 'img0.png'), '--classes', 'red', '--config', config,
               '--checkpoint', ckpt, '--out-dir', str(out)])
    assert set(np.unique(np.array(Image.open(out / 'img0_labels.png')))) <= {0, 1}


def test_missing_weights_and_classes_are_one_line_errors(weights, tmp_path):
    config, _ = weights
    _images(tmp_path / 'imgs', n=1)
    with pytest.raises(SystemExit, match='^error: no OVSeg weights found at .*--checkpoint'):
        demo.main([str(tmp_path / 'imgs'), '--classes', 'a,b', '--config', config,
                   '--checkpoint', str(tmp_path / 'missing.pth')])
    with pytest.raises(SystemExit, match='^error: no classes given'):
        demo.main([str(tmp_path / 'imgs'), '--config', config])
    with pytest.raises(SystemExit, match='^error: input .* does not exist'):
        demo.main([str(tmp_path / 'nope.png'), '--classes', 'a'])


def _one_line_error(argv, capsys, monkeypatch):
    """Run the demo as from the command line; its stderr, which must be exactly one ``error:`` line."""
    monkeypatch.delenv('CLIPDENSE_DEBUG', raising=False)
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        run_cli(demo.main, argv)
    err = capsys.readouterr().err
    if isinstance(info.value.code, str):   # SystemExit('error: ...'): Python prints it as is, exit status 1
        err = info.value.code + '\n'
    else:
        assert info.value.code == 1
    assert err.count('\n') == 1 and err.startswith('error: ') and 'Traceback' not in err, err
    return err.strip()


def test_explicitly_empty_classes_are_rejected_even_with_toy(weights, tmp_path, capsys, monkeypatch):
    config, ckpt = weights
    _images(tmp_path / 'imgs', n=1)
    from clipdense.models.ovseg import toy       # --toy must not fall back to its default vocabulary
    monkeypatch.setattr(toy, 'toy_demo_defaults', lambda: (config, ckpt, None, 'red,green,blue,grey background'))
    blank = _one_line_error([str(tmp_path / 'imgs'), '--toy', '--classes', ' , ,', '--out-dir', str(tmp_path / 'o')],
                            capsys, monkeypatch)
    assert blank.startswith('error: class list is empty or has an empty name')
    for extra in (['--toy'], ['--config', config, '--checkpoint', ckpt]):
        line = _one_line_error([str(tmp_path / 'imgs'), '--classes', '', '--out-dir', str(tmp_path / 'o'), *extra],
                               capsys, monkeypatch)
        assert line.split(':')[:2] == blank.split(':')[:2]
    assert not (tmp_path / 'o').exists()


def test_unreadable_single_image_and_corrupt_weights_are_one_line_errors(weights, tmp_path, capsys, monkeypatch):
    config, ckpt = weights
    folder = _images(tmp_path / 'imgs', n=1)
    bad = tmp_path / 'random.pth'
    bad.write_bytes(bytes(np.random.default_rng(0).integers(0, 256, 512, dtype=np.uint8)))
    common = ['--classes', 'red,green', '--config', config, '--out-dir', str(tmp_path / 'o')]
    line = _one_line_error([str(folder / 'broken.jpg'), *common, '--checkpoint', ckpt], capsys, monkeypatch)
    assert line.startswith(f'error: {folder / "broken.jpg"} is not a readable image file')
    line = _one_line_error([str(folder / 'img0.png'), *common, '--checkpoint', str(bad)], capsys, monkeypatch)
    assert line.startswith(f'error: OVSeg weights {bad} is not a PyTorch checkpoint')
    line = _one_line_error([str(folder / 'img0.png'), *common, '--checkpoint', ckpt, '--adapted-clip', str(bad)],
                           capsys, monkeypatch)
    assert line.startswith(f'error: mask-adapted CLIP checkpoint {bad} is not a PyTorch checkpoint')
    assert not (tmp_path / 'o').exists()


def test_overlay_palette_and_legend_helpers():
    pal = demo.palette(500)
    assert pal.shape == (500, 3) and len({tuple(c) for c in pal[:50]}) == 50
    rgb = np.zeros((10, 20, 3), np.uint8)
    labels = np.zeros((10, 20), np.int64)
    labels[:, 10:] = 2
    img = demo.render_overlay(rgb, labels, ['a', 'b', 'c'], opacity=1.0)
    arr = np.array(img)
    assert tuple(arr[0, 0]) == tuple(pal[0]) and tuple(arr[0, 15]) == tuple(pal[2])
