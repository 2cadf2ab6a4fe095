"""V-V attention against an explicit per-head computation; the dual-path forward block by block."""
import math

import pytest
import torch
import torch.nn as nn

from clipdense.clip import build_clip, build_dense_encoder
from clipdense.models.anovl.vv_attention import VVAttention, VVPathEncoder


def explicit_vv(attn: nn.MultiheadAttention, x: torch.Tensor) -> torch.Tensor:
    """softmax(v v^T / sqrt(d)) v for each batch item and head, heads concatenated, out_proj."""
    B, L, C = x.shape
    h = attn.num_heads
    d = C // h
    Wv, bv = attn.in_proj_weight[2 * C:], attn.in_proj_bias[2 * C:]
    out = torch.zeros(B, L, C)
    for b in range(B):
        v = x[b] @ Wv.T + bv  # [L, C]
        for k in range(h):
            vk = v[:, k * d:(k + 1) * d]
            a = torch.softmax(vk @ vk.T / math.sqrt(d), dim=-1)
            out[b, :, k * d:(k + 1) * d] = a @ vk
    return out @ attn.out_proj.weight.T + attn.out_proj.bias


def test_vv_attention_matches_explicit_computation():
    attn = nn.MultiheadAttention(12, 3, batch_first=True)
    nn.init.normal_(attn.in_proj_bias)
    nn.init.normal_(attn.out_proj.bias)
    x = torch.randn(2, 7, 12)
    torch.testing.assert_close(VVAttention(attn)(x), explicit_vv(attn, x), rtol=1e-5, atol=1e-5)


def test_vv_attention_is_not_qk_attention():
    attn = nn.MultiheadAttention(12, 3, batch_first=True)
    x = torch.randn(1, 7, 12)
    qk = attn(x, x, x, need_weights=False)[0]
    assert not torch.allclose(VVAttention(attn)(x), qk, atol=1e-3)


@pytest.fixture(scope='module')
def tiny():
    clip = build_clip('tiny-ViT')
    return clip, build_dense_encoder(clip, out_indices=(-1,), dense_mode='attention')


def test_dual_path_block_by_block(tiny):
    clip, enc = tiny
    x = torch.randn(2, 3, 64, 64)
    vv = VVPathEncoder(enc, vv_start=2, out_blocks=(1, 3, 4))
    with torch.no_grad():
        out = vv(x)
        z, (h, w) = enc.embed(x)
        taken = {}
        z_vv = None
        for i, blk in enumerate(enc.blocks):
            if i >= 1:  # V-V stream from the input of block 2, attention on ln_1 of the original stream
                z_vv = (z if z_vv is None else z_vv) + explicit_vv(blk.attn, blk.ln_1(z))
            z = blk(z)  # open_clip's own block = the original path
            taken[i + 1] = (z_vv if i >= 1 else z)[:, 1:]
        expected = torch.stack([enc.project(taken[b]) for b in (1, 3, 4)], 1).view(2, 3, h, w, -1)
        torch.testing.assert_close(out['local_tokens'], expected, rtol=1e-4, atol=1e-4)
        # the original path is untouched: the global embedding is CLIP's image embedding
        torch.testing.assert_close(out['global_embed'], clip.encode_image(x), rtol=1e-4, atol=1e-4)
    assert out['local_tokens'].shape == (2, 3, 8, 8, 64)


def test_any_input_size_and_global_only(tiny):
    _, enc = tiny
    vv = VVPathEncoder(enc, vv_start=1, out_blocks=(4,))
    with torch.no_grad():
        out = vv(torch.randn(1, 3, 48, 80))
        glob = vv(torch.randn(1, 3, 48, 80), with_local=False)
    assert out['local_tokens'].shape == (1, 1, 6, 10, 64) and set(glob) == {'global_embed'}


def test_without_vv_path_gives_plain_patch_tokens(tiny):
    _, enc = tiny
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        plain = VVPathEncoder(enc, vv_start=None, out_blocks=(4,))(x)['local_tokens'][:, 0]
        z, _ = enc.embed(x)
        for blk in enc.blocks:
            z = blk(z)
        torch.testing.assert_close(plain, enc.project(z[:, 1:]).view(1, 8, 8, -1), rtol=1e-4, atol=1e-4)


def test_bad_block_numbers(tiny):
    _, enc = tiny
    with pytest.raises(ValueError, match=r'vv_start=5 must be a block number in 1..4 \(or None\)'):
        VVPathEncoder(enc, vv_start=5)
    with pytest.raises(ValueError, match=r'score layers \(0, 12\) must be block numbers in 1..4'):
        VVPathEncoder(enc, vv_start=1, out_blocks=(0, 12))
