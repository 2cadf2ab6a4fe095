"""Language guidance: context-aware text embeddings (gamma), score maps and their concatenation."""
import pytest
import torch
import torch.nn as nn
from mmseg.registry import DATASETS, MODELS

from clipdense.models.denseclip.backbone import DenseCLIPVisionBackbone
from clipdense.models.denseclip.language_guidance import LanguageGuidanceMixin
from clipdense.models.denseclip.score_map import pixel_text_score_map

NAMES = ['sky', 'tree', 'road']
TEXT = dict(type='DenseCLIPTextEncoder', arch='tiny-RN', num_context=4)
DECODER = dict(type='ContextDecoder', visual_dim=64, transformer_width=32, transformer_heads=4,
               transformer_layers=2)


class Host(LanguageGuidanceMixin, nn.Module):
    def __init__(self, gamma_init=1e-4, decoder=DECODER, neck_in=None):
        super().__init__()
        self.backbone = DenseCLIPVisionBackbone('tiny-RN')
        if neck_in is not None:
            self.neck = nn.Identity()
            self.neck.in_channels = neck_in
        self.init_language_guidance(MODELS, DATASETS, TEXT, decoder, NAMES, gamma_init=gamma_init)


@pytest.fixture(scope='module')
def host():
    torch.manual_seed(0)
    return Host().eval()


def test_zero_gamma_leaves_text_embeddings_unchanged(host):
    out = host.backbone(torch.randn(2, 3, 64, 64))
    g, z = out[-1]
    with torch.no_grad():
        host.gamma.zero_()
        guided = host.guided_text_embeddings(g, z)
        host.gamma.fill_(1e-4)
    torch.testing.assert_close(guided, host.text_encoder().expand(2, -1, -1))


def test_guided_text_is_text_plus_gamma_times_decoder_of_global_and_dense_tokens(host):
    assert torch.all(host.gamma == 1e-4) and host.gamma.shape == (64,)
    g, z = torch.randn(2, 64), torch.randn(2, 64, 2, 3)
    text = host.text_encoder().expand(2, -1, -1)
    tokens = torch.cat([g[:, None], z.permute(0, 2, 3, 1).reshape(2, 6, 64)], dim=1)   # [B, 1+hw, D]
    explicit = text + host.gamma * host.context_decoder(text, tokens)
    torch.testing.assert_close(host.guided_text_embeddings(g, z), explicit)


def test_score_map_is_concatenated_to_the_last_level(host):
    out = host.backbone(torch.randn(2, 3, 64, 96))
    feats, score = host.language_guided_features(out, score_scale=2.0)
    g, z = out[-1]
    expected = pixel_text_score_map(z, host.guided_text_embeddings(g, z))
    torch.testing.assert_close(score, expected)
    assert score.shape == (2, 3, 2, 3) and score.abs().max() <= 1 + 1e-6
    assert feats[3].shape[1] == 256 + 3
    torch.testing.assert_close(feats[3][:, :256], out[3])
    torch.testing.assert_close(feats[3][:, 256:], 2.0 * score)
    assert all(torch.equal(a, b) for a, b in zip(feats[:3], out[:3]))


def test_gradients_reach_contexts_gamma_decoder_and_backbone():
    host = Host(gamma_init=0.5).train()
    feats, score = host.language_guided_features(host.backbone(torch.randn(1, 3, 64, 64)))
    (feats[3].pow(2).mean() + score.sum()).backward()
    assert host.text_encoder.context.grad.abs().sum() > 0 and host.gamma.grad.abs().sum() > 0
    assert all(p.grad is not None for p in host.context_decoder.parameters())
    assert host.backbone.encoder.visual.attnpool.c_proj.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in host.text_encoder.text.parameters())


def test_mismatched_sizes_are_one_line_errors(host):
    with pytest.raises(ValueError, match=r'neck.in_channels=\[32, 64, 128, 259\]'):
        Host(neck_in=[32, 64, 128, 256])
    with pytest.raises(ValueError, match='visual_dim=64'):
        Host(decoder=dict(DECODER, visual_dim=32))
    with pytest.raises(ValueError, match='output_embeddings=True'):
        host.language_guided_features(host.backbone(torch.randn(1, 3, 64, 64))[:4])
