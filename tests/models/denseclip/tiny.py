"""Tiny-CLIP overrides of the real DenseCLIP configs and small in-memory samples for the tests."""
import os.path as osp

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.structures import InstanceData, PixelData

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
CONFIG_DIR = osp.join(ROOT, 'configs', 'denseclip')
SEG_RN50 = 'denseclip_fpn_rn50_8xb4-80k_ade20k-512x512.py'
SEG_RN101 = 'denseclip_fpn_rn101_8xb4-80k_ade20k-512x512.py'
SEG_VIT = 'denseclip_fpn_vit-b16_8xb4-80k_ade20k-640x640.py'
SEG_BASELINE = 'fpn_clip-rn50_8xb4-80k_ade20k-512x512.py'
DET_RETINANET = 'denseclip_retinanet_rn50_fpn_8xb2-1x_coco.py'
DET_MASK_RCNN = 'denseclip_mask-rcnn_rn50_fpn_8xb2-1x_coco.py'
TOY_DENSECLIP = 'denseclip_fpn_tiny-vit_toy-objects-colour.py'
TOY_BASELINE = 'fpn_tiny-vit_toy-objects-colour.py'
TOY_STREET_DENSECLIP = 'denseclip_fpn_tiny-vit_toy-street.py'
TOY_STREET_BASELINE = 'fpn_tiny-vit_toy-street.py'
TOY_RN_DENSECLIP = 'denseclip_fpn_toy-rn_toy-objects-colour.py'
TOY_RN_BASELINE = 'fpn_toy-rn_toy-objects-colour.py'
TOY_RN_STREET_DENSECLIP = 'denseclip_fpn_toy-rn_toy-street.py'
TOY_RN_STREET_BASELINE = 'fpn_toy-rn_toy-street.py'
SHAPES = ['background', 'red', 'green', 'blue']


def _text_side(arch, dim=64):
    return {'model.text_encoder.arch': arch, 'model.text_encoder.checkpoint': None,
            'model.context_decoder.visual_dim': dim, 'model.context_decoder.transformer_width': 32}


def tiny_overrides(name, num_classes=None):
    """``--cfg-options``-style overrides that put a tiny CLIP (random init) into config ``name``.

    tiny-RN: stages of 32/64/128/256 channels, 64-d embeddings; tiny-ViT: width 128, patch 8
    (dense embeddings at stride 8, i.e. pyramid level 1), 64-d embeddings.
    """
    seg = name.startswith(('denseclip_fpn', 'fpn_'))
    k = num_classes or (150 if seg else 80)
    opts = {'model.backbone.checkpoint': None}
    if name == SEG_VIT:
        opts.update({'model.backbone.arch': 'tiny-ViT', 'model.backbone.out_indices': (0, 1, 2, 3),
                     'model.score_concat_index': 1, 'model.neck.in_channels': [128, 128 + k, 128, 128]})
        opts.update(_text_side('tiny-ViT'))
    else:
        opts['model.backbone.arch'] = 'tiny-RN'
        last = 256 if name == SEG_BASELINE else 256 + k
        opts['model.neck.in_channels'] = [32, 64, 128, last]
        if name != SEG_BASELINE:
            opts.update(_text_side('tiny-RN'))
    if name == DET_RETINANET:
        opts.update({'model.neck.out_channels': 32, 'model.bbox_head.in_channels': 32,
                     'model.bbox_head.feat_channels': 32})
    if name == DET_MASK_RCNN:
        r = 'model.roi_head.'
        opts.update({'model.neck.out_channels': 32, 'model.rpn_head.in_channels': 32,
                     'model.rpn_head.feat_channels': 32, r + 'bbox_roi_extractor.out_channels': 32,
                     r + 'bbox_head.in_channels': 32, r + 'bbox_head.fc_out_channels': 64,
                     r + 'mask_roi_extractor.out_channels': 32, r + 'mask_head.in_channels': 32,
                     r + 'mask_head.conv_out_channels': 32})
    if seg:
        opts.update({'model.neck.out_channels': 16, 'model.decode_head.in_channels': [16] * 4,
                     'model.decode_head.channels': 16, 'model.data_preprocessor.size': (64, 64),
                     'model.test_cfg.crop_size': (64, 64), 'model.test_cfg.stride': (48, 48)})
    return opts


def load_tiny_config(name, num_classes=None, class_names=None, **extra):
    """The real config ``name`` with :func:`tiny_overrides` (and ``extra``) merged in."""
    cfg = Config.fromfile(osp.join(CONFIG_DIR, name))
    opts = tiny_overrides(name, len(class_names) if class_names else num_classes)
    if class_names is not None:
        k = len(class_names)
        opts['model.class_names'] = list(class_names)
        if 'model.decode_head.in_channels' in opts:
            opts.update({'model.decode_head.num_classes': k, 'model.identity_head.num_classes': k})
    opts.update(extra)
    cfg.merge_from_dict(opts)
    return cfg


def build_model(cfg):
    """Build ``cfg.model`` in the config's default scope (mmseg / mmdet), SyncBN -> BN."""
    from mmengine.model import revert_sync_batchnorm
    from mmengine.registry import MODELS
    torch.manual_seed(0)
    return revert_sync_batchnorm(MODELS.build(dict(cfg.model, _scope_=cfg.default_scope)))


def seg_batch(num_classes=4, size=(64, 96), batch=2, seed=0, learnable=False):
    """Inputs ``[B, 3, H, W]`` and SegDataSamples (metainfo filled in) with random labels, or
    (``learnable``) labels on a 16-px block grid that the input colours reveal."""
    from mmseg.structures import SegDataSample
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randn(batch, 3, *size, generator=g)
    if learnable:
        blocks = torch.randint(0, num_classes, (batch, 1, size[0] // 16, size[1] // 16), generator=g)
        labels = F.interpolate(blocks.float(), size=size, mode='nearest').long()
        colours = torch.randn(num_classes, 3, generator=g) * 2
        inputs = 0.3 * inputs + colours[labels[:, 0]].permute(0, 3, 1, 2)
    else:
        labels = torch.randint(0, num_classes, (batch, 1, *size), generator=g)
    samples = []
    for i in range(batch):
        s = SegDataSample(metainfo=dict(img_shape=size, ori_shape=size, pad_shape=size,
                                        padding_size=[0, 0, 0, 0]))
        s.gt_sem_seg = PixelData(data=labels[i])
        samples.append(s)
    return inputs, samples


def det_batch(with_masks=False, size=(64, 96), seed=0):
    """Two images with 2 and 1 boxes (labels 0, 3, 5) as DetDataSamples."""
    from mmdet.structures import DetDataSample
    from mmdet.structures.mask import BitmapMasks
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randn(2, 3, *size, generator=g)
    boxes = [torch.tensor([[4., 4., 40., 36.], [30., 20., 90., 60.]]), torch.tensor([[10., 8., 50., 56.]])]
    labels = [torch.tensor([0, 3]), torch.tensor([5])]
    samples = []
    for b, l in zip(boxes, labels):
        s = DetDataSample(metainfo=dict(img_shape=size, ori_shape=size, pad_shape=size,
                                        batch_input_shape=size, scale_factor=(1.0, 1.0)))
        s.gt_instances = InstanceData(bboxes=b, labels=l)
        if with_masks:
            m = np.zeros((len(b), *size), np.uint8)
            for i, (x1, y1, x2, y2) in enumerate(b.long().tolist()):
                m[i, y1:y2, x1:x2] = 1
            s.gt_instances.masks = BitmapMasks(m, *size)
        samples.append(s)
    return inputs, samples


def write_tiny_ade(root, n_train=6, n_val=2):
    """ADE20K layout: ``images/{training,validation}/*.jpg`` + ``annotations/...*.png``.

    Labels 0 (ADE's "other", ignored after reduce_zero_label) and 1..3 (wall, building, sky).
    """
    import os
    from PIL import Image

    from ...helpers import shapes_sample
    rng = np.random.default_rng(0)
    for split, n in (('training', n_train), ('validation', n_val)):
        os.makedirs(osp.join(root, 'images', split), exist_ok=True)
        os.makedirs(osp.join(root, 'annotations', split), exist_ok=True)
        for i in range(n):
            img, label = shapes_sample(rng)
            Image.fromarray(img).save(osp.join(root, 'images', split, f'ADE_{i:04d}.jpg'), quality=95)
            Image.fromarray(label).save(osp.join(root, 'annotations', split, f'ADE_{i:04d}.png'))
    return root


def write_tiny_coco(root, n_train=4, n_val=2, size=(64, 96)):
    """COCO layout: ``{train,val}2017/*.jpg`` + ``annotations/instances_{train,val}2017.json``
    with all 80 COCO categories; each image shows 1-2 coloured rectangles (boxes + polygons)."""
    import json
    import os
    from mmdet.datasets import CocoDataset
    from PIL import Image
    rng = np.random.default_rng(0)
    h, w = size
    categories = [dict(id=i + 1, name=n) for i, n in enumerate(CocoDataset.METAINFO['classes'])]
    os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
    for split, n in (('train2017', n_train), ('val2017', n_val)):
        os.makedirs(osp.join(root, split), exist_ok=True)
        images, anns = [], []
        for i in range(n):
            img = rng.integers(90, 160, (h, w, 3)).astype(np.uint8)
            for j in range(1 + i % 2):
                x1, y1 = int(rng.integers(0, w // 2)), int(rng.integers(0, h // 2))
                bw, bh = int(rng.integers(16, w // 2)), int(rng.integers(16, h // 2))
                cat = [1, 3][j]                              # person, car
                img[y1:y1 + bh, x1:x1 + bw] = [(230, 40, 40), (40, 60, 230)][j]
                anns.append(dict(id=len(anns) + 1, image_id=i + 1, category_id=cat, iscrowd=0,
                                 bbox=[x1, y1, bw, bh], area=bw * bh,
                                 segmentation=[[x1, y1, x1 + bw, y1, x1 + bw, y1 + bh, x1, y1 + bh]]))
            name = f'{i:012d}.jpg'
            Image.fromarray(img).save(osp.join(root, split, name), quality=95)
            images.append(dict(id=i + 1, file_name=name, height=h, width=w))
        with open(osp.join(root, 'annotations', f'instances_{split}.json'), 'w') as f:
            json.dump(dict(images=images, annotations=anns, categories=categories), f)
    return root
