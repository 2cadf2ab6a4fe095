"""LayerDecayOptimWrapperConstructor: lr = base * rate ** (L + 1 - layer), weight-decay
exemptions, custom_keys, merged groups, registry build, one-line error."""
import pytest
import torch.nn as nn
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from clipdense.models.vltseg import CLIPViTPyramid

BASE_LR, BASE_WD, RATE = 1e-3, 0.05, 0.5


class ToySegmentor(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = CLIPViTPyramid('tiny-EVA02', out_indices=(0, 1, 1, 1), norm_cfg=dict(type='BN'))
        self.decode_head = nn.Module()
        self.decode_head.cls_embed = nn.Linear(8, 4)
        self.decode_head.query_embed = nn.Embedding(3, 8)


def expected_layer(name):
    """Written from the parameter *names* (the constructor uses parameter identity)."""
    if not name.startswith('backbone.') or name.startswith('backbone.pyramid.'):
        return 3
    for i in (0, 1):
        if f'.blocks.{i}.' in name:
            return i + 1
    return 0


def build(paramwise_cfg):
    init_default_scope('mmseg')
    model = ToySegmentor()
    cfg = dict(type='OptimWrapper',
               optimizer=dict(type='AdamW', lr=BASE_LR, weight_decay=BASE_WD),
               constructor='LayerDecayOptimWrapperConstructor', paramwise_cfg=paramwise_cfg)
    return model, build_optim_wrapper(model, cfg)


def group_of(optim_wrapper):
    return {id(p): g for g in optim_wrapper.optimizer.param_groups for p in g['params']}


def test_lr_and_weight_decay_of_every_parameter():
    model, ow = build(dict(layer_decay_rate=RATE))
    groups = group_of(ow)
    params = dict(model.named_parameters())
    assert len(groups) == len(params)  # every parameter exactly once
    for name, p in params.items():
        g = groups[id(p)]
        assert g['lr'] == pytest.approx(BASE_LR * RATE ** (3 - expected_layer(name))), name
        exempt = p.ndim == 1 or name.endswith(('pos_embed', 'cls_token', 'query_embed.weight'))
        assert g['weight_decay'] == (0.0 if exempt else BASE_WD), name
    q = params['backbone.encoder.visual.trunk.blocks.0.attn.q_proj.weight']
    assert groups[id(q)]['lr'] == pytest.approx(BASE_LR * 0.25) and groups[id(q)]['weight_decay'] == BASE_WD


def test_groups_are_merged_by_layer_lr_and_decay():
    _, ow = build(dict(layer_decay_rate=RATE))
    keys = [(g['layer_id'], g['lr'], g['weight_decay']) for g in ow.optimizer.param_groups]
    assert len(keys) == len(set(keys)) and {k[0] for k in keys} == {0, 1, 2, 3}
    assert len(keys) <= 8  # 4 layers x (decay, no decay)


def test_custom_keys_multiply_on_top():
    custom = {'cls_embed': dict(lr_mult=10.0, decay_mult=0.0)}
    model, ow = build(dict(layer_decay_rate=RATE, custom_keys=custom))
    g = group_of(ow)[id(model.decode_head.cls_embed.weight)]
    assert g['lr'] == pytest.approx(BASE_LR * 10) and g['weight_decay'] == 0.0


def test_empty_paramwise_cfg_means_plain_lr_but_keeps_the_exemptions():
    model, ow = build(dict())
    assert all(g['lr'] == pytest.approx(BASE_LR) for g in ow.optimizer.param_groups)
    assert group_of(ow)[id(model.backbone.encoder.trunk.pos_embed)]['weight_decay'] == 0.0


def test_backbone_without_layer_ids_is_rejected():
    init_default_scope('mmseg')
    model = nn.Module()
    model.backbone = nn.Linear(2, 2)
    with pytest.raises(TypeError, match='has no param_layer_ids'):
        build_optim_wrapper(model, dict(optimizer=dict(type='AdamW', lr=1e-3),
                                        constructor='LayerDecayOptimWrapperConstructor',
                                        paramwise_cfg=dict(layer_decay_rate=0.9)))
