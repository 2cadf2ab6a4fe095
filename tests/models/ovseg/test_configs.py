"""Every OVSeg config parses; recipes carry the released numbers; eval configs read their class lists."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from clipdense.models.ovseg import load_class_names
from .tiny import ROOT, tiny_model_options

CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs/ovseg/*.py')))
EVAL_SETS = {'ade150': (150, 0.7), 'ade847': (847, 0.7), 'pc59': (59, 0.6), 'pc459': (459, 0.6),
             'voc20': (20, 0.45)}


def test_the_expected_configs_exist():
    names = {osp.basename(c) for c in CONFIGS}
    for model in ('r101c_vit-b16', 'swin-b_vit-l14'):
        assert {f'ovseg_{model}_eval_{d}.py' for d in EVAL_SETS} <= names
    assert sum('proposal' in n for n in names) == 2
    assert sum('maskclip' in n and 'toy' not in n for n in names) == 5
    assert {'ovseg_tiny-vit_toy-objects.py', 'ovseg_maskclip_tiny-vit_mpt-only_toy-objects.py',
            'ovseg_maskclip_tiny-vit_full-ft_toy-objects.py'} <= names


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_parses_with_mmseg_scope(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmseg' and 'clipdense' in cfg.custom_imports['imports']
    assert cfg.model.type in ('OVSeg', 'MaskAdaptedCLIPFinetuner')


@pytest.mark.parametrize('path', [c for c in CONFIGS if '_eval_' in c], ids=osp.basename)
def test_eval_configs_vocabulary_lambda_and_adapted_clip(path):
    cfg = Config.fromfile(path)
    key = osp.splitext(path)[0].rsplit('_eval_', 1)[1]
    size, lam = EVAL_SETS[key]
    assert cfg.model.clip_weight == lam
    assert cfg.model.clip_classifier.mask_prompt_depth == 3
    assert cfg.model.clip_classifier.adapted_checkpoint.startswith('checkpoints/ovseg/maskclip_')
    names = load_class_names(cfg.model.test_class_names, expected=size)
    assert len(set(names)) == size
    ds = cfg.test_dataloader.dataset
    if 'metainfo' in ds:
        assert list(ds.metainfo.classes) == names


def test_proposal_recipes_carry_the_released_numbers():
    small = Config.fromfile([c for c in CONFIGS if 'r101c' in c and 'proposal' in c][0])
    large = Config.fromfile([c for c in CONFIGS if 'swin-b' in c and 'proposal' in c][0])
    assert small.optim_wrapper.optimizer.lr == 2e-4 and large.optim_wrapper.optimizer.lr == 6e-5
    assert small.train_cfg.max_iters == large.train_cfg.max_iters == 120000
    assert small.train_dataloader.batch_size * 8 == 32
    assert small.model.decode_head.embed_dims == 512 and large.model.decode_head.embed_dims == 768
    assert small.model.clip_classifier.mask_threshold == 0.5 and large.model.clip_classifier.mask_threshold == 0.4
    assert len(load_class_names(small.model.train_class_names)) == small.model.decode_head.num_classes == 171


def test_proposal_training_scales_follow_the_released_yaml_files():
    # R-101c yaml sets no INPUT.MIN_SIZE_TRAIN: detectron2 defaults (short side 800, max 1333),
    # then the 512 crop. Swin-B yaml: short side from [int(x * 0.1 * 640) for x in 5..20], max 2560.
    small = Config.fromfile([c for c in CONFIGS if 'r101c' in c and 'proposal' in c][0])
    large = Config.fromfile([c for c in CONFIGS if 'swin-b' in c and 'proposal' in c][0])
    resize = small.train_dataloader.dataset.pipeline[2]
    assert (resize.type, resize.scale, resize.max_size) == ('ResizeShortestEdge', 800, 1333)
    assert small.train_dataloader.dataset.pipeline[3].crop_size == (512, 512)
    resize = large.train_dataloader.dataset.pipeline[2]
    assert resize.type == 'RandomChoiceResize' and resize.max_size == 2560
    assert resize.scales == [int(x * 0.1 * 640) for x in range(5, 21)]
    assert large.train_dataloader.dataset.pipeline[3].crop_size == (640, 640)


def test_clip_finetuning_recipes():
    cfgs = {osp.basename(c): Config.fromfile(c) for c in CONFIGS if 'maskclip' in c}
    ft = cfgs['ovseg_maskclip_vit-b16_full-ft_4xb128-5ep_coco-pairs.py']
    mpt = cfgs['ovseg_maskclip_vit-b16_mpt-only_4xb32-5ep_coco-pairs.py']
    assert ft.model.clip.trainable == 'full' and ft.optim_wrapper.optimizer.lr == 5e-6
    assert ft.train_cfg.max_iters == 5 * 864
    assert mpt.model.clip.trainable == 'prompt' and mpt.model.clip.mask_prompt_depth == 3
    assert mpt.optim_wrapper.optimizer.lr == 0.05 and mpt.train_cfg.max_iters == 5 * 3454


def test_eval_configs_build_at_tiny_size_with_their_vocabularies():
    init_default_scope('mmseg')
    cfg = Config.fromfile([c for c in CONFIGS if c.endswith('r101c_vit-b16_eval_pc59.py')][0])
    opts = tiny_model_options()
    opts.pop('model.test_class_names')
    opts['model.clip_classifier.adapted_checkpoint'] = None
    cfg.merge_from_dict(opts)
    model = MODELS.build(cfg.model)
    assert len(model.test_class_names) == 59 and model.clip_weight == 0.6
    cfg847 = Config.fromfile([c for c in CONFIGS if c.endswith('r101c_vit-b16_eval_ade847.py')][0])
    cfg847.merge_from_dict(opts)
    model847 = MODELS.build(cfg847.model)
    assert len(model847.test_class_names) == 847 and model847.clip_weight == 0.7
    assert model847.test_class_names[0] == 'wall'
    assert model847.test_class_names[-1] == 'adding machine, totalizer, totaliser'
