"""Frozen CLIP: the three levels and global embedding, frozen weights, cached text embeddings."""
import torch

from clipdense.models.affordanceclip import FrozenCLIP


def test_resnet_levels_have_strides_8_16_32():
    clip = FrozenCLIP(arch='tiny-RN')
    levels, glob = clip.levels(torch.randn(2, 3, 64, 96))
    assert [tuple(v.shape[-2:]) for v in levels] == [(8, 12), (4, 6), (2, 3)]
    assert [v.shape[1] for v in levels] == list(clip.level_channels())
    assert glob.shape == (2, clip.embed_dim) == (2, 64)


def test_vit_levels_are_two_blocks_and_the_dense_embedding():
    clip = FrozenCLIP(arch='tiny-ViT', vit_levels=(1, 2))
    levels, glob = clip.levels(torch.randn(1, 3, 64, 64))
    assert [tuple(v.shape) for v in levels] == [(1, 128, 8, 8), (1, 128, 8, 8), (1, 64, 8, 8)]
    assert clip.level_channels() == (128, 128, 64) and glob.shape == (1, 64)


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
