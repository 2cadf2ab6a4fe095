"""tools/eval_toy_clip.py: bad arguments end in one line, before the toy world or a model is touched."""
import os.path as osp
import sys

import pytest

from clipdense.utils.cli import run_cli

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools'))
import eval_toy_clip  # noqa: E402


def _main(tmp_path, *args):
    return eval_toy_clip.main(['--root', str(tmp_path / 'world'), *args])


def test_templates_and_split_are_choices_that_include_toy(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        _main(tmp_path, '--templates', 'bogus')
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'bogus'" in err and "'toy'" in err and "'imagenet80'" in err
    with pytest.raises(SystemExit) as exc:
        _main(tmp_path, '--split', 'bogus')
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'bogus'" in err and "'train'" in err and "'val'" in err
    assert not (tmp_path / 'world').exists()


def test_bad_numbers_root_and_arch_are_one_line_errors(tmp_path, capsys):
    with pytest.raises(ValueError, match='--limit must be a positive integer, got 0'):
        _main(tmp_path, '--limit', '0')
    (tmp_path / 'file').write_text('x')
    with pytest.raises(ValueError, match='is a file, not a folder'):
        eval_toy_clip.main(['--root', str(tmp_path / 'file')])
    with pytest.raises(ValueError, match="unknown CLIP architecture 'bogus'; choose one of .*'tiny-ViT'"):
        _main(tmp_path, '--arch', 'bogus')
    with pytest.raises(SystemExit) as exc:
        run_cli(eval_toy_clip.main, ['--root', str(tmp_path / 'world'), '--arch', 'bogus'])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith('error: unknown CLIP architecture') and err.count('\n') == 1
    assert 'pretrain_toy_clip.py --arch bogus' not in err
    assert not (tmp_path / 'world').exists()


def test_checkpoint_that_is_not_a_checkpoint(tmp_path):
    bad = tmp_path / 'bad.pt'
    bad.write_text('not weights')
    with pytest.raises(ValueError, match='not a PyTorch checkpoint'):
        _main(tmp_path, '--checkpoint', str(bad))
    with pytest.raises(FileNotFoundError, match='toy CLIP checkpoint not found'):
        _main(tmp_path, '--checkpoint', str(tmp_path / 'missing.pt'))
