"""Every AffordanceCLIP config parses, builds (with a tiny CLIP swapped in) and keeps its recipe."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from .tiny_setup import ROOT

CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs/affordanceclip/*.py')))


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_builds_with_a_tiny_clip(path):
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules

    import clipdense  # noqa: F401
    register_all_modules()
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmseg' and 'clipdense' in cfg.custom_imports['imports']
    cfg.model.clip.update(arch='tiny-RN', checkpoint=None)
    cfg.model.neck.channels = (8, 8, 8)
    cfg.model.projector.channels = 8
    model = MODELS.build(cfg.model)
    assert not any(p.requires_grad for p in model.clip.parameters())
    if cfg.model.get('class_prompts'):
        from clipdense.datasets.umd import UMD_CLASSES
        assert len(cfg.model.class_prompts) == len(UMD_CLASSES)


def test_paper_recipe_numbers():
    cfg = Config.fromfile(osp.join(ROOT, 'configs/affordanceclip/'
                                         'affordanceclip_rn101_refcocog-416_agd20k-seen.py'))
    assert cfg.model.clip.arch == 'RN101' and cfg.model.data_preprocessor.size == (416, 416)
    assert cfg.optim_wrapper.optimizer == dict(type='Adam', lr=1e-4, betas=(0.9, 0.999),
                                               weight_decay=0.0)
    assert cfg.train_cfg.max_epochs == 50 and cfg.param_scheduler[0].milestones == [35]
    assert cfg.train_dataloader.batch_size * 8 == 64
    unseen = Config.fromfile(osp.join(ROOT, 'configs/affordanceclip/'
                                            'affordanceclip_rn101_refcocog-416_agd20k-unseen.py'))
    assert unseen.test_dataloader.dataset.split == 'Unseen'
