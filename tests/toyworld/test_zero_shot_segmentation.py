"""Open-vocabulary segmentation helper and overlays."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from clipdense.toyworld import zero_shot_segmentation as zss
from clipdense.toyworld.vocabulary import TOY_TEMPLATES
from clipdense.toyworld.zero_shot_segmentation import (DISPLAY_PALETTE, colour_overlay, save_panel,
                                                       segment_with_class_names)


class _StubEncoder(torch.nn.Module):
    """Hands out known dense embeddings ``table [N, D, H, W]`` in call order, recording inputs."""

    def __init__(self, table):
        super().__init__()
        self.table, self.inputs, self.start = table, [], 0

    def forward(self, x):
        self.inputs.append(x)
        out = self.table[self.start:self.start + x.shape[0]]
        self.start += x.shape[0]
        return dict(dense_embed=out)


def test_segment_returns_the_best_matching_name_per_pixel(monkeypatch):
    g = torch.Generator().manual_seed(0)
    n, h, w, d = 3, 6, 5, 8
    names = ['red', 'blue', 'background']
    name_embeds = {k: F.normalize(torch.randn(d, generator=g), dim=0) for k in names + ['green']}
    table = torch.randn(n, d, h, w, generator=g) * torch.rand(n, 1, h, w, generator=g) * 3  # any norm
    encoder = _StubEncoder(table)
    built = {}

    class StubCache:
        def __init__(self, tower, templates):
            built['tower'], built['templates'] = tower, templates

        def embed(self, class_names):
            return torch.stack([name_embeds[k] for k in class_names])

    def stub_dense_encoder(model, out_indices, dense_mode):
        built['dense_mode'] = dense_mode
        return encoder

    monkeypatch.setattr(zss, 'build_dense_encoder', stub_dense_encoder)
    monkeypatch.setattr(zss, 'TextTower', lambda model: ('tower of', model))
    monkeypatch.setattr(zss, 'ClassEmbeddingCache', StubCache)
    images = np.random.default_rng(0).integers(0, 255, (n, h, w, 3), dtype=np.uint8)
    pred = segment_with_class_names('model', images, names, scale=1, batch_size=2)
    # expected: arg-max over the names of the cosine between each pixel's embedding and the name's
    cos = np.einsum('ndhw,kd->nkhw', F.normalize(table, dim=1).numpy(),
                    torch.stack([name_embeds[k] for k in names]).numpy())
    assert pred.dtype == np.int64 and pred.shape == (n, h, w)
    np.testing.assert_array_equal(pred, cos.argmax(1))
    assert len(np.unique(pred)) == 3   # a non-trivial map
    assert built == dict(tower=('tower of', 'model'), templates=TOY_TEMPLATES, dense_mode='value')
    # two batches, fed the CLIP-normalised images in order
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255
    x = (x - torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(1, 3, 1, 1)) / torch.tensor(
        [0.26862954, 0.26130258, 0.27577711]).view(1, 3, 1, 1)
    assert [tuple(t.shape) for t in encoder.inputs] == [(2, 3, h, w), (1, 3, h, w)]
    torch.testing.assert_close(torch.cat(encoder.inputs), x)
    # a single image gives a single map; another name order permutes the labels
    encoder.start = 0
    np.testing.assert_array_equal(segment_with_class_names('model', images[0], names, scale=1), cos[0].argmax(0))
    encoder.start = 0
    swapped = segment_with_class_names('model', images, ['background', 'red', 'blue'], scale=1)
    np.testing.assert_array_equal(swapped, np.array([1, 2, 0])[pred])
    with pytest.raises(ValueError, match='repeats'):
        segment_with_class_names('model', images[0], ['red', 'red'])


def test_scale_upsamples_the_input_for_a_finer_patch_grid(monkeypatch):
    g = torch.Generator().manual_seed(1)
    table = torch.randn(1, 4, 2, 2, generator=g)
    encoder = _StubEncoder(table)
    monkeypatch.setattr(zss, 'build_dense_encoder', lambda *a, **k: encoder)
    monkeypatch.setattr(zss, 'TextTower', lambda model: model)

    class StubCache:
        def __init__(self, *a, **k):
            pass

        def embed(self, class_names):
            return torch.eye(4)[:len(class_names)]

    monkeypatch.setattr(zss, 'ClassEmbeddingCache', StubCache)
    image = np.random.default_rng(1).integers(0, 255, (4, 6, 3), dtype=np.uint8)
    pred = segment_with_class_names('model', image, ['a', 'b', 'c', 'd'], scale=3)
    assert tuple(encoder.inputs[0].shape) == (1, 3, 12, 18) and pred.shape == (4, 6)
    # the 2x2 logits are bilinearly resized to the image size, then arg-maxed
    logits = F.interpolate(F.normalize(table, dim=1), size=(4, 6), mode='bilinear', align_corners=False)
    np.testing.assert_array_equal(pred, logits[0].argmax(0).numpy())


def test_overlay_and_panel(tmp_path):
    image = np.full((2, 2, 3), 100, np.uint8)
    label = np.array([[0, 1], [255, 1]])
    out = colour_overlay(image, label, alpha=1.0)
    assert (out[0, 0] == DISPLAY_PALETTE[0]).all() and (out[0, 1] == DISPLAY_PALETTE[1]).all()
    assert (out[1, 0] == 100).all()  # ignored pixels stay as they are
    save_panel(str(tmp_path / 'p.png'), [image, label.astype(np.uint8)], upscale=3)
    assert Image.open(tmp_path / 'p.png').size == (12, 6)
