"""Every DenseCLIP config carries the paper's recipe; segmentation configs build with a tiny
CLIP and run one forward/backward here (detection configs: test_detectors.py)."""
import os

import pytest
from mmengine.config import Config

from .tiny import (CONFIG_DIR, DET_MASK_RCNN, DET_RETINANET, ROOT, SEG_BASELINE, SEG_RN50,
                   SEG_RN101, SEG_VIT, TOY_BASELINE, TOY_DENSECLIP, TOY_RN_BASELINE, TOY_RN_DENSECLIP,
                   TOY_RN_STREET_BASELINE, TOY_RN_STREET_DENSECLIP, TOY_STREET_BASELINE,
                   TOY_STREET_DENSECLIP, build_model, load_tiny_config, seg_batch)

TOY = [TOY_DENSECLIP, TOY_BASELINE, TOY_STREET_DENSECLIP, TOY_STREET_BASELINE, TOY_RN_DENSECLIP,
       TOY_RN_BASELINE, TOY_RN_STREET_DENSECLIP, TOY_RN_STREET_BASELINE]
TOY_WITH_TEXT = (TOY_DENSECLIP, TOY_STREET_DENSECLIP, TOY_RN_DENSECLIP, TOY_RN_STREET_DENSECLIP)

SEG = [SEG_RN50, SEG_RN101, SEG_VIT, SEG_BASELINE]


def test_every_config_is_covered():
    found = {f for f in os.listdir(CONFIG_DIR) if f.endswith('.py')}
    assert found == set(SEG + [DET_RETINANET, DET_MASK_RCNN] + TOY)


@pytest.mark.parametrize('name', SEG)
def test_segmentation_config_recipe_and_one_step(name):
    full = Config.fromfile(os.path.join(CONFIG_DIR, name))
    assert full.default_scope == 'mmseg' and full.train_cfg.max_iters == 80000
    assert full.optim_wrapper.optimizer.lr == 1e-4 and full.optim_wrapper.optimizer.type == 'AdamW'
    assert full.optim_wrapper.paramwise_cfg.custom_keys.backbone.lr_mult == 0.1
    if name != SEG_BASELINE:
        assert full.model.identity_head.loss_decode.loss_weight == 0.4
        assert full.model.gamma_init == 1e-4 and full.model.context_decoder.transformer_layers == 3
    model = build_model(load_tiny_config(name)).train()
    inputs, samples = seg_batch(num_classes=150, size=(64, 64))
    losses = model.loss(inputs, samples)
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    assert model.decode_head.conv_seg.weight.grad is not None
    assert ('aux_identity.loss_ce' in losses) == (name != SEG_BASELINE)


@pytest.mark.parametrize('name', [DET_RETINANET, DET_MASK_RCNN])
def test_detection_config_recipe(name):
    full = Config.fromfile(os.path.join(CONFIG_DIR, name))
    assert full.default_scope == 'mmdet' and full.train_cfg.max_epochs == 12
    assert full.optim_wrapper.clip_grad.max_norm == 0.1
    assert full.optim_wrapper.optimizer.lr == (2e-4 if name == DET_MASK_RCNN else 1e-4)
    assert full.model.backbone.type == 'DenseCLIPVisionBackbone' and 'depth' not in full.model.backbone
    assert full.model.neck.in_channels == [256, 512, 1024, 2048 + 80] and full.model.seg_loss


@pytest.mark.parametrize('name', TOY)
def test_toy_world_configs_load_the_toy_clip_and_run_one_step(name):
    cfg = Config.fromfile(os.path.join(CONFIG_DIR, name))
    ckpt = os.path.join(ROOT, cfg.clip_checkpoint)
    cfg.merge_from_dict({'model.backbone.checkpoint': ckpt})
    if name == TOY_DENSECLIP:
        assert cfg.model.class_names == cfg.train_dataloader.dataset.metainfo.classes
    # GTA5 labels are read as the 19 Cityscapes train ids
    if name in (TOY_STREET_DENSECLIP, TOY_RN_STREET_DENSECLIP):
        assert cfg.model.class_names[0] == 'road' and cfg.model.class_names[-1] == 'bicycle'
        assert cfg.train_dataloader.dataset.type == 'GTA5Dataset'
    if name in TOY_WITH_TEXT:
        cfg.merge_from_dict({'model.text_encoder.checkpoint': ckpt})
    if name in (TOY_RN_DENSECLIP, TOY_RN_STREET_DENSECLIP):  # stride-32 score maps: last stage
        assert cfg.model.score_concat_index == 3
        assert cfg.model.neck.in_channels[-1] == 512 + len(cfg.model.class_names)
    if name == TOY_RN_DENSECLIP:
        assert cfg.model.class_names == cfg.train_dataloader.dataset.metainfo.classes
    model = build_model(cfg).train()
    inputs, samples = seg_batch(num_classes=cfg.num_classes, size=cfg.crop_size)
    losses = model.loss(inputs, samples)
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    assert model.decode_head.conv_seg.weight.grad is not None
