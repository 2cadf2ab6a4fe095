"""Frozen CLIP: the three levels and global embedding, frozen weights, cached text embeddings."""
import os.path as osp

import torch

from clipdense.clip import build_clip, build_dense_encoder
from clipdense.models.affordanceclip import FrozenCLIP

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
TOY_VIT = osp.join(ROOT, 'clipdense', 'assets', 'toy_clip_tiny-ViT.pt')


def _random_clip_file(tmp_path, arch):
    """A random CLIP saved as an open_clip state dict, so that FrozenCLIP and the reference
    computations below read the very same weights."""
    torch.manual_seed(1)
    clip = build_clip(arch)
    path = str(tmp_path / f'{arch}.pt')
    torch.save(clip.state_dict(), path)
    return clip, path


def test_resnet_levels_have_strides_8_16_32(tmp_path):
    ref_clip, ckpt = _random_clip_file(tmp_path, 'tiny-RN')
    clip = FrozenCLIP(arch='tiny-RN', checkpoint=ckpt)
    x = torch.randn(2, 3, 64, 96)
    levels, glob = clip.levels(x)
    assert [tuple(v.shape[-2:]) for v in levels] == [(8, 12), (4, 6), (2, 3)]
    assert [v.shape[1] for v in levels] == list(clip.level_channels())
    assert glob.shape == (2, clip.embed_dim) == (2, 64)
    with torch.no_grad():
        # the global embedding is CLIP's own image embedding (not normalised by FrozenCLIP);
        # open_clip's attention pool only takes its native 64x64 input
        x64 = torch.randn(2, 3, 64, 64)
        torch.testing.assert_close(clip.levels(x64)[1], ref_clip.encode_image(x64),
                                   rtol=1e-4, atol=1e-5)
        # v3/v4 are layer2/layer3 and v5 the attention pool applied at every position
        ref = build_dense_encoder(ref_clip, dense_mode='attention').eval()(x, with_embeddings=True)
    torch.testing.assert_close(levels[0], ref['features'][1])
    torch.testing.assert_close(levels[1], ref['features'][2])
    torch.testing.assert_close(levels[2], ref['dense_embed'])
    torch.testing.assert_close(glob, ref['global_embed'])


def test_vit_levels_are_two_blocks_and_the_dense_embedding():
    clip = FrozenCLIP(arch='tiny-ViT', checkpoint=TOY_VIT, vit_levels=(1, 2))
    x = torch.randn(1, 3, 64, 64)
    levels, glob = clip.levels(x)
    assert [tuple(v.shape) for v in levels] == [(1, 128, 8, 8), (1, 128, 8, 8), (1, 64, 8, 8)]
    assert clip.level_channels() == (128, 128, 64) and glob.shape == (1, 64)
    ref_clip = build_clip('tiny-ViT', TOY_VIT)
    with torch.no_grad():
        torch.testing.assert_close(glob, ref_clip.encode_image(x), rtol=1e-4, atol=1e-5)
        ref = build_dense_encoder(ref_clip, out_indices=(1, 2), dense_mode='value').eval()(
            x, with_embeddings=True)
    torch.testing.assert_close(levels[2], ref['dense_embed'])     # the value-path dense embedding
    torch.testing.assert_close(levels[0], ref['features'][0])     # tokens after block 1
    torch.testing.assert_close(levels[1], ref['features'][1])     # tokens after block 2
    assert not torch.allclose(levels[0], levels[1])               # two different blocks


def test_everything_is_frozen_and_stays_in_eval_mode():
    clip = FrozenCLIP(arch='tiny-RN')
    assert not any(p.requires_grad for p in clip.parameters())
    clip.train()
    assert not clip.training and not any(m.training for m in clip.modules())
    levels, _ = clip.levels(torch.randn(1, 3, 64, 64))
    assert not levels[0].requires_grad


def test_text_embeddings_are_normalised_and_each_prompt_is_encoded_once(monkeypatch):
    clip = FrozenCLIP(arch='tiny-RN', text_cache_size=3)
    calls = []
    forward = clip.text.forward
    monkeypatch.setattr(clip.text, 'forward',
                        lambda tokens: calls.append(len(tokens)) or forward(tokens))
    a = clip.encode_texts(['hold', 'cut', 'hold'])
    assert a.shape == (3, 64) and torch.allclose(a.norm(dim=-1), torch.ones(3))
    assert torch.equal(a[0], a[2]) and calls == [2]
    b = clip.encode_texts(['cut', 'peel'])
    assert calls == [2, 1] and torch.equal(b[0], a[1])
    clip.encode_texts(['x1', 'x2', 'x3', 'x4'])                    # more than the cache holds
    assert len(clip._text_cache) == 3
