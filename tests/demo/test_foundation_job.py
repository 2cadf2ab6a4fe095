"""demo/foundation_job.py: an argparse CLI (--help, --out) around the 40-iteration shapes job.

The dataset writer and the two tool runs are replaced by recorders, so these tests run no
training and write nothing outside ``tmp_path``."""
import importlib.util
import os.path as osp
import runpy
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join(ROOT, 'demo', 'foundation_job.py')


@pytest.fixture
def calls(monkeypatch):
    """Record the job's work instead of doing it: ('data', folder) and ('run', argv) entries."""
    import tests.helpers
    made = []
    monkeypatch.setattr(tests.helpers, 'write_shapes_dataset', lambda root, **kw: made.append(('data', root)))

    def run(cmd, *args, **kwargs):
        made.append(('run', list(cmd)))
        return subprocess.CompletedProcess(cmd, getattr(run, 'rc', 0))
    monkeypatch.setattr(subprocess, 'run', run)
    return made, run


def _load():
    spec = importlib.util.spec_from_file_location('foundation_job', SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_help_prints_usage_and_runs_nothing(calls, monkeypatch, capsys):
    made, _ = calls
    monkeypatch.setattr(sys, 'argv', [SCRIPT, '--help'])
    with pytest.raises(SystemExit) as err:
        runpy.run_path(SCRIPT, run_name='__main__')   # as `python demo/foundation_job.py --help`
    assert err.value.code == 0
    assert '--out' in capsys.readouterr().out
    assert made == []


def test_out_holds_data_checkpoints_and_test_results(calls, tmp_path):
    made, _ = calls
    out = str(tmp_path / 'job')
    assert _load().main(['--out', out]) == out
    assert made[0] == ('data', osp.join(out, 'data'))
    train, test = (c for kind, c in made if kind == 'run')
    assert train[1].endswith('tools/train.py') and train[train.index('--work-dir') + 1] == osp.join(out, 'work')
    assert test[1].endswith('tools/test.py') and test[3] == osp.join(out, 'work', 'iter_40.pth')
    assert test[test.index('--work-dir') + 1] == osp.join(out, 'test')


def test_failed_tool_and_file_as_out_are_one_line_errors(calls, tmp_path):
    made, run = calls
    run.rc = 1
    job = _load()
    with pytest.raises(SystemExit, match=r'^error: tools/train.py failed \(exit status 1\); see its output'):
        job.main(['--out', str(tmp_path / 'job')])
    assert len([c for kind, c in made if kind == 'run']) == 1       # no test run after a failed training
    (tmp_path / 'file').write_text('keep')
    with pytest.raises(NotADirectoryError, match='is a file, not a folder'):
        job.main(['--out', str(tmp_path / 'file')])
    assert (tmp_path / 'file').read_text() == 'keep'
