"""Tiny ReCo worlds: an unlabelled pool of coloured-shape images and tiny random-init models."""
import os

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from PIL import Image

from ...helpers import shapes_sample


def write_pool(folder, n=12, seed=0, size=(48, 64)):
    """``n`` unlabelled shape images (PNG) in ``folder``; returns the folder."""
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    for i in range(n):
        img, _ = shapes_sample(rng, size)
        Image.fromarray(img).save(os.path.join(folder, f'pool_{i:03d}.png'))
    return folder


TINY_ENCODER = dict(arch='vit_small_patch16_224', depth=1)


def tiny_reco_cfg(index_file, pool, **overrides):
    """``ReCoSegmentor`` kwargs with tiny random-init towers (tiny-ViT CLIP, 1-block ViT-S/16)."""
    cfg = dict(
        type='ReCoSegmentor',
        data_preprocessor=dict(type='SegDataPreProcessor', mean=[0.0, 0.0, 0.0], std=[1.0, 1.0, 1.0],
                               bgr_to_rgb=True, pad_val=0, seg_pad_val=255),
        class_names=('red', 'green', 'blue'),
        clip=dict(arch='tiny-ViT', checkpoint=None),
        retrieval_clip=dict(arch='tiny-ViT', checkpoint=None),
        encoder=dict(TINY_ENCODER),
        index=dict(file=index_file, images=pool, batch_size=8),
        co_segmentation=dict(k=3, image_size=32, context_concepts=('sky', 'road'), batch_size=4),
        templates='single')
    cfg.update(overrides)
    return cfg


@pytest.fixture(scope='session', autouse=True)
def _mmseg_scope():
    init_default_scope('mmseg')   # registries resolve MMSeg names (SegDataPreProcessor, transforms)


@pytest.fixture(scope='module', autouse=True)
def _one_thread():
    """Tiny tensors: one thread avoids spin-waiting on a shared 2-core machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope='module')
def pool(tmp_path_factory):
    return write_pool(str(tmp_path_factory.mktemp('pool')))


@pytest.fixture
def shape_batch():
    """Two RGB images ``[2, 3, 48, 64]`` (0..255 floats) and their label maps."""
    rng = np.random.default_rng(5)
    samples = [shapes_sample(rng, (48, 64)) for _ in range(2)]
    imgs = torch.from_numpy(np.stack([s[0] for s in samples])).permute(0, 3, 1, 2).float()
    return imgs, np.stack([s[1] for s in samples])

