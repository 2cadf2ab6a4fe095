"""Training-free localizer: patch scores, map post-processing, image score views."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import ndimage

from clipdense.models.anovl.tfa import TrainingFreeLocalizer, augmented_views, gaussian_blur


@pytest.fixture
def tfa(tiny_tfa):
    return tiny_tfa


def test_gaussian_blur_matches_scipy():
    maps = torch.rand(2, 40, 36, dtype=torch.float64)
    ref = np.stack([ndimage.gaussian_filter(m, sigma=4, mode='mirror', truncate=4.0) for m in maps.numpy()])
    np.testing.assert_allclose(gaussian_blur(maps, 4.0).numpy(), ref, atol=1e-10)
    assert gaussian_blur(maps, 0) is maps


def test_augmented_views():
    x = torch.randn(2, 3, 16, 16)
    v = augmented_views(x)
    assert v.shape == (2, 22, 3, 16, 16)
    torch.testing.assert_close(v[:, 0], x)
    torch.testing.assert_close(v[:, 17], x.flip(-1), atol=1e-5, rtol=0)   # horizontal flip
    turns = [v[:, k] for k in (18, 19, 20)]
    for k in (1, 2, 3):  # the three quarter turns, whatever their sense
        assert any(torch.allclose(t, torch.rot90(x, k, dims=(-2, -1)), atol=1e-5) for t in turns)
    grey = 0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2]
    torch.testing.assert_close(v[:, 21], grey[:, None].expand(-1, 3, -1, -1))


def test_forward_scores_match_explicit_pipeline(tfa):
    x = torch.randn(2, 3, 64, 64)
    out = tfa(x, ['bottle', 'wood'])
    assert out['anomaly_map'].shape == (2, 64, 64) and out['image_score'].shape == (2,)
    assert out['local_tokens'].shape == (2, 2, 8, 8, 64) and out['patch_probs'].shape == (2, 2, 8, 8)
    e_bottle, e_wood = tfa.prompts.embed('bottle'), tfa.prompts.embed('wood', 'texture')
    torch.testing.assert_close(out['class_embeds'], torch.stack([e_bottle.class_embeds, e_wood.class_embeds]))
    # patch score = softmax over (normal, abnormal) of the cosine similarities (logit scale 1)
    t = F.normalize(out['local_tokens'][1, 0], dim=-1)
    p = torch.softmax(t @ e_wood.class_embeds.T, dim=-1)[..., 1]
    torch.testing.assert_close(out['patch_probs'][1, 0], p)
    # per-layer map: replicate-padded 3x3 mean, bilinear (align_corners) to 64 px, Gaussian(4); then mean
    per_layer = []
    for layer in range(2):
        m = out['patch_probs'][:, layer:layer + 1]
        m = F.avg_pool2d(F.pad(m, (1, 1, 1, 1), mode='replicate'), 3, stride=1)
        m = F.interpolate(m, size=(64, 64), mode='bilinear', align_corners=True)[:, 0]
        per_layer.append(torch.from_numpy(np.stack([ndimage.gaussian_filter(a, 4, mode='mirror')
                                                    for a in m.double().numpy()])))
    torch.testing.assert_close(out['anomaly_map'].double(), sum(per_layer) / 2, atol=1e-5, rtol=0)
    g = tfa.vv(x, with_local=False)['global_embed']
    torch.testing.assert_close(out['image_score'], tfa.probabilities(g, out['class_embeds']))
    assert ((out['image_score'] > 0) & (out['image_score'] < 1)).all()


def test_augmented_image_score_is_view_mean(tfa):
    x = torch.randn(1, 3, 64, 64)
    ce = tfa.prompts.embed('bottle').class_embeds[None]
    tfa.image_views = 'augment'
    try:
        score = tfa.image_scores(x, ce)
    finally:
        tfa.image_views = 'single'
    views = augmented_views(x)[0]
    per_view = [tfa.image_scores(v[None], ce) for v in views]
    torch.testing.assert_close(score, torch.stack(per_view).mean(0), atol=1e-5, rtol=0)


def test_errors(tfa):
    with pytest.raises(ValueError, match='needs a CLIP ViT'):
        TrainingFreeLocalizer('tiny-RN', score_layers=(1,))
    with pytest.raises(ValueError, match='one object name per image'):
        tfa(torch.randn(2, 3, 64, 64), ['bottle'])
    with pytest.raises(ValueError, match='unknown object name'):
        tfa(torch.randn(1, 3, 64, 64), ['???'])
    with pytest.raises(ValueError, match='image_views'):
        TrainingFreeLocalizer('tiny-ViT', score_layers=(4,), image_views='tiles')
