"""Build an OVSeg model from a config and a proposal checkpoint, and run it on single images."""
import os.path as osp
from typing import Optional

import numpy as np
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS


def init_ovseg(config, checkpoint: Optional[str], device: str = 'cpu', **model_overrides):
    """OVSeg in eval mode with the proposal weights of ``checkpoint`` (``None``: random, for tests).

    ``model_overrides`` are merged into ``cfg.model`` (e.g. ``test_class_names=[...]``,
    ``clip_weight=0.5``, ``clip_classifier=dict(checkpoint=...)``). Returns ``(model, cfg)``.
    """
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    cfg.merge_from_dict({f'model.{k}': v for k, v in model_overrides.items()})
    cfg.model.backbone.init_cfg = None          # the checkpoint provides every proposal weight
    cfg.model.train_cfg = None
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(f'OVSeg proposal weights {checkpoint} not found; train them with a '
                                    'configs/ovseg/*_proposal_* config (tools/train.py)')
        state = torch.load(checkpoint, map_location='cpu', weights_only=False)
        missing, _ = model.load_state_dict(state.get('state_dict', state), strict=False)
        if missing:  # the frozen CLIP is never read from OVSeg checkpoints, so it is never missing
            raise ValueError(f'{checkpoint} does not fit the config (missing {missing[:3]}); '
                             'use the config it was trained with')
    return model.to(device).eval(), cfg


def inference_pipeline(cfg, from_array: bool = False) -> Compose:
    """The config's ``test_pipeline`` without annotation loading (optionally from an array)."""
    steps = [dict(t) for t in cfg.test_pipeline if 'Annotations' not in t['type']]
    if from_array:
        steps[0] = dict(type='LoadImageFromNDArray')
    return Compose(steps)


@torch.no_grad()
def segment_image(model, pipeline: Compose, image) -> np.ndarray:
    """Label map ``[H, W]`` (indices into the model's vocabulary) of a path or BGR array."""
    data = pipeline(dict(img=image) if isinstance(image, np.ndarray) else dict(img_path=image))
    out = model.test_step(dict(inputs=[data['inputs']], data_samples=[data['data_samples']]))
    return out[0].pred_sem_seg.data[0].cpu().numpy()
