"""tools/pretrain_toy_clip.py: bad arguments end in one line before the corpus is generated."""
import os.path as osp
import sys

import pytest

from clipdense.utils.cli import run_cli

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools'))
import pretrain_toy_clip  # noqa: E402


def test_unknown_arch_fails_before_generating_the_corpus(tmp_path, capsys):
    world = tmp_path / 'world'
    args = ['--root', str(world), '--out', str(tmp_path / 'ckpt.pt'), '--arch', 'bogus']
    with pytest.raises(ValueError, match="unknown CLIP architecture 'bogus'; choose one of .*'toy-RN'"):
        pretrain_toy_clip.main(args)
    with pytest.raises(SystemExit) as exc:
        run_cli(pretrain_toy_clip.main, args)
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith('error: unknown CLIP architecture') and err.count('\n') == 1
    assert not world.exists() and not (tmp_path / 'ckpt.pt').exists()


def test_root_that_is_a_file_and_bad_numbers(tmp_path):
    (tmp_path / 'file').write_text('x')
    with pytest.raises(ValueError, match='--root .*file is a file, not a folder'):
        pretrain_toy_clip.main(['--root', str(tmp_path / 'file'), '--out', str(tmp_path / 'ckpt.pt')])
    with pytest.raises(ValueError, match='--steps must be a positive integer, got 0'):
        pretrain_toy_clip.main(['--root', str(tmp_path / 'w'), '--out', str(tmp_path / 'c.pt'), '--steps', '0'])
    with pytest.raises(ValueError, match='--out .* is a folder'):
        pretrain_toy_clip.main(['--root', str(tmp_path / 'w'), '--out', str(tmp_path)])
    assert (tmp_path / 'file').read_text() == 'x' and not (tmp_path / 'w').exists()
