"""Layer-wise learning-rate decay (BEiT / EVA fine-tuning; VLTSeg) as an MMEngine optimizer
wrapper constructor.

With ``L = backbone.num_layers`` and ``layer(p)`` from ``backbone.param_layer_ids()`` (0 =
embeddings, ``i + 1`` = block ``i``, ``L + 1`` = anything after the last block; every
parameter outside the backbone counts as ``L + 1``)::

    lr(p) = base_lr * layer_decay_rate ** (L + 1 - layer(p)) * lr_mult(p)
    wd(p) = 0 if p is 1-D or its name contains one of no_decay_names else base_wd * decay_mult(p)

``lr_mult`` / ``decay_mult`` come from ``custom_keys`` (longest matching name substring wins,
as in MMEngine). Parameters with equal (layer, lr, wd) share one param group.

Config::

    optim_wrapper = dict(
        type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.05),
        constructor='LayerDecayOptimWrapperConstructor',
        paramwise_cfg=dict(layer_decay_rate=0.9))
"""
from typing import Dict, List, Optional, Tuple

import torch.nn as nn
from mmengine.logging import print_log
from mmengine.optim import DefaultOptimWrapperConstructor
from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS

# ViT / EVA embeddings and Mask2Former's learned queries and level embeddings
DEFAULT_NO_DECAY_NAMES = ('pos_embed', 'cls_token', 'class_embedding', 'positional_embedding',
                          'query_embed', 'query_feat', 'level_embed')


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class LayerDecayOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """Param groups with layer-wise lr decay over ``model.backbone`` (see the module doc).

    ``paramwise_cfg`` keys: ``layer_decay_rate`` (float, default 1.0 = no decay),
    ``no_decay_names`` (tuple of name substrings), ``custom_keys`` (MMEngine style).
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: Optional[dict] = None):
        # an empty paramwise_cfg would make MMEngine skip add_params (and the exemptions)
        super().__init__(optim_wrapper_cfg, paramwise_cfg or dict(layer_decay_rate=1.0))

    def add_params(self, params: List[dict], module: nn.Module, prefix: str = '', **kwargs) -> None:
        backbone = getattr(module, 'backbone', None)
        if backbone is None or not hasattr(backbone, 'param_layer_ids'):
            raise TypeError(f'{type(module).__name__}.backbone has no param_layer_ids(); '
                            'LayerDecayOptimWrapperConstructor needs a backbone such as CLIPViTPyramid')
        rate = float(self.paramwise_cfg.get('layer_decay_rate', 1.0))
        no_decay = tuple(self.paramwise_cfg.get('no_decay_names', DEFAULT_NO_DECAY_NAMES))
        custom_keys = self.paramwise_cfg.get('custom_keys', {})
        sorted_keys = sorted(sorted(custom_keys), key=len, reverse=True)
        top = backbone.num_layers + 1
        layer_ids = {f'backbone.{k}': v for k, v in backbone.param_layer_ids().items()}

        groups: Dict[Tuple, dict] = {}
        for name, param in module.named_parameters():
            if not param.requires_grad:
                continue
            layer = layer_ids.get(name, top)
            custom = next((custom_keys[k] for k in sorted_keys if k in name), {})
            group = dict(layer_id=layer, lr_scale=rate ** (top - layer))
            if self.base_lr is not None:
                group['lr'] = self.base_lr * group['lr_scale'] * custom.get('lr_mult', 1.0)
            if self.base_wd is not None:
                exempt = param.ndim == 1 or any(k in name for k in no_decay)
                group['weight_decay'] = 0.0 if exempt else self.base_wd * custom.get('decay_mult', 1.0)
            key = tuple(sorted(group.items()))
            groups.setdefault(key, dict(group, params=[]))['params'].append(param)
        params.extend(sorted(groups.values(), key=lambda g: g['layer_id']))
        scales = ', '.join(f'{layer}: x{rate ** (top - layer):.3g}' for layer in (0, 1, top - 1, top))
        print_log(f'layer-wise lr decay {rate} over {top - 1} blocks (layer: lr scale) {scales}; '
                  f'{len(groups)} param groups', logger='current')
