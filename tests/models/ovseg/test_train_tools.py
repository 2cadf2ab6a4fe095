"""End to end through tools/train.py and tools/test.py: the proposal generator trains on tiny data,
the mask-adapted CLIP trains (mask prompts only), and OVSeg evaluates with the adapted CLIP."""
import glob
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image
from pycocotools import mask as mask_utils

from ...helpers import write_shapes_dataset
from .tiny import ROOT, tiny_ovseg_config


def _tool(name):
    spec = importlib.util.spec_from_file_location(name, osp.join(ROOT, f'tools/{name}.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _scalars(work_dir):
    path = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))[-1]
    with open(path) as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope='module')
def shapes(tmp_path_factory):
    return write_shapes_dataset(str(tmp_path_factory.mktemp('shapes')), n_train=8, n_val=2)


def test_proposal_generator_trains_and_evaluates_through_the_tools(shapes, tmp_path):
    cfg = tiny_ovseg_config(shapes, iters=16)
    cfg.visualizer.name = 'ovseg_proposal_test'     # one visualizer instance per in-process run
    path = str(tmp_path / 'ovseg_tiny.py')
    cfg.dump(path)
    work = str(tmp_path / 'work')
    _tool('train').main([path, '--work-dir', work])
    rows = _scalars(work)
    losses = [r['loss'] for r in rows if 'loss' in r]
    assert len(losses) == 16 and np.mean(losses[-4:]) < np.mean(losses[:4]), losses
    assert any('mIoU' in r for r in rows)
    assert osp.isfile(osp.join(work, 'iter_16.pth'))


def _pairs(root):
    """A pairs file over the shapes dataset's train images: one pair per coloured region."""
    images, anns, names = [], [], ['red', 'green', 'blue']
    for i, f in enumerate(sorted(glob.glob(osp.join(root, 'ann_dir/train/*.png')))):
        label = np.array(Image.open(f))
        images.append(dict(id=i, file_name=osp.basename(f), height=label.shape[0], width=label.shape[1]))
        for c in np.unique(label)[1:]:
            rle = mask_utils.encode(np.asfortranarray((label == c).astype(np.uint8)))
            anns.append(dict(id=len(anns) + 1, image_id=i, category_id=int(c), score=1.0,
                             segmentation=dict(size=rle['size'], counts=rle['counts'].decode())))
    out = osp.join(root, 'pairs.json')
    with open(out, 'w') as f:
        json.dump(dict(images=images, annotations=anns,
                       categories=[dict(id=i + 1, name=n) for i, n in enumerate(names)]), f)
    return out


def test_mask_prompts_train_through_the_tools_and_load_into_ovseg(shapes, tmp_path):
    cfg = Config.fromfile(osp.join(ROOT, 'configs/ovseg/ovseg_maskclip_vit-b16_mpt-only_4xb32-5ep_coco-pairs.py'))
    cfg.merge_from_dict({
        'model.clip': dict(arch='tiny-ViT', checkpoint=None, crop_size=64),
        'train_dataloader.batch_size': 4, 'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_dataloader.dataset.data_root': shapes, 'train_dataloader.dataset.ann_file': _pairs(shapes),
        'train_dataloader.dataset.data_prefix.img_path': 'img_dir/train',
        'train_dataloader.dataset.pipeline.1.size': 64,
        'param_scheduler': [dict(type='ConstantLR', factor=1.0, by_epoch=False, begin=0, end=6)],
        'train_cfg.max_iters': 6, 'default_hooks.checkpoint.interval': 6, 'default_hooks.logger.interval': 1,
        'visualizer.name': 'ovseg_mpt_test',
    })
    path = str(tmp_path / 'mpt_tiny.py')
    cfg.dump(path)
    work = str(tmp_path / 'mpt')
    _tool('train').main([path, '--work-dir', work])
    ckpt = osp.join(work, 'iter_6.pth')
    assert osp.isfile(ckpt) and len([r for r in _scalars(work) if 'loss' in r]) == 6

    ovseg = tiny_ovseg_config(shapes)
    ovseg.merge_from_dict({'model.clip_classifier.mask_prompt_depth': 3,
                           'model.clip_classifier.adapted_checkpoint': ckpt, 'visualizer.name': 'ovseg_eval_test'})
    ovseg_path = str(tmp_path / 'ovseg_eval.py')
    ovseg.dump(ovseg_path)
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS
    import torch
    init_default_scope('mmseg')
    model = MODELS.build(ovseg.model)
    saved = torch.load(ckpt, map_location='cpu', weights_only=False)['state_dict']['clip.prompts.prompts']
    assert torch.equal(model.clip_classifier.prompts.prompts, saved)
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, tmp_path / 'ovseg.pth')
    _tool('test').main([ovseg_path, str(tmp_path / 'ovseg.pth'), '--work-dir', str(tmp_path / 'test')])
    logs = glob.glob(str(tmp_path / 'test' / '*' / '*.log'))
    assert logs and 'mIoU' in open(logs[0]).read()
