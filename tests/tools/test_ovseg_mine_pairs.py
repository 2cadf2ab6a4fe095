"""tools/ovseg_mine_pairs.py: nouns from captions, CLIP-matched proposals, COCO-style pairs out."""
import importlib.util
import json
import os.path as osp
import re

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from clipdense.utils.cli import run_cli

from ..models.ovseg.captions_world import write_captions_world
from ..models.ovseg.tiny import ROOT, one_thread, tiny_ovseg_config  # noqa: F401 (autouse)

spec = importlib.util.spec_from_file_location('ovseg_mine_pairs', osp.join(ROOT, 'tools/ovseg_mine_pairs.py'))
mine = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mine)


@pytest.fixture(scope='module')
def weights(tmp_path_factory):
    """A tiny OVSeg config (6 queries) and its random proposal weights, as tools/train.py leaves them."""
    root = tmp_path_factory.mktemp('ovseg_mine_pairs')
    cfg = tiny_ovseg_config()
    cfg.model.decode_head.num_queries = 6
    cfg.test_pipeline = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(96, 64), keep_ratio=True),
                         dict(type='PackSegInputs')]
    cfg.dump(str(root / 'tiny_ovseg.py'))
    init_default_scope('mmseg')
    torch.manual_seed(0)
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, root / 'proposals.pth')
    return str(root / 'tiny_ovseg.py'), str(root / 'proposals.pth')


def _argv(captions, img_dir, weights, out, *extra):
    cfg_path, ckpt = weights
    return ['--captions', captions, '--img-dir', str(img_dir), '--config', cfg_path, '--checkpoint', ckpt,
            '--vocab', 'red,green,blue,background', '--min-objectness', '0', '--out', str(out), *extra]


def _one_line_error(argv, capsys, monkeypatch):
    """Run the script as from the command line; its stderr, which must be one ``error:`` line."""
    monkeypatch.delenv('CLIPDENSE_DEBUG', raising=False)
    with pytest.raises(SystemExit) as info:
        run_cli(mine.main, argv)
    assert info.value.code == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if not line.startswith('warning:')]
    assert len(lines) == 1 and lines[0].startswith('error: ') and 'Traceback' not in err, err
    return lines[0]


def test_mining_end_to_end_writes_a_pairs_file_the_dataset_reads(weights, tmp_path):
    captions = write_captions_world(str(tmp_path / 'coco'), n=3)
    out = tmp_path / 'pairs.json'
    mine.main(_argv(captions, tmp_path / 'coco/train2017', weights, out))
    data = json.loads(out.read_text())
    names = {c['id']: c['name'] for c in data['categories']}
    assert data['annotations'] and set(names.values()) <= {'red', 'green', 'blue', 'background'}
    caps = json.load(open(captions))['annotations']
    for ann in data['annotations']:                    # every pair's noun is in its image's first caption
        first = min((c for c in caps if c['image_id'] == ann['image_id']), key=lambda c: c['id'])
        assert names[ann['category_id']] in first['caption']
    from clipdense.datasets.ovseg_pairs import MaskCategoryPairsDataset
    ds = MaskCategoryPairsDataset(ann_file=str(out), data_prefix=dict(img_path=str(tmp_path / 'coco/train2017')),
                                  pipeline=[dict(type='LoadImageFromFile'), dict(type='CropMaskedRegion', size=32),
                                            dict(type='PackMaskCategoryInputs')])
    assert len(ds) == len(data['annotations']) and ds[0]['inputs'].shape == (3, 32, 32)


def test_missing_or_corrupt_config_and_weights_are_one_line_errors(tmp_path, capsys, monkeypatch):
    captions = write_captions_world(str(tmp_path / 'coco'), n=1)
    config = osp.join(ROOT, 'configs/ovseg/ovseg_r101c_vit-b16_proposal_8xb4-120k_coco-stuff171-512x512.py')
    good = tmp_path / 'ok.pth'
    torch.save({'state_dict': {}}, good)
    bad = tmp_path / 'random.pth'
    bad.write_bytes(bytes(np.random.default_rng(0).integers(0, 256, 512, dtype=np.uint8)))

    def argv(cfg, ckpt):
        return ['--captions', captions, '--img-dir', str(tmp_path / 'coco/train2017'), '--config', cfg,
                '--checkpoint', str(ckpt), '--vocab', 'red', '--out', str(tmp_path / 'o.json')]
    line = _one_line_error(argv(str(tmp_path / 'no_config.py'), good), capsys, monkeypatch)
    assert re.match(r'error: config .*no_config\.py not found; ', line)
    line = _one_line_error(argv(config, bad), capsys, monkeypatch)
    assert re.match(r'error: proposal generator weights .*random\.pth is not a PyTorch checkpoint', line)
    line = _one_line_error(argv(config, tmp_path / 'none.pth'), capsys, monkeypatch)
    assert re.match(r'error: proposal generator weights .* not found; train them', line)
    assert not (tmp_path / 'o.json').exists()


@pytest.mark.parametrize('img_dir', ['missing', 'empty'])
def test_no_image_found_is_an_error_and_keeps_the_old_pairs_file(img_dir, weights, tmp_path, capsys,
                                                                  monkeypatch):
    captions = write_captions_world(str(tmp_path / 'coco'), n=3)
    (tmp_path / 'empty').mkdir()
    out = tmp_path / 'pairs.json'
    out.write_text('{"previous": "good pairs"}')
    line = _one_line_error(_argv(captions, tmp_path / img_dir, weights, out), capsys, monkeypatch)
    assert '--img-dir' in line and str(tmp_path / img_dir) in line
    assert out.read_text() == '{"previous": "good pairs"}'


def test_zero_pairs_is_an_error_and_keeps_the_old_pairs_file(weights, tmp_path, capsys, monkeypatch):
    captions = write_captions_world(str(tmp_path / 'coco'), n=1)
    out = tmp_path / 'pairs.json'
    out.write_text('{"previous": "good pairs"}')
    line = _one_line_error(_argv(captions, tmp_path / 'coco/train2017', weights, out, '--min-objectness', '1.1'),
                           capsys, monkeypatch)
    assert line.startswith('error: no pairs mined') and 'was not written' in line
    assert out.read_text() == '{"previous": "good pairs"}'
    line = _one_line_error(_argv(captions, tmp_path / 'coco/train2017', weights, out, '--vocab', 'cat,dog'),
                           capsys, monkeypatch)                  # no caption mentions a vocabulary noun
    assert 'mentions a --vocab noun' in line and out.read_text() == '{"previous": "good pairs"}'


def test_an_interrupted_write_keeps_the_old_file_and_an_unreadable_image_is_skipped(weights, tmp_path, capsys,
                                                                                   monkeypatch):
    captions = write_captions_world(str(tmp_path / 'coco'), n=2)
    out = tmp_path / 'pairs.json'
    out.write_text('{"previous": "good pairs"}')

    def dump_then_die(obj, f, **kwargs):   # the run is killed half-way through writing the JSON
        f.write(json.dumps(obj)[:50])
        raise KeyboardInterrupt
    with monkeypatch.context() as m:
        m.setattr(mine.json, 'dump', dump_then_die)
        with pytest.raises(KeyboardInterrupt):
            mine.main(_argv(captions, tmp_path / 'coco/train2017', weights, out))
    assert out.read_text() == '{"previous": "good pairs"}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['coco', 'pairs.json']   # no temp file left
    broken = tmp_path / 'coco/train2017/000000000001.jpg'
    broken.write_bytes(b'not a jpeg')
    capsys.readouterr()
    mine.main(_argv(captions, tmp_path / 'coco/train2017', weights, out))
    assert capsys.readouterr().err.strip().splitlines() == [f'warning: skipping {broken}: not a readable image']
    data = json.loads(out.read_text())
    assert data['annotations'] and {im['id'] for im in data['images']} == {100}
