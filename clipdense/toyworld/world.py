"""``ensure_toy_world``: generate the parts of the toy world that are missing.

A part counts as present when its marker ``<root>/.toyworld/<part>.json`` exists and records
the same generator version, seed and sizes; otherwise the part is (re)written from scratch.
Generation is deterministic: the same seed gives byte-identical PNG/JPEG files (and identical
``gt_label`` arrays in the ``.mat`` files, whose headers carry a timestamp).
"""
import json
import os
import os.path as osp
import shutil
import sys
import time
from collections import OrderedDict
from typing import Iterable, Optional

from .affordance import write_umd
from .corpus import write_clip_pretrain, write_pool
from .industrial import write_mvtec
from .objects import write_object_scenes
from .street import write_cityscapes, write_gta5

GENERATOR_VERSION = 2  # 2: street-thing crops in the CLIP corpus
DEFAULT_ROOT = 'data/toyworld'
# part -> (folders it owns, writer(root, seed, **sizes), sizes)
PARTS = OrderedDict([
    ('objects', (('objects',), write_object_scenes, dict(counts=dict(train=400, val=200)))),
    ('clip_pretrain', (('clip_pretrain',), write_clip_pretrain, dict(n_images=10000))),
    ('gta5', (('gta5',), write_gta5, dict(n_images=300, n_val=50))),
    ('cityscapes', (('cityscapes',), write_cityscapes, dict(counts=dict(train=100, val=60)))),
    ('mvtec', (('mvtec',), write_mvtec, dict(n_train=40, n_test_good=16, n_per_defect=10))),
    ('umd', (('umd',), write_umd, dict(n_instances=2, n_frames=10))),
    ('pool', (('pool',), write_pool, dict(n_images=300))),
])


def _marker(root: str, part: str) -> str:
    return osp.join(root, '.toyworld', f'{part}.json')


def _expected(part: str, seed: int, sizes: Optional[dict]) -> dict:
    return dict(part=part, version=GENERATOR_VERSION, seed=seed, sizes=sizes or PARTS[part][2])


def part_is_present(root: str, part: str, seed: int = 0, sizes: Optional[dict] = None) -> bool:
    """True if ``part`` was generated under ``root`` with this version, seed and sizes."""
    try:
        with open(_marker(root, part)) as f:
            found = json.load(f)
    except (OSError, ValueError):
        return False
    want = _expected(part, seed, sizes)
    return all(found.get(k) == want[k] for k in want)


def ensure_toy_world(root: str = DEFAULT_ROOT, parts: Optional[Iterable[str]] = None, seed: int = 0,
                     sizes: Optional[dict] = None, verbose: bool = True) -> str:
    """Generate the missing ``parts`` (default: all of :data:`PARTS`) under ``root``.

    Args:
        root: output folder (created).
        parts: names from :data:`PARTS`; ``None`` for all.
        seed: world seed; a different seed gives a different (equally valid) world.
        sizes: ``{part: {size kwargs}}`` to override the default counts (tests use small ones).
        verbose: print one progress line per part.

    Returns:
        ``root``.
    """
    parts = list(PARTS) if parts is None else [parts] if isinstance(parts, str) else list(parts)
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise ValueError(f'unknown toy-world parts {unknown}; choose from {list(PARTS)}')
    sizes = sizes or {}
    os.makedirs(osp.join(root, '.toyworld'), exist_ok=True)
    for part in parts:
        folders, writer, default_sizes = PARTS[part]
        part_sizes = dict(default_sizes, **sizes.get(part, {}))
        if part_is_present(root, part, seed, part_sizes):
            if verbose:
                print(f'[toyworld] {part}: present in {root}', flush=True)
            continue
        start = time.time()
        for folder in folders:
            shutil.rmtree(osp.join(root, folder), ignore_errors=True)
        counts = writer(root, seed, **part_sizes)
        with open(_marker(root, part), 'w') as f:
            json.dump(dict(_expected(part, seed, part_sizes), counts=counts), f, indent=1)
        if verbose:
            print(f'[toyworld] {part}: wrote {sum(counts.values())} images to '
                  f'{osp.join(root, folders[0])} in {time.time() - start:.1f}s', flush=True)
    return root


def main(argv=None) -> int:
    import argparse
    parser = argparse.ArgumentParser(description='Generate the clipdense toy world.')
    parser.add_argument('--root', default=DEFAULT_ROOT, help='output folder (default: %(default)s)')
    parser.add_argument('--parts', nargs='*', default=None, choices=list(PARTS),
                        help='parts to generate (default: all)')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    start = time.time()
    ensure_toy_world(args.root, args.parts, args.seed)
    print(f'[toyworld] ready in {time.time() - start:.1f}s: {osp.abspath(args.root)}', file=sys.stdout)
    return 0
