"""ensure_toy_world: deterministic bytes, idempotent re-runs, clear errors."""
import glob
import os
import os.path as osp

import numpy as np
import pytest
import scipy.io

from clipdense.toyworld import PARTS, ensure_toy_world, part_is_present

TINY = {'objects': dict(counts=dict(train=3, val=3)), 'clip_pretrain': dict(n_images=6),
        'gta5': dict(n_images=3, n_val=1), 'cityscapes': dict(counts=dict(train=2, val=2)),
        'mvtec': dict(n_train=1, n_test_good=1, n_per_defect=1),
        'umd': dict(n_instances=1, n_frames=1), 'pool': dict(n_images=3)}


def _files(root):
    return sorted(osp.relpath(p, root) for p in glob.glob(osp.join(root, '**', '*'), recursive=True)
                  if osp.isfile(p))


def _same(a, b, rel):
    if rel.endswith('.mat'):  # the .mat header carries a timestamp; compare the array
        return np.array_equal(scipy.io.loadmat(a)['gt_label'], scipy.io.loadmat(b)['gt_label'])
    with open(a, 'rb') as fa, open(b, 'rb') as fb:
        return fa.read() == fb.read()


def test_same_seed_same_bytes_other_seed_other_images(tmp_path):
    a = ensure_toy_world(str(tmp_path / 'a'), sizes=TINY, verbose=False)
    b = ensure_toy_world(str(tmp_path / 'b'), sizes=TINY, verbose=False)
    c = ensure_toy_world(str(tmp_path / 'c'), sizes=TINY, seed=1, verbose=False)
    files = _files(a)
    assert files == _files(b) == _files(c)
    assert len(files) > 60
    assert all(_same(osp.join(a, f), osp.join(b, f), f) for f in files)
    images = [f for f in files if f.endswith(('.png', '.jpg')) and 'label' not in f and 'mask' not in f]
    differ = [f for f in images if not _same(osp.join(a, f), osp.join(c, f), f)]
    assert len(differ) == len(images), set(images) - set(differ)


def test_rerun_skips_present_parts_and_redoes_changed_ones(tmp_path, capsys):
    root = str(tmp_path)
    ensure_toy_world(root, parts=['objects', 'pool'], sizes=TINY)
    assert part_is_present(root, 'objects', sizes=TINY['objects'])
    assert not part_is_present(root, 'gta5', sizes=TINY['gta5'])
    stamp = os.path.getmtime(osp.join(root, 'pool', '000000.jpg'))
    capsys.readouterr()
    ensure_toy_world(root, parts=['objects', 'pool'], sizes=TINY)
    out = capsys.readouterr().out
    assert out.count(': present in') == 2, out
    assert os.path.getmtime(osp.join(root, 'pool', '000000.jpg')) == stamp
    # other sizes: the part is rewritten from scratch (no stale files left)
    ensure_toy_world(root, parts='pool', sizes={'pool': dict(n_images=2)}, verbose=False)
    assert sorted(os.listdir(osp.join(root, 'pool'))) == ['000000.jpg', '000001.jpg']


def test_unknown_part_is_a_one_line_error(tmp_path):
    with pytest.raises(ValueError, match=r"unknown toy-world parts \['street'\]; choose from"):
        ensure_toy_world(str(tmp_path), parts=['street'])
    assert list(PARTS) == ['objects', 'clip_pretrain', 'gta5', 'cityscapes', 'mvtec', 'umd', 'pool']
