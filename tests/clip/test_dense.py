import pytest
import torch
import torch.nn.functional as F

from clipdense.clip import build_clip, build_dense_encoder, interpolate_pos_embed


@pytest.fixture(scope='module')
def vit():
    return build_clip('tiny-ViT')


def test_vit_native_size_matches_open_clip(vit):
    enc = build_dense_encoder(vit, out_indices=(1, 3))
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        out = enc(x)
        ref = vit.visual.forward_intermediates(x, indices=[1, 3])
    torch.testing.assert_close(out['global_embed'], vit.encode_image(x))
    for a, b in zip(out['features'], ref['image_intermediates']):
        torch.testing.assert_close(a, b)


def test_vit_value_path_equals_explicit_computation(vit):
    enc = build_dense_encoder(vit, out_indices=(3,), dense_mode='value')
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        dense = enc(x)['dense_embed']                               # [1, D, 8, 8]
        tokens, _ = enc.embed(x)
        for blk in vit.visual.transformer.resblocks[:-1]:
            tokens = blk(tokens)
        blk = vit.visual.transformer.resblocks[-1]
        C = tokens.shape[-1]
        W, b = blk.attn.in_proj_weight, blk.attn.in_proj_bias
        v = blk.ln_1(tokens) @ W[2 * C:].T + b[2 * C:]
        y = tokens + v @ blk.attn.out_proj.weight.T + blk.attn.out_proj.bias
        y = y + blk.mlp(blk.ln_2(y))
        expected = vit.visual.ln_post(y[:, 1:]) @ vit.visual.proj        # [1, 64, D]
    torch.testing.assert_close(dense.flatten(2).transpose(1, 2), expected)


@pytest.mark.parametrize('size', [(96, 80), (40, 128)])
def test_vit_any_input_size(vit, size):
    enc = build_dense_encoder(vit, out_indices=(0, 1, 2, 3), dense_mode='attention')
    out = enc(torch.randn(1, 3, *size))
    h, w = size[0] // 8, size[1] // 8
    assert [tuple(f.shape) for f in out['features']] == [(1, 128, h, w)] * 4
    assert out['dense_embed'].shape == (1, 64, h, w)
    assert out['global_embed'].shape == (1, 64)


def test_interpolate_pos_embed_identity_and_resample():
    pos = torch.randn(1 + 16, 8)
    assert interpolate_pos_embed(pos, (4, 4)) is pos
    out = interpolate_pos_embed(pos, (6, 2))
    assert out.shape == (13, 8)
    torch.testing.assert_close(out[0], pos[0])
    const = torch.ones(17, 8)                                    # a constant grid stays constant
    torch.testing.assert_close(interpolate_pos_embed(const, (7, 5)), torch.ones(36, 8))


def test_resnet_global_and_value_dense():
    model = build_clip('tiny-RN')
    x = torch.randn(2, 3, 64, 64)
    enc_attn = build_dense_encoder(model, dense_mode='attention')
    enc_val = build_dense_encoder(model, dense_mode='value')
    with torch.no_grad():
        a, v = enc_attn(x), enc_val(x)
        torch.testing.assert_close(a['global_embed'], model.encode_image(x))
        torch.testing.assert_close(v['global_embed'], model.encode_image(x), rtol=1e-5, atol=1e-5)
        assert [f.shape[-1] for f in a['features']] == [16, 8, 4, 2]
        feat = a['features'][-1]                                 # [2, 256, 2, 2]
        p = model.visual.attnpool
        tok = feat.flatten(2).transpose(1, 2) + p.positional_embedding[1:]
        expected = p.c_proj(p.v_proj(tok))                       # [2, 4, D]
        torch.testing.assert_close(v['dense_embed'].flatten(2).transpose(1, 2), expected)
        # attention mode: the dense token at position j is the pool's output with query j
        assert a['dense_embed'].shape == (2, 64, 2, 2)
        big = enc_attn(torch.randn(1, 3, 160, 96))
        assert big['dense_embed'].shape == (1, 64, 5, 3)


def test_eva_native_and_any_size():
    model = build_clip('tiny-EVA02')
    enc = build_dense_encoder(model, out_indices=(0, 1))
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        out = enc(x)
        torch.testing.assert_close(out['global_embed'], model.encode_image(x))
        ref = model.visual.trunk.forward_intermediates(x, indices=[0, 1], intermediates_only=True)
        for a, b in zip(out['features'], ref):
            torch.testing.assert_close(a, b)
        odd = enc(torch.randn(1, 3, 96, 48))
    assert odd['dense_embed'].shape == (1, 64, 12, 6)
    assert odd['features'][0].shape == (1, 64, 12, 6)


def test_eva_value_path_explicit():
    model = build_clip('tiny-EVA02')
    enc = build_dense_encoder(model, out_indices=(1,))
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        dense = enc(x)['dense_embed'].flatten(2).transpose(1, 2)
        t = model.visual.trunk
        tok, _ = enc.embed(x)
        tok = t.blocks[0](tok, rope=t.rope.get_embed())
        blk = t.blocks[1]
        y = tok + blk.attn.proj(blk.attn.norm(blk.attn.v_proj(blk.norm1(tok))))
        y = y + blk.mlp(blk.norm2(y))
        expected = t.head(t.norm(y[:, 1:]))
    torch.testing.assert_close(dense, expected)


def test_drop_path_only_in_training(vit):
    enc = build_dense_encoder(vit, out_indices=(3,), drop_path_rate=0.5)
    x = torch.randn(1, 3, 64, 64)
    enc.eval()
    with torch.no_grad():
        torch.testing.assert_close(enc(x)['global_embed'], vit.encode_image(x))
    enc.train()
    torch.manual_seed(3)
    outs = [enc(x)['global_embed'] for _ in range(4)]
    assert any(not torch.allclose(outs[0], o) for o in outs[1:])
    enc.eval()
