import pytest
import torch

from clipdense.clip import CLIP_ARCHS, build_clip, canonical_arch


@pytest.mark.parametrize('arch', ['tiny-ViT', 'tiny-RN', 'tiny-EVA02'])
def test_tiny_archs_encode_images_and_text(arch):
    model = build_clip(arch)
    img = torch.randn(2, 3, 64, 64)
    txt = torch.randint(1, 1000, (3, 16))
    assert model.encode_image(img).shape == (2, 64)
    assert model.encode_text(txt).shape == (3, 64)


@pytest.mark.parametrize('arch,embed_dim,width', [
    ('RN50', 1024, 2048), ('RN101', 512, 2048), ('ViT-B-16', 512, 768), ('ViT-L-14', 768, 1024),
    ('EVA02-B-16', 512, 768), ('EVA02-L-14', 768, 1024)])
def test_paper_architectures_build(arch, embed_dim, width):
    model = build_clip(arch)
    assert model.text_projection.shape[-1] == embed_dim if hasattr(model, 'text_projection') \
        else model.text.text_projection.shape[-1] == embed_dim
    visual = model.visual
    if hasattr(visual, 'trunk'):
        assert visual.trunk.embed_dim == width
    elif hasattr(visual, 'attnpool'):
        assert visual.attnpool.k_proj.in_features == width
    else:
        assert visual.conv1.out_channels == width


def test_aliases_and_unknown_arch():
    assert canonical_arch('ViT-B/16') == 'ViT-B-16'
    assert canonical_arch('EVA02-CLIP-L-14') == 'EVA02-L-14'
    assert set(CLIP_ARCHS) >= {'RN50', 'RN101', 'ViT-B-16', 'ViT-L-14', 'EVA02-B-16', 'EVA02-L-14'}
    with pytest.raises(ValueError, match='unknown CLIP architecture'):
        canonical_arch('ViT-Q-99')
