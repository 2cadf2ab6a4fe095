"""tools/test.py and tools/train.py: bad input ends in one line before any model is built."""
import importlib.util
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs/examples/tiny_clip_fcn_shapes.py')


def _tool(name):
    spec = importlib.util.spec_from_file_location(f'clipdense_tool_{name}', osp.join(ROOT, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def test_tool():
    return _tool('test')


@pytest.fixture
def ckpt(tmp_path):
    path = str(tmp_path / 'model.pth')
    torch.save({'state_dict': {}}, path)
    return path


def test_out_sets_output_dir_only_where_the_metric_can_save(test_tool):
    iou = dict(type='IoUMetric')
    test_tool.set_output_dir(iou, 'preds')
    assert iou == dict(type='IoUMetric', output_dir='preds', keep_results=True)  # as mmseg does
    evs = [dict(type='AnomalyMetric'), dict(type='AffordanceHeatmapMetric')]
    test_tool.set_output_dir(evs, 'maps')
    assert all(ev['output_dir'] == 'maps' and 'keep_results' not in ev for ev in evs)
    with pytest.raises(ValueError, match='--out: the evaluator NoSuchMetric cannot save'):
        test_tool.set_output_dir(dict(type='NoSuchMetric'), 'x')


def test_test_rejects_bad_files_and_tta_without_pipeline(test_tool, ckpt, tmp_path):
    with pytest.raises(FileNotFoundError, match='config file not found'):
        test_tool.main([str(tmp_path / 'nope.py'), ckpt])
    with pytest.raises(FileNotFoundError, match='checkpoint not found'):
        test_tool.main([CONFIG, str(tmp_path / 'nope.pth')])
    junk = tmp_path / 'junk.pth'
    junk.write_bytes(os.urandom(64).replace(b'\x80', b'\x00') + b'x')
    with pytest.raises(ValueError, match='is not a PyTorch checkpoint'):
        test_tool.main([CONFIG, str(junk)])
    with pytest.raises(ValueError, match='--tta: .* defines no tta_pipeline'):
        test_tool.main([CONFIG, ckpt, '--tta', '--work-dir', str(tmp_path / 'w')])


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the CPU-only message')
def test_train_amp_needs_a_gpu():
    train = _tool('train')
    with pytest.raises(ValueError, match='--amp needs a CUDA GPU'):
        train.build_cfg(train.parse_args([CONFIG, '--amp']))


def test_train_missing_config_is_one_line():
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    env.pop('CLIPDENSE_DEBUG', None)
    proc = subprocess.run([sys.executable, 'tools/train.py', 'configs/no_such_config.py'], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip() == 'error: config file not found: configs/no_such_config.py'
