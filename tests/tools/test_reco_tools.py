"""tools/reco_build_index.py and tools/reco_pseudo_labels.py: one-line errors for bad input.

(The full ReCo pipeline through both tools is tested in tests/models/reco/test_pipeline_e2e.py.)
"""
import os.path as osp
import sys

import numpy as np
import pytest
from PIL import Image

from clipdense.utils.cli import run_cli

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools'))
import reco_build_index  # noqa: E402
import reco_pseudo_labels  # noqa: E402

RECO = osp.join(ROOT, 'configs/reco/reco_cityscapes27.py')


def test_missing_config_is_checked_first(tmp_path, capsys):
    missing = str(tmp_path / 'nope.py')
    with pytest.raises(FileNotFoundError, match='config not found: .*nope.py; give the path of a ReCo config'):
        reco_build_index.main([missing, '--out', str(tmp_path / 'refs.pth')])
    with pytest.raises(FileNotFoundError, match='config not found: .*nope.py'):
        reco_pseudo_labels.main([missing, str(tmp_path / 'also_missing.pth')])
    with pytest.raises(SystemExit) as exc:
        run_cli(reco_pseudo_labels.main, [missing])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith('error: config not found') and err.count('\n') == 1


def test_pseudo_labels_checks_the_checkpoint_before_the_data(tmp_path):
    # the config's data (data/cityscapes) is absent here: the checkpoint must be reported first
    with pytest.raises(FileNotFoundError, match='checkpoint not found: .*refs.pth; build ReCo references'):
        reco_pseudo_labels.main([RECO, str(tmp_path / 'refs.pth')])
    bad = tmp_path / 'bad.pth'
    bad.write_text('not a checkpoint')
    with pytest.raises(ValueError, match='is not a PyTorch checkpoint'):
        reco_pseudo_labels.main([RECO, str(bad)])


@pytest.mark.parametrize('workers', [0, 1])  # 1: the error comes back from a DataLoader worker
def test_corrupt_image_while_building_a_new_index(tmp_path, capsys, workers):
    images = tmp_path / 'pool'
    images.mkdir()
    rng = np.random.default_rng(0)
    for i in range(2):
        Image.fromarray(rng.integers(0, 256, (32, 40, 3), dtype=np.uint8)).save(images / f'{i}.png')
    (images / 'broken.png').write_bytes(b'\x89PNG garbage')
    out = tmp_path / 'index.pth'
    argv = ['--images', str(images), '--out', str(out), '--clip-arch', 'tiny-ViT', '--workers', str(workers),
            '--device', 'cpu']
    with pytest.raises(SystemExit) as exc:
        run_cli(reco_build_index.main, argv)
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith('error: cannot read image ') and 'broken.png' in err
    assert 'remove or replace' in err and 'restore' not in err
    assert not out.exists()


def test_build_index_argument_checks(tmp_path):
    with pytest.raises(FileNotFoundError, match='unlabelled image collection .*missing not found'):
        reco_build_index.main(['--images', str(tmp_path / 'missing'), '--out', str(tmp_path / 'i.pth')])
    (tmp_path / 'pool').mkdir()
    with pytest.raises(ValueError, match='--out .* is a folder'):
        reco_build_index.main(['--images', str(tmp_path / 'pool'), '--out', str(tmp_path)])
