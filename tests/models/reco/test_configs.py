"""The ReCo configs: concept lists agree with the datasets, and every config parses."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from clipdense.datasets.reco_coco_stuff27 import COCO_STUFF171_CONCEPTS, COCO_STUFF171_TO_27

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs/reco/*.py')))


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_parses_with_mmseg_scope(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmseg' and 'clipdense' in cfg.custom_imports.imports
    if cfg.model.type == 'ReCoSegmentor':
        assert cfg.get('train_dataloader') is None and cfg.model.class_names
        assert 'pseudo_label_dataloader' in cfg
    else:   # ReCo+ students: as many outputs as the benchmark has classes
        assert cfg.model.decode_head.num_classes == len(cfg.train_dataloader.dataset.metainfo.classes)


def test_benchmark_concepts_match_dataset_classes():
    coco = Config.fromfile(osp.join(ROOT, 'configs/reco/reco_coco_stuff27.py'))
    assert tuple(coco.model.class_names) == COCO_STUFF171_CONCEPTS
    assert tuple(coco.model.concept_labels) == COCO_STUFF171_TO_27
    city = Config.fromfile(osp.join(ROOT, 'configs/reco/reco_cityscapes27.py'))
    assert len(city.model.class_names) == len(city.classes) == 27
    kitti = Config.fromfile(osp.join(ROOT, 'configs/reco/reco_kitti_step.py'))
    assert tuple(kitti.model.class_names) == tuple(kitti.classes)
