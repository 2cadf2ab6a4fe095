"""The VLTSeg configs: the recipe numbers, tiny builds with one training step, and the real
configs' data pipelines on generated trees in the real layouts (labels checked pixel by pixel)."""
import os

import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import DATASETS, MODELS
from mmseg.structures import SegDataSample
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image

import clipdense  # noqa: F401
from clipdense.evaluation.multi_domain import split_domains

from ...datasets.test_mapillary import expected_lut as vistas_lut
from .street_trees import (cityscapes_id_to_train_id, write_bdd100k, write_cityscapes,
                           write_mapillary)
from .tiny import CONFIG_DIR, FLAGSHIP, tiny_model_options

CS, CS2ACDC, CLIP_L, TOY = (os.path.join(CONFIG_DIR, n) for n in (
    'vltseg_cs.py', 'vltseg_cs2acdc.py', 'vltseg_clip-vit-l14_gta2cs.py', 'vltseg_tiny-vit_toy-gta2cs.py'))


def test_every_config_is_covered():
    assert {f for f in os.listdir(CONFIG_DIR) if f.endswith('.py')} == \
        {os.path.basename(p) for p in (CS, CS2ACDC, CLIP_L, TOY)}


def test_flagship_recipe():
    cfg = Config.fromfile(FLAGSHIP)
    assert cfg.default_scope == 'mmseg' and cfg.custom_imports.imports == ['clipdense']
    bb, head = cfg.model.backbone, cfg.model.decode_head
    assert (bb.type, bb.arch, bb.out_indices, bb.drop_path_rate) == \
        ('CLIPViTPyramid', 'EVA02-L-14', (9, 14, 19, 23), 0.2)
    assert head.type == 'SlideMask2FormerHead' and head.num_queries == 100 and head.in_channels == [1024] * 4
    assert head.transformer_decoder.num_layers == 9 and head.loss_cls.class_weight[-1] == 0.1
    opt = cfg.optim_wrapper
    assert (opt.optimizer.type, opt.optimizer.lr, opt.optimizer.weight_decay) == ('AdamW', 1e-4, 0.05)
    assert opt.constructor == 'LayerDecayOptimWrapperConstructor'
    assert opt.paramwise_cfg.layer_decay_rate == 0.9
    assert opt.clip_grad.max_norm == 0.01
    assert cfg.train_cfg.max_iters == 5000 and cfg.train_dataloader.batch_size == 8
    assert cfg.train_dataloader.dataset.type == 'GTA5Dataset'
    assert cfg.train_dataloader.dataset.pipeline[3].crop_size == (512, 512)
    assert cfg.model.data_preprocessor.size == (512, 512)
    test = cfg.model.test_cfg
    assert (test.mode, test.crop_size, test.stride) == ('slide', (512, 512), (426, 426))
    assert cfg.val_dataloader.dataset.type == 'CityscapesDataset'
    assert [d.type for d in cfg.test_dataloader.dataset.datasets] == \
        ['CityscapesDataset', 'BDD100KSemSegDataset', 'MapillaryVistasCityscapesDataset']
    assert cfg.test_cfg.type == 'MultiDomainTestLoop'


def test_cityscapes_acdc_and_clip_configs():
    cs = Config.fromfile(CS)
    assert cs.train_cfg.max_iters == 20000 and cs.train_dataloader.batch_size == 4
    assert cs.train_dataloader.dataset.pipeline[3].crop_size == (1024, 1024) == cs.model.test_cfg.crop_size
    assert cs.model.test_cfg.stride == (768, 768) and cs.optim_wrapper.paramwise_cfg.layer_decay_rate == 0.9
    acdc = Config.fromfile(CS2ACDC)
    assert acdc.train_dataloader == cs.train_dataloader and acdc.train_cfg == cs.train_cfg
    parts = split_domains(acdc.test_dataloader, acdc.test_cfg.domain_names)
    assert [(n, p['dataset']['conditions']) for n, p in parts] == \
        [(c, [c]) for c in ('fog', 'night', 'rain', 'snow')]
    assert acdc.test_cfg.pooled_name == 'acdc'
    assert Config.fromfile(CLIP_L).model.backbone.arch == 'ViT-L-14'


def test_toy_config_builds_the_same_method_shrunk():
    init_default_scope('mmseg')
    toy = Config.fromfile(TOY)
    ckpt = os.path.normpath(toy.model.backbone.checkpoint)  # absolute: works from any directory
    assert ckpt == os.path.join(os.path.dirname(os.path.dirname(CONFIG_DIR)), 'clipdense', 'assets',
                                'toy_clip_tiny-ViT.pt')
    assert toy.optim_wrapper.constructor == 'LayerDecayOptimWrapperConstructor'
    assert toy.test_cfg.mean_over == ['cityscapes-val'] and toy.train_dataloader.dataset.type == 'GTA5Dataset'
    toy.model.backbone.checkpoint = None
    model = MODELS.build(toy.model).eval()
    with torch.no_grad():
        logits = model.encode_decode(torch.randn(1, 3, 128, 256), [dict(img_shape=(128, 256))])
    assert logits.shape == (1, 19, 128, 256)


@pytest.mark.parametrize('path', [FLAGSHIP, CLIP_L])  # the Cityscapes configs share the flagship model
def test_tiny_build_and_one_training_step(path):
    init_default_scope('mmseg')
    cfg = Config.fromfile(path)
    cfg.merge_from_dict(tiny_model_options(arch='tiny-ViT' if path == CLIP_L else 'tiny-EVA02',
                                           width=128 if path == CLIP_L else 64))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    labels = torch.randint(0, 19, (2, 1, 64, 64))
    meta = dict(img_shape=(64, 64), pad_shape=(64, 64))
    samples = [SegDataSample(gt_sem_seg=PixelData(data=lbl), metainfo=meta) for lbl in labels]
    losses = model.loss(torch.randn(2, 3, 64, 64), samples)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    assert torch.isfinite(total)
    assert all(p.grad is not None for p in model.backbone.encoder.blocks[0].parameters())


def locate(crop, full):
    """(y, x, flipped) of ``crop`` inside ``full`` (exact match), or None."""
    for flipped, c in ((False, crop), (True, crop[:, ::-1])):
        windows = sliding_window_view(full, (1, 24))[:, :, 0, :]
        for y, x in zip(*np.nonzero((windows == c[0, :24]).all(-1))):
            if y + c.shape[0] <= full.shape[0] and x + c.shape[1] <= full.shape[1] and \
                    np.array_equal(full[y:y + c.shape[0], x:x + c.shape[1]], c):
                return y, x, flipped
    return None


def test_flagship_train_pipeline_on_full_size_gta5(tmp_path):
    """GTA5 frames at their real 1914x1052: resize to 1280x720 (ratio kept), 512 crop, flip,
    photometric noise; the label crop must be the id -> train id map of the resized label."""
    from .street_trees import _palette_png
    rng = np.random.default_rng(0)
    raw = rng.integers(0, 34, (1052, 1914)).astype(np.uint8)
    os.makedirs(tmp_path / 'images')
    Image.fromarray(np.full((1052, 1914, 3), 90, np.uint8)).save(tmp_path / 'images' / '00001.png')
    _palette_png(str(tmp_path / 'labels' / '00001.png'), raw)
    cfg = Config.fromfile(FLAGSHIP)
    ds = DATASETS.build(dict(cfg.train_dataloader.dataset, data_root=str(tmp_path)))
    expected = cityscapes_id_to_train_id()[mmcv.imrescale(raw, (1280, 720), interpolation='nearest')]
    assert expected.shape == (704, 1280)
    for seed in (0, 1):
        np.random.seed(seed)
        out = ds[0]
        crop = out['data_samples'].gt_sem_seg.data[0].numpy()
        assert out['inputs'].shape == (3, 512, 512) and crop.shape == (512, 512)
        assert locate(crop, expected) is not None


def test_flagship_target_pipelines(tmp_path):
    cfg = Config.fromfile(FLAGSHIP)
    roots = [write_cityscapes(str(tmp_path / 'cs'), counts=(('val', 1),), size=(256, 512)),
             write_bdd100k(str(tmp_path / 'bdd'), n=1, size=(180, 320)),
             write_mapillary(str(tmp_path / 'map'), n=1, size=(300, 400))]
    for member, root, img_size in zip(cfg.test_dataloader.dataset.datasets, roots,
                                      [(512, 1024), (512, 910), (512, 683)]):
        ds = DATASETS.build(dict(member, data_root=root))
        out = ds[0]
        gt = out['data_samples'].gt_sem_seg.data[0].numpy()
        raw = np.array(Image.open(ds.get_data_info(0)['seg_map_path']))
        if member.type == 'MapillaryVistasCityscapesDataset':
            raw = vistas_lut(list(ds.metainfo['classes']))[raw]
        assert tuple(out['inputs'].shape[1:]) == img_size          # fit into 1024x512
        np.testing.assert_array_equal(gt, raw)                      # labels at full resolution
