"""The real AnoVL config shrunk to the tiny random CLIP ('tiny-ViT', 4 blocks, 64 px) for tests."""
import os.path as osp

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
CONFIG = osp.join(ROOT, 'configs', 'anovl', 'anovl_vit-b16_mvtec-240.py')

TINY_OPTIONS = {
    'model.localizer.arch': 'tiny-ViT',
    'model.localizer.checkpoint': None,  # random init (the config reads ~/.cache/clipdense/clip)
    'model.localizer.score_layers': (2, 4),
    'model.localizer.image_views': 'single',
    'model.tta.steps': 2,
    'img_scale': (64, 64),
    'test_dataloader.dataset.pipeline.2.scale': (64, 64),
    'test_dataloader.num_workers': 0,
}


def tiny_cli_options(data_root=None):
    """``--cfg-options`` arguments for tools/test.py and tools/anovl_localize.py."""
    opts = [f'{k}={v}'.replace(' ', '') for k, v in TINY_OPTIONS.items()]
    if data_root is not None:
        opts.append(f'test_dataloader.dataset.data_root={data_root}')
    return opts
