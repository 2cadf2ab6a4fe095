"""clipdense.utils.cli: user errors end in one line, programming errors keep their traceback."""
import pickle

import pytest
import torch

from clipdense.clip.checkpoint import CLIPCheckpointError
from clipdense.utils.cli import check_checkpoint_file, error_line, run_cli


def _raiser(exc):
    def main(argv=None):
        raise exc
    return main


@pytest.mark.parametrize('exc', [FileNotFoundError('image x.png not found'), ValueError('bad name'),
                                 CLIPCheckpointError('no CLIP weights'), KeyError('unknown class')])
def test_user_errors_become_one_line(exc, capsys, monkeypatch):
    monkeypatch.delenv('CLIPDENSE_DEBUG', raising=False)
    with pytest.raises(SystemExit) as info:
        run_cli(_raiser(exc))
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and err.startswith('error: ') and 'Traceback' not in err
    assert str(exc.args[0]) in err and "'" not in err  # KeyError's quotes are dropped


def test_debug_env_and_programming_errors_keep_traceback(monkeypatch):
    monkeypatch.setenv('CLIPDENSE_DEBUG', '1')
    with pytest.raises(ValueError):
        run_cli(_raiser(ValueError('x')))
    monkeypatch.delenv('CLIPDENSE_DEBUG')
    with pytest.raises(TypeError):
        run_cli(_raiser(TypeError('a bug')))
    assert run_cli(lambda argv: argv, ['--a']) == ['--a']
    assert error_line(KeyError('k')) == 'error: k'


def test_check_checkpoint_file(tmp_path):
    good = tmp_path / 'good.pth'
    torch.save({'state_dict': {}}, good)
    check_checkpoint_file(str(good))
    legacy = tmp_path / 'legacy.pkl'
    legacy.write_bytes(pickle.dumps({'a': 1}, protocol=2))
    check_checkpoint_file(str(legacy))
    bad = tmp_path / 'bad.pth'
    bad.write_bytes(b'not a checkpoint at all')
    with pytest.raises(ValueError, match='not a PyTorch checkpoint'):
        check_checkpoint_file(str(bad))
    (tmp_path / 'empty.pth').write_bytes(b'')
    with pytest.raises(ValueError):
        check_checkpoint_file(str(tmp_path / 'empty.pth'))
    with pytest.raises(FileNotFoundError, match='weights not found'):
        check_checkpoint_file(str(tmp_path / 'missing.pth'), what='weights')
