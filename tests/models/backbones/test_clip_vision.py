import torch
from mmseg.registry import MODELS

import clipdense  # noqa: F401
from clipdense.clip import build_clip


def test_vit_backbone_levels_and_dense_embed():
    bb = MODELS.build(dict(type='CLIPVisionBackbone', arch='tiny-ViT', out_indices=(1, 3),
                           output_dense_embed=True))
    outs = bb(torch.randn(2, 3, 96, 64))
    assert [tuple(o.shape) for o in outs] == [(2, 128, 12, 8), (2, 128, 12, 8), (2, 64, 12, 8)]


def test_resnet_backbone_four_stages():
    bb = MODELS.build(dict(type='CLIPVisionBackbone', arch='tiny-RN'))
    outs = bb(torch.randn(1, 3, 64, 64))
    assert [o.shape[1:] for o in outs] == [(32, 16, 16), (64, 8, 8), (128, 4, 4), (256, 2, 2)]


def test_frozen_backbone_gets_no_grads_and_keeps_bn_statistics():
    bb = MODELS.build(dict(type='CLIPVisionBackbone', arch='tiny-RN', frozen=True))
    bb.train()
    bn = bb.encoder.visual.bn1
    before = bn.running_mean.clone()
    outs = bb(torch.randn(2, 3, 64, 64) * 3 + 1)
    assert not bn.training and torch.equal(bn.running_mean, before)
    assert all(not p.requires_grad for p in bb.parameters())
    assert not outs[-1].requires_grad


def test_loads_checkpoint_file(tmp_path):
    src = build_clip('tiny-ViT')
    torch.save(src.state_dict(), tmp_path / 'tiny-ViT.pt')
    bb = MODELS.build(dict(type='CLIPVisionBackbone', arch='tiny-ViT', checkpoint=str(tmp_path),
                           out_indices=(3,), output_dense_embed=True))
    torch.testing.assert_close(bb.encoder.visual.proj, src.visual.proj)


def test_every_parameter_has_one_name():
    bb = MODELS.build(dict(type='CLIPVisionBackbone', arch='tiny-EVA02', out_indices=(0, 1)))
    names = [n for n, _ in bb.named_parameters(remove_duplicate=False)]
    assert len(names) == len({id(p) for p in bb.parameters()})
