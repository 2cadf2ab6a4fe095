"""The real VLTSeg configs shrunk for CPU tests: tiny EVA02 (2 blocks, width 64, patch 8), 64 px
crops, 8 queries, 2 decoder layers, 1 pixel-decoder layer (as ``--cfg-options``)."""
import os.path as osp

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
FLAGSHIP = osp.join(ROOT, 'configs', 'vltseg_gta2cs.py')
CONFIG_DIR = osp.join(ROOT, 'configs', 'vltseg')
CROP = 64


def tiny_model_options(arch='tiny-EVA02', width=64, channels=32, checkpoint=None, crop=CROP):
    """``{key: value}`` shrinking the VLTSeg model (backbone, Mask2Former, crop, slide window)."""
    head = 'model.decode_head'
    attn = dict(embed_dims=channels, num_heads=4)
    return {
        'model.backbone.arch': arch,
        'model.backbone.checkpoint': checkpoint,
        'model.backbone.out_indices': (0, 1, 1, 1) if arch == 'tiny-EVA02' else (0, 1, 2, 3),
        'model.backbone.drop_path_rate': 0.1,
        'model.data_preprocessor.size': (crop, crop),
        'model.test_cfg.crop_size': (crop, crop),
        'model.test_cfg.stride': (crop * 3 // 4, crop * 3 // 4),
        f'{head}.in_channels': [width] * 4,
        f'{head}.feat_channels': channels,
        f'{head}.out_channels': channels,
        f'{head}.num_queries': 8,
        f'{head}.pixel_decoder.encoder.num_layers': 1,
        f'{head}.pixel_decoder.encoder.layer_cfg.self_attn_cfg.embed_dims': channels,
        f'{head}.pixel_decoder.encoder.layer_cfg.self_attn_cfg.num_heads': 4,
        f'{head}.pixel_decoder.encoder.layer_cfg.ffn_cfg.embed_dims': channels,
        f'{head}.pixel_decoder.encoder.layer_cfg.ffn_cfg.feedforward_channels': channels * 2,
        f'{head}.pixel_decoder.positional_encoding.num_feats': channels // 2,
        f'{head}.positional_encoding.num_feats': channels // 2,
        f'{head}.transformer_decoder.num_layers': 2,
        f'{head}.transformer_decoder.layer_cfg.self_attn_cfg.embed_dims': attn['embed_dims'],
        f'{head}.transformer_decoder.layer_cfg.self_attn_cfg.num_heads': attn['num_heads'],
        f'{head}.transformer_decoder.layer_cfg.cross_attn_cfg.embed_dims': attn['embed_dims'],
        f'{head}.transformer_decoder.layer_cfg.cross_attn_cfg.num_heads': attn['num_heads'],
        f'{head}.transformer_decoder.layer_cfg.ffn_cfg.embed_dims': channels,
        f'{head}.transformer_decoder.layer_cfg.ffn_cfg.feedforward_channels': channels * 2,
        f'{head}.train_cfg.num_points': 256,
    }


def tiny_data_options(gta=None, cityscapes=None, bdd=None, mapillary=None, crop=CROP):
    """``{key: value}`` pointing the flagship's data at test trees, with 64 px crops, batch 2."""
    opts = {
        'train_dataloader.batch_size': 2,
        'train_dataloader.dataset.pipeline.2.scale': (128, 64),
        'train_dataloader.dataset.pipeline.3.crop_size': (crop, crop),
        'val_dataloader.dataset.pipeline.1.scale': (128, 64),
    }
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts[f'{loader}.num_workers'] = 0
        opts[f'{loader}.persistent_workers'] = False
    if gta:
        opts['train_dataloader.dataset.data_root'] = gta
    if cityscapes:
        opts['val_dataloader.dataset.data_root'] = cityscapes
    for i, root in enumerate((cityscapes, bdd, mapillary)):
        opts[f'test_dataloader.dataset.datasets.{i}.pipeline.1.scale'] = (128, 64)
        if root:
            opts[f'test_dataloader.dataset.datasets.{i}.data_root'] = root
    return opts


def schedule_options(iters):
    return {'train_cfg.max_iters': iters, 'train_cfg.val_interval': iters,
            'param_scheduler.0.end': iters // 2, 'param_scheduler.1.begin': iters // 2,
            'param_scheduler.1.end': iters, 'default_hooks.checkpoint.interval': iters,
            'default_hooks.logger.interval': 1}


def cli(options):
    """``--cfg-options`` arguments (``key=value`` without spaces)."""
    return [f'{k}={v!r}'.replace(' ', '').replace("'", '') if not isinstance(v, str) else f'{k}={v}'
            for k, v in options.items()]


def load_tiny_config(path=FLAGSHIP, **data):
    from mmengine.config import Config
    cfg = Config.fromfile(path)
    cfg.merge_from_dict(tiny_model_options())
    if path == FLAGSHIP:
        cfg.merge_from_dict(tiny_data_options(**data))
    return cfg
