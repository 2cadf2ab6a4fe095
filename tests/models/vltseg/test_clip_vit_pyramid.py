"""CLIPViTPyramid on the tiny EVA02 / ViT CLIPs: pyramid shapes and content, gradients reach
every kept parameter, layer ids, drop path, weight loading and one-line errors."""
import pytest
import torch
from timm.layers import DropPath

from clipdense.clip import build_clip
from clipdense.models.vltseg import CLIPViTPyramid


@pytest.fixture(scope='module')
def eva():
    torch.manual_seed(0)
    return CLIPViTPyramid('tiny-EVA02', out_indices=(0, 1, 1, 1), drop_path_rate=0.1,
                          norm_cfg=dict(type='BN'))


def test_eva_pyramid_shapes_any_input_size(eva):
    eva.eval()
    out = eva(torch.randn(2, 3, 64, 96))
    assert [tuple(o.shape) for o in out] == [(2, 64, 16, 24), (2, 64, 8, 12), (2, 64, 4, 6), (2, 64, 2, 3)]


def test_levels_are_the_requested_block_outputs(eva):
    eva.eval()
    x = torch.randn(1, 3, 64, 64)
    blocks = eva.encoder(x, with_embeddings=False)['features']      # blocks 0 and 1
    out = eva(x)                                                      # patch 8: x2, x1, x1/2, x1/4
    assert torch.allclose(out[0], eva.pyramid.levels[0](blocks[0]))   # level 1 from block 0
    assert torch.equal(out[1], blocks[1])                             # levels 2-4 from block 1
    assert torch.equal(out[2], torch.nn.functional.max_pool2d(blocks[1], 2))
    assert torch.equal(out[3], torch.nn.functional.max_pool2d(blocks[1], 4))


def test_every_parameter_gets_a_gradient_and_heads_are_dropped(eva):
    eva.train()
    sum(o.square().mean() for o in eva(torch.randn(2, 3, 64, 64))).backward()
    missing = [n for n, p in eva.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert missing == []
    names = [n for n, _ in eva.named_parameters()]
    assert not any(n.split('.')[-2] in ('head', 'fc_norm') or '.trunk.norm.' in n for n in names)
    full = build_clip('tiny-EVA02')
    assert sum(p.numel() for p in eva.parameters()) - sum(p.numel() for p in eva.pyramid.parameters()) \
        < sum(p.numel() for p in full.visual.parameters())  # projection + final norm gone, no text tower


def test_layer_ids_embeddings_blocks_pyramid(eva):
    ids = eva.param_layer_ids()
    assert eva.num_layers == 2
    assert ids['encoder.visual.trunk.pos_embed'] == 0 and ids['encoder.visual.trunk.cls_token'] == 0
    assert ids['encoder.visual.trunk.patch_embed.proj.weight'] == 0
    assert all(v == 1 for k, v in ids.items() if '.blocks.0.' in k)
    assert all(v == 2 for k, v in ids.items() if '.blocks.1.' in k)
    assert all(v == 3 for k, v in ids.items() if k.startswith('pyramid.'))
    assert set(ids) == {n for n, _ in eva.named_parameters()}


def test_drop_path_increases_linearly(eva):
    rates = [blk.drop_path1.drop_prob if isinstance(blk.drop_path1, DropPath) else 0.0
             for blk in eva.encoder.blocks]
    assert rates == pytest.approx([0.0, 0.1])


def test_vit_tower_and_its_layer_ids():
    vit = CLIPViTPyramid('tiny-ViT', out_indices=(0, 1, 2, 3), drop_path_rate=0.0, norm_cfg=dict(type='BN'))
    out = vit.eval()(torch.randn(1, 3, 64, 64))
    assert [tuple(o.shape) for o in out] == [(1, 128, 16, 16), (1, 128, 8, 8), (1, 128, 4, 4), (1, 128, 2, 2)]
    ids = vit.param_layer_ids()
    for emb in ('conv1.weight', 'class_embedding', 'positional_embedding', 'ln_pre.weight'):
        assert ids[f'encoder.visual.{emb}'] == 0
    assert ids['encoder.visual.transformer.resblocks.3.mlp.c_fc.weight'] == 4
    assert vit.encoder.visual.proj is None


def test_clip_weights_are_loaded_and_survive_init_weights(tmp_path):
    torch.manual_seed(1)
    clip = build_clip('tiny-EVA02')
    torch.save(clip.state_dict(), tmp_path / 'tiny-EVA02.pt')
    bb = CLIPViTPyramid('tiny-EVA02', checkpoint=str(tmp_path), out_indices=(0, 1, 1, 1),
                        norm_cfg=dict(type='BN'))
    bb.init_weights()
    want = clip.visual.trunk.blocks[1].attn.q_proj.weight
    assert torch.equal(bb.encoder.trunk.blocks[1].attn.q_proj.weight, want)


@pytest.mark.parametrize('kwargs, message', [
    (dict(out_indices=(0, 1)), 'needs 4 block indices'),
    (dict(out_indices=(0, 0, 0, 0)), 'must be the last block'),
    (dict(out_indices=(0, 1, 1, 5)), 'out of range'),
    (dict(arch='tiny-RN'), 'is not a ViT CLIP'),
])
def test_one_line_errors(kwargs, message):
    args = dict(arch='tiny-EVA02', out_indices=(0, 1, 1, 1), norm_cfg=dict(type='BN'))
    with pytest.raises(ValueError, match=message):
        CLIPViTPyramid(**dict(args, **kwargs))
