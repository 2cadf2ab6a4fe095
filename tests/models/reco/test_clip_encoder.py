"""A CLIP tower as the co-segmentation encoder (clipdense.models.reco.clip_encoder)."""
import pytest
import torch

from clipdense.models.reco.clip_encoder import CLIPTokenEncoder
from clipdense.models.reco.retrieval import normalize_images
from clipdense.models.reco.segmentor import build_coseg_encoder


def test_returns_the_tokens_after_the_chosen_block():
    enc = CLIPTokenEncoder('tiny-ViT', layer=1)
    assert enc.embed_dim == 128 and enc.patch_size == 8
    x = torch.rand(2, 3, 32, 48) * 255
    tokens, (h, w) = enc.dense.embed(normalize_images(x))       # CLIP-normalised input
    for i in range(2):                                            # blocks 0 and 1
        tokens = enc.dense.block(i, tokens)
    want = tokens[:, 1:].transpose(1, 2).reshape(2, 128, h, w)
    assert enc(x).shape == (2, 128, 4, 6) and torch.allclose(enc(x), want, atol=1e-5)


def test_encoder_config_picks_the_source():
    assert isinstance(build_coseg_encoder(dict(source='clip', arch='tiny-ViT')), CLIPTokenEncoder)
    with pytest.raises(ValueError, match="'timm' or 'clip'"):
        build_coseg_encoder(dict(source='dino'))
