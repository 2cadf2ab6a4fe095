"""Context decoder maths: attention, the pre-norm decoder layer, initialisation, equivariances."""
import pytest
import torch

from clipdense.models.denseclip.context_decoder import (ContextDecoder, ContextDecoderLayer,
                                                        MultiHeadAttention)


def test_attention_equals_explicit_per_head_softmax():
    attn = MultiHeadAttention(dim=4, num_heads=2, dropout=0.0)
    q, kv = torch.randn(1, 3, 4), torch.randn(1, 5, 4)
    Q, K, V = attn.q_proj(q)[0], attn.k_proj(kv)[0], attn.v_proj(kv)[0]   # [3,4], [5,4], [5,4]
    heads = []
    for h in range(2):                                  # head h uses channels 2h, 2h+1
        c = slice(2 * h, 2 * h + 2)
        w = torch.softmax(Q[:, c] @ K[:, c].T / 2 ** 0.5, dim=-1)        # [3, 5]
        heads.append(w @ V[:, c])
    explicit = attn.proj(torch.cat(heads, dim=-1))
    torch.testing.assert_close(attn(q, kv)[0], explicit, rtol=1e-5, atol=1e-6)
    assert attn.q_proj.bias is None and attn.proj.bias is not None


def test_layer_is_pre_norm_self_cross_mlp():
    layer = ContextDecoderLayer(width=8, num_heads=2, dropout=0.1).eval()
    x, m = torch.randn(2, 3, 8), torch.randn(2, 6, 8)
    h = layer.norm1(x)
    y = x + layer.self_attn(h, h)
    y = y + layer.cross_attn(layer.norm2(y), m)
    y = y + layer.mlp(layer.norm3(y))
    torch.testing.assert_close(layer(x, m), y)


def test_decoder_shapes_init_and_set_equivariances():
    dec = ContextDecoder(visual_dim=16, transformer_width=8, transformer_heads=2,
                         transformer_layers=2, dropout=0.1).eval()
    text, visual = torch.randn(2, 5, 16), torch.randn(2, 7, 16)
    out = dec(text, visual)
    assert out.shape == (2, 5, 16)
    # no positional encodings: visual tokens form a set, classes are permutation-equivariant
    torch.testing.assert_close(dec(text, visual[:, torch.randperm(7)]), out, rtol=1e-5, atol=1e-5)
    perm = torch.randperm(5)
    torch.testing.assert_close(dec(text[:, perm], visual), out[:, perm], rtol=1e-5, atol=1e-5)
    # images do not interact
    torch.testing.assert_close(dec(text[:1], visual[:1]), out[:1], rtol=1e-5, atol=1e-5)
    linears = [m for m in dec.modules() if isinstance(m, torch.nn.Linear)]
    weights = torch.cat([m.weight.flatten() for m in linears])
    assert abs(weights.std().item() - 0.02) < 0.002      # truncated N(0, 0.02)
    assert all(m.bias is None or not m.bias.any() for m in linears)


def test_dropout_only_in_training_and_gradients_reach_every_parameter():
    dec = ContextDecoder(visual_dim=16, transformer_width=8, transformer_heads=2, transformer_layers=1)
    text, visual = torch.randn(1, 3, 16), torch.randn(1, 4, 16)
    dec.eval()
    torch.testing.assert_close(dec(text, visual), dec(text, visual))
    dec.train()
    dec(text, visual).pow(2).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in dec.parameters())


def test_wrong_dims_give_one_line_errors():
    dec = ContextDecoder(visual_dim=16, transformer_width=8, transformer_heads=2, transformer_layers=1)
    with pytest.raises(ValueError, match='visual_dim'):
        dec(torch.randn(1, 3, 12), torch.randn(1, 4, 12))
    with pytest.raises(ValueError, match='multiple of transformer_heads'):
        ContextDecoder(visual_dim=16, transformer_width=10, transformer_heads=4)
