"""tools/ovseg_mine_pairs.py: nouns from captions, CLIP-matched proposals, COCO-style pairs out."""
import importlib.util
import json
import os.path as osp

import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from ..models.ovseg.captions_world import write_captions_world
from ..models.ovseg.tiny import ROOT, one_thread, tiny_ovseg_config  # noqa: F401 (autouse)

spec = importlib.util.spec_from_file_location('ovseg_mine_pairs', osp.join(ROOT, 'tools/ovseg_mine_pairs.py'))
mine = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mine)


def test_mining_end_to_end_writes_a_pairs_file_the_dataset_reads(tmp_path):
    captions = write_captions_world(str(tmp_path / 'coco'), n=3)
    cfg = tiny_ovseg_config()
    cfg.model.decode_head.num_queries = 6
    cfg.test_pipeline = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(96, 64), keep_ratio=True),
                         dict(type='PackSegInputs')]
    cfg_path = str(tmp_path / 'tiny_ovseg.py')
    cfg.dump(cfg_path)
    init_default_scope('mmseg')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    torch.save({'state_dict': model.state_dict()}, tmp_path / 'proposals.pth')
    out = tmp_path / 'pairs.json'
    mine.main(['--captions', captions, '--img-dir', str(tmp_path / 'coco/train2017'), '--config', cfg_path,
               '--checkpoint', str(tmp_path / 'proposals.pth'), '--vocab', 'red,green,blue,background',
               '--min-objectness', '0', '--out', str(out)])
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


def test_missing_weights_is_a_one_line_error(tmp_path):
    captions = write_captions_world(str(tmp_path / 'coco'), n=1)
    with pytest.raises(SystemExit, match='^error: proposal generator weights .* not found'):
        mine.main(['--captions', captions, '--img-dir', str(tmp_path), '--config',
                   osp.join(ROOT, 'configs/ovseg/ovseg_r101c_vit-b16_proposal_8xb4-120k_coco-stuff171-512x512.py'),
                   '--checkpoint', str(tmp_path / 'none.pth'), '--vocab', 'red', '--out', str(tmp_path / 'o.json')])
