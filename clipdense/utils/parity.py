"""The parity kit: prove that clipdense computes what a method's released code computes.

Used by ``tools/parity/<method>.py`` (run against a local checkout of the released repository,
imported at run time, never copied) and by ``tests/parity/`` (run in CI against the small golden
fixtures those scripts write). The pieces:

* :func:`perturb_` gives every floating tensor of a module seeded random values of a sensible
  scale (zeros and ones would hide swapped tensors; the scales keep activations O(1)).
* :func:`import_reference` puts a checkout on ``sys.path`` after installing stand-ins
  (:func:`fake_module`, :class:`FakeRegistry`) for framework imports such as detectron2 or mmseg
  0.x registries, and imports the reference's modules.
* :class:`ParityReport` compares components, prints ``name: max_abs_diff=...`` lines and fails
  when any exceeds the tolerance (fp32: 1e-5).
* :func:`save_golden` / :func:`load_golden` write and read the fixtures (size-checked).
"""
import contextlib
import importlib
import math
import os
import os.path as osp
import sys
import types
import zlib
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import torch

DEFAULT_TOL = 1e-5
GOLDEN_MAX_BYTES = 2 * 1024 * 1024


# ---------------------------------------------------------------- identical random weights
def _generator(seed: int, name: str) -> torch.Generator:
    """A generator that depends on the seed and the tensor's name only (stable across runs)."""
    return torch.Generator().manual_seed((seed * 1_000_003 + zlib.crc32(name.encode())) % (2 ** 63))


def default_perturbation(name: str, t: torch.Tensor, gen: torch.Generator,
                         is_norm_scale: bool = False) -> torch.Tensor:
    """The value a tensor ``name`` of ``t``'s shape gets (``is_norm_scale``: the 1-D weight of a
    normalisation module).

    * ``ndim >= 2`` (weights, position tables, embeddings): N(0, 1 / fan_in), fan_in the
      product of all but the first dimension (the last for 2-D position/token tables);
    * 1-D norm scales (the weight of a ``*Norm*`` module, or named ``ln``/``norm``/``bn``...,
      ``gamma``): 1 + 0.1 N(0, 1);
    * BatchNorm ``running_var``: 1 + 0.2 U(0, 1); ``running_mean``: 0.1 N(0, 1);
    * ``logit_scale``: log(100) + 0.1 N(0, 1) (keeps logits of cosine similarities O(10));
    * everything else 1-D / 0-D (biases, class embeddings, layer scales): 0.1 N(0, 1).
    """
    low = name.lower()
    shape = t.shape
    if low.endswith('running_var'):
        return 1 + 0.2 * torch.rand(shape, generator=gen)
    if low.endswith('running_mean'):
        return 0.1 * torch.randn(shape, generator=gen)
    if 'logit_scale' in low:
        return math.log(100.0) + 0.1 * torch.randn(shape, generator=gen)
    if t.dim() >= 2:
        is_table = any(k in low for k in ('positional_embedding', 'pos_embed', 'token_embedding',
                                          'class_embedding', 'cls_token', 'prompt', 'context'))
        fan_in = shape[-1] if (is_table and t.dim() <= 3) else math.prod(shape[1:])
        std = 1.0 / math.sqrt(max(fan_in, 1))
        if is_table:
            std = max(std, 0.05)
        return std * torch.randn(shape, generator=gen)
    leaf = low.rsplit('.', 1)[-1]
    parent = low.rsplit('.', 2)[-2] if low.count('.') >= 1 else ''
    if is_norm_scale or leaf == 'gamma' or (
            leaf == 'weight' and any(k in parent for k in ('ln', 'norm', 'bn'))):
        return 1 + 0.1 * torch.randn(shape, generator=gen)
    return 0.1 * torch.randn(shape, generator=gen)


def perturb_(module: torch.nn.Module, seed: int = 0,
             rule: Callable[[str, torch.Tensor, torch.Generator], Optional[torch.Tensor]] = None,
             skip: Sequence[str] = ()) -> torch.nn.Module:
    """Give every floating tensor of ``module.state_dict()`` a seeded random value, in place.

    ``rule(name, tensor, generator)`` may return a value for a tensor (``None``: the default
    rule, :func:`default_perturbation`); names containing any of ``skip`` are left alone.
    Values depend only on ``seed`` and the tensor's name, so two modules with the same names get
    the same weights.
    """
    norm_scales = {f'{m_name}.weight' if m_name else 'weight'
                   for m_name, m in module.named_modules() if 'Norm' in type(m).__name__}
    with torch.no_grad():
        for name, t in module.state_dict(keep_vars=True).items():
            if not torch.is_floating_point(t) or any(s in name for s in skip):
                continue
            gen = _generator(seed, name)
            value = rule(name, t, gen) if rule is not None else None
            if value is None:
                value = default_perturbation(name, t, gen, is_norm_scale=name in norm_scales)
            t.data.copy_(value.to(t.dtype))
    return module


# ---------------------------------------------------------------- importing the reference
class FakeRegistry:
    """Stand-in for an mmcv 0.x / detectron2 ``Registry``: ``register_module`` records classes
    and ``build`` instantiates ``cfg['type']`` with the remaining keys."""

    def __init__(self, name: str = 'fake'):
        self.name = name
        self.module_dict: Dict[str, type] = {}

    def register_module(self, name=None, force=False, module=None):
        if module is not None:
            self.module_dict[name or module.__name__] = module
            return module
        if isinstance(name, type):           # used as @REGISTRY.register_module without ()
            self.module_dict[name.__name__] = name
            return name

        def deco(cls):
            self.module_dict[name or cls.__name__] = cls
            return cls
        return deco

    register = register_module              # detectron2's spelling

    def get(self, key):
        return self.module_dict[key]

    def build(self, cfg, **kwargs):
        cfg = dict(cfg)
        return self.module_dict[cfg.pop('type')](**cfg, **kwargs)

    def __contains__(self, key):
        return key in self.module_dict


def fake_module(name: str, **attrs) -> types.ModuleType:
    """A module object called ``name`` holding ``attrs`` (parents are created as packages)."""
    mod = types.ModuleType(name)
    mod.__dict__.update(attrs)
    mod.__path__ = []                      # importable as a package too
    return mod


@contextlib.contextmanager
def reference_imports(path: str, fakes: Optional[Dict[str, types.ModuleType]] = None,
                      hide: Iterable[str] = ()):
    """Within the block, ``path`` is first on ``sys.path``, ``fakes`` stand in for their module
    names, and the top-level modules in ``hide`` (e.g. a package name clipdense also imports,
    like ``open_clip``) are removed from ``sys.modules`` so the reference's copy is imported.
    Afterwards ``sys.path`` and ``sys.modules`` are restored: the fakes, the hidden packages'
    reference copies and every module imported from ``path`` are removed again (objects built from
    them keep working), so generic reference module names (``utils``, ``model``) leak nowhere."""
    path = osp.abspath(osp.expanduser(path))
    if not osp.isdir(path):
        raise FileNotFoundError(f'reference checkout {path} not found: pass --ref PATH to a local '
                                'clone of the released repository')
    saved = {}
    names = set(fakes or {})
    for top in hide:
        names.update(k for k in sys.modules if k == top or k.startswith(top + '.'))
    for k in names:
        if k in sys.modules:
            saved[k] = sys.modules.pop(k)
    for k, mod in (fakes or {}).items():
        sys.modules[k] = mod
    for k in list(fakes or {}):                 # parents as packages, children as attributes
        child = k
        while '.' in child:
            parent, _, leaf = child.rpartition('.')
            if parent not in sys.modules:
                sys.modules[parent] = fake_module(parent)
                names.add(parent)
            setattr(sys.modules[parent], leaf, sys.modules[child])
            child = parent
    sys.path.insert(0, path)
    try:
        yield path
    finally:
        sys.path.remove(path)
        for k, mod in list(sys.modules.items()):
            origin = getattr(mod, '__file__', None) or ''
            if k in names or any(k == t or k.startswith(t + '.') for t in hide) \
                    or osp.abspath(origin).startswith(path + os.sep):
                sys.modules.pop(k, None)
        sys.modules.update(saved)


def import_reference(path: str, module: str, fakes=None, hide=()) -> types.ModuleType:
    """Import ``module`` from the checkout at ``path`` (see :func:`reference_imports`)."""
    with reference_imports(path, fakes, hide):
        return importlib.import_module(module)


def git_commit(path: str) -> str:
    """The commit a checkout is at (``'unknown'`` if it is not a git checkout)."""
    head = osp.join(path, '.git', 'HEAD')
    try:
        ref = open(head).read().strip()
        if ref.startswith('ref: '):
            return open(osp.join(path, '.git', ref[5:])).read().strip()
        return ref
    except OSError:
        return 'unknown'


# ---------------------------------------------------------------- comparing
def max_abs_diff(a, b) -> float:
    """Max abs difference of two tensors (or nested tuples/lists/dicts of them); ``inf`` when
    shapes or structures differ."""
    if isinstance(a, dict):
        if not isinstance(b, dict) or set(a) != set(b):
            return math.inf
        return max((max_abs_diff(a[k], b[k]) for k in a), default=0.0)
    if isinstance(a, (list, tuple)):
        if not isinstance(b, (list, tuple)) or len(a) != len(b):
            return math.inf
        return max((max_abs_diff(x, y) for x, y in zip(a, b)), default=0.0)
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    if a.shape != b.shape:
        return math.inf
    if a.numel() == 0:
        return 0.0
    if not torch.is_floating_point(a):
        return float((a != b).sum())       # integer outputs (labels): how many differ
    return float((a.double() - b.double()).abs().max())


class ParityReport:
    """Collects ``name: max_abs_diff`` rows; :meth:`finish` prints the verdict and returns the
    process exit code (1 if any row is over its tolerance)."""

    def __init__(self, title: str, tol: float = DEFAULT_TOL, stream=None):
        self.title, self.tol = title, tol
        self.rows: List[Tuple[str, float, float]] = []
        self.stream = stream or sys.stdout
        print(f'# {title}', file=self.stream, flush=True)

    def check(self, name: str, ours, ref, tol: Optional[float] = None) -> float:
        d = max_abs_diff(ours, ref)
        tol = self.tol if tol is None else tol
        self.rows.append((name, d, tol))
        flag = '' if d <= tol else f'   > {tol:g}  FAIL'
        print(f'{name}: max_abs_diff={d:.3g}{flag}', file=self.stream, flush=True)
        return d

    @property
    def failures(self) -> List[str]:
        return [n for n, d, t in self.rows if not d <= t]

    def finish(self) -> int:
        bad = self.failures
        worst = max((d for _, d, _ in self.rows), default=0.0)
        verdict = 'FAIL: ' + ', '.join(bad) if bad else 'all within tolerance'
        print(f'# {len(self.rows)} components, worst {worst:.3g}; {verdict}', file=self.stream,
              flush=True)
        return 1 if bad else 0


# ---------------------------------------------------------------- golden fixtures
def _compact(obj):
    if torch.is_tensor(obj):
        t = obj.detach().cpu().contiguous()
        return t.float() if t.dtype in (torch.float64, torch.float16, torch.bfloat16) else t
    if isinstance(obj, dict):
        return {k: _compact(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_compact(v) for v in obj)
    return obj


def save_golden(path: str, data: dict, max_bytes: int = GOLDEN_MAX_BYTES) -> int:
    """Write a golden fixture (tensors as contiguous CPU float32) and return its size; refuse
    one larger than ``max_bytes``."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = path + '.tmp'
    torch.save(_compact(data), tmp)
    size = osp.getsize(tmp)
    if size > max_bytes:
        os.remove(tmp)
        raise ValueError(f'golden fixture {path} would be {size / 2**20:.2f} MB (> '
                         f'{max_bytes / 2**20:.0f} MB): use smaller weights or inputs')
    os.replace(tmp, path)
    return size


def load_golden(path: str) -> dict:
    """Read a golden fixture written by :func:`save_golden`."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'golden fixture {path} is missing: regenerate it with '
                                'tools/parity/<method>.py --ref <checkout> --write-golden')
    return torch.load(path, map_location='cpu', weights_only=True)


def parity_arg_parser(description: str, golden_name: str):
    """The common command line of ``tools/parity/<method>.py``."""
    import argparse
    p = argparse.ArgumentParser(description=description)
    p.add_argument('--ref', required=True, help='local checkout of the released repository')
    p.add_argument('--write-golden', action='store_true',
                   help=f'also write tests/parity/golden/{golden_name}.pt from this run')
    p.add_argument('--golden-dir', default=None,
                   help='where to write the fixture (default: tests/parity/golden of this repo)')
    p.add_argument('--tol', type=float, default=DEFAULT_TOL, help='max abs diff allowed (fp32)')
    p.add_argument('--seed', type=int, default=0)
    return p
