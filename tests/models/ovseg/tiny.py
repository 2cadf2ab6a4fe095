"""The real OVSeg configs shrunk to test size with config overrides (as ``--cfg-options`` would)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
PROPOSAL_CONFIG = osp.join(ROOT, 'configs/ovseg/ovseg_r101c_vit-b16_proposal_8xb4-120k_coco-stuff171-512x512.py')
SHAPES_CLASSES = ['background', 'red', 'green', 'blue']


def tiny_model_options(supervision='seen', num_classes=4):
    """Overrides that turn the R-101c / ViT-B/16 OVSeg model into a tiny one (tiny ResNet, tiny CLIP)."""
    layer = dict(
        self_attn_cfg=dict(embed_dims=32, num_heads=2, attn_drop=0.0, proj_drop=0.0, batch_first=True),
        cross_attn_cfg=dict(embed_dims=32, num_heads=2, attn_drop=0.0, proj_drop=0.0, batch_first=True),
        ffn_cfg=dict(embed_dims=32, feedforward_channels=64, ffn_drop=0.0))
    return {
        'model.data_preprocessor.size': (64, 64),
        'model.backbone': dict(_delete_=True, type='ResNetV1c', depth=18, stem_channels=16, base_channels=8,
                               out_indices=(0, 1, 2, 3), norm_cfg=dict(type='BN', requires_grad=True),
                               init_cfg=None),
        'model.decode_head.in_channels': [8, 16, 32, 64],
        'model.decode_head.feat_channels': 32,
        'model.decode_head.out_channels': 32,
        'model.decode_head.num_queries': 8,
        'model.decode_head.embed_dims': 64,
        'model.decode_head.num_classes': num_classes,
        'model.decode_head.supervision': supervision,
        'model.decode_head.class_embed_hidden': 32,
        'model.decode_head.pixel_decoder.norm_cfg': dict(type='GN', num_groups=8),
        'model.decode_head.positional_encoding.num_feats': 16,
        'model.decode_head.transformer_decoder.num_layers': 2,
        'model.decode_head.transformer_decoder.layer_cfg': layer,
        'model.clip_classifier.arch': 'tiny-ViT',
        'model.clip_classifier.checkpoint': None,
        'model.clip_classifier.crop_size': 64,
        'model.clip_classifier.templates': 'single',
        'model.train_class_names': SHAPES_CLASSES[:num_classes],
        'model.test_class_names': SHAPES_CLASSES[:num_classes],
    }


def tiny_data_options(data_root, iters=4):
    """Overrides: the tests' tiny shapes dataset and a few-iteration schedule."""
    train_pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                      dict(type='RandomCrop', crop_size=(64, 64)), dict(type='RandomFlip', prob=0.5),
                      dict(type='PackSegInputs')]
    test_pipeline = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(96, 64), keep_ratio=True),
                     dict(type='LoadAnnotations'), dict(type='PackSegInputs')]

    def dataset(split, pipeline):
        return dict(type='BaseSegDataset', data_root=data_root, metainfo=dict(classes=SHAPES_CLASSES),
                    img_suffix='.png', seg_map_suffix='.png', pipeline=pipeline,
                    data_prefix=dict(img_path=f'img_dir/{split}', seg_map_path=f'ann_dir/{split}'))
    return {
        'train_dataloader': dict(_delete_=True, batch_size=2, num_workers=0, persistent_workers=False,
                                 sampler=dict(type='InfiniteSampler', shuffle=True),
                                 dataset=dataset('train', train_pipeline)),
        'val_dataloader': dict(_delete_=True, batch_size=1, num_workers=0, persistent_workers=False,
                               sampler=dict(type='DefaultSampler', shuffle=False),
                               dataset=dataset('val', test_pipeline)),
        'test_dataloader': dict(_delete_=True, batch_size=1, num_workers=0, persistent_workers=False,
                                sampler=dict(type='DefaultSampler', shuffle=False),
                                dataset=dataset('val', test_pipeline)),
        'test_pipeline': test_pipeline,
        'optim_wrapper.optimizer.lr': 1e-3,
        'optim_wrapper.clip_grad': None,
        'param_scheduler': [dict(type='ConstantLR', factor=1.0, by_epoch=False, begin=0, end=iters)],
        'train_cfg.max_iters': iters,
        'train_cfg.val_interval': iters,
        'default_hooks.checkpoint.interval': iters,
        'default_hooks.logger.interval': 1,
        'randomness': dict(seed=0),
    }


def tiny_ovseg_config(data_root=None, iters=4, supervision='seen', num_classes=4) -> Config:
    cfg = Config.fromfile(PROPOSAL_CONFIG)
    cfg.merge_from_dict(tiny_model_options(supervision, num_classes))
    if data_root is not None:
        cfg.merge_from_dict(tiny_data_options(data_root, iters))
    return cfg


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models gain nothing from intra-op threads; on a shared 2-core machine they lose a lot.
    Import this autouse fixture into a test module to apply it there."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
