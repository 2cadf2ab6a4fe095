import math
import sys

import pytest
import torch

from clipdense.utils.parity import (FakeRegistry, ParityReport, fake_module, load_golden, max_abs_diff,
                                    perturb_, reference_imports, save_golden)


def test_perturb_gives_equal_names_equal_values_and_o1_activations():
    a, b = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.LayerNorm(32)), \
        torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.LayerNorm(32))
    perturb_(a, seed=3), perturb_(b, seed=3)
    for (n, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(x, y), n
    w = a[0].weight.detach()
    assert abs(float(w.std()) - 1 / math.sqrt(64)) < 0.03
    assert float((a[1].weight - 1).abs().max()) < 0.6 and float(a[1].weight.std()) > 0.02
    assert float(a[0].bias.abs().min()) > 0                 # no zeros left
    c = perturb_(torch.nn.Linear(64, 32), seed=4)
    assert not torch.equal(c.weight, w)
    y = a[0](torch.randn(100, 64))
    assert 0.3 < float(y.std()) < 3


def test_perturb_keeps_batchnorm_variances_positive():
    bn = perturb_(torch.nn.BatchNorm2d(8))
    assert float(bn.running_var.min()) >= 1 and int(bn.num_batches_tracked) == 0


def test_report_flags_rows_over_tolerance(capsys):
    r = ParityReport('demo', tol=1e-5)
    r.check('same', torch.ones(3), torch.ones(3))
    r.check('off', torch.ones(3), torch.ones(3) + 1e-3)
    r.check('shape', torch.ones(3), torch.ones(4))
    assert r.finish() == 1 and r.failures == ['off', 'shape']
    out = capsys.readouterr().out
    assert 'same: max_abs_diff=0' in out and 'off: max_abs_diff=0.001' in out and 'FAIL' in out
    assert max_abs_diff({'a': (torch.zeros(2), torch.ones(1))}, {'a': (torch.zeros(2), torch.ones(1) * 3)}) == 2
    assert max_abs_diff(torch.tensor([1, 2, 3]), torch.tensor([1, 0, 0])) == 2   # labels: count


def test_reference_imports_installs_fakes_and_restores(tmp_path):
    pkg = tmp_path / 'refpkg'
    pkg.mkdir()
    (pkg / '__init__.py').write_text('from fakefw.registry import MODELS\n'
                                     '@MODELS.register_module()\nclass Net:\n    pass\n')
    reg = FakeRegistry()
    with reference_imports(str(tmp_path), {'fakefw.registry': fake_module('fakefw.registry', MODELS=reg)}):
        import refpkg
        assert 'Net' in reg and refpkg.Net is reg.get('Net')
    assert 'fakefw' not in sys.modules and 'refpkg' not in sys.modules
    assert str(tmp_path) not in sys.path
    with pytest.raises(FileNotFoundError, match='--ref'):
        with reference_imports(str(tmp_path / 'missing')):
            pass


def test_golden_roundtrip_and_size_limit(tmp_path):
    p = str(tmp_path / 'g.pt')
    save_golden(p, {'x': torch.randn(3, dtype=torch.float64), 'meta': {'seed': 1}})
    g = load_golden(p)
    assert g['x'].dtype == torch.float32 and g['meta']['seed'] == 1
    with pytest.raises(ValueError, match='MB'):
        save_golden(p, {'big': torch.zeros(1000)}, max_bytes=100)
    assert load_golden(p)['x'].shape == (3,)                # the old fixture is kept
    with pytest.raises(FileNotFoundError, match='--write-golden'):
        load_golden(str(tmp_path / 'none.pt'))
