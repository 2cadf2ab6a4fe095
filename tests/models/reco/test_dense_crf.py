"""Dense CRF: mean-field maths against an explicit computation, and behaviour on a noisy map."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from clipdense.models.reco.dense_crf import dense_crf


def explicit_kernels(pix, rgb, pos_xy_std, bi_xy_std, bi_rgb_std):
    """Gaussian and bilateral kernels ``[n, n]`` over points ``pix`` (y, x) with colours ``rgb``
    ``[n, 3]``, by pixel-pair loops, symmetrically normalised as dense_crf does."""
    n = len(pix)
    kp, kb = torch.zeros(n, n, dtype=torch.float64), torch.zeros(n, n, dtype=torch.float64)
    for i in range(n):
        for j in range(n):
            d2 = (pix[i][0] - pix[j][0]) ** 2 + (pix[i][1] - pix[j][1]) ** 2
            kp[i, j] = math.exp(-d2 / (2 * pos_xy_std ** 2))
            kb[i, j] = math.exp(-d2 / (2 * bi_xy_std ** 2)
                                - float(((rgb[i] - rgb[j]) ** 2).sum()) / (2 * bi_rgb_std ** 2))
    return [k / torch.sqrt(k.sum(1)[:, None] * k.sum(1)[None, :]) for k in (kp, kb)]


def explicit_mean_field(image, logits, iters, pos_w, pos_xy_std, bi_w, bi_xy_std, bi_rgb_std):
    """Pixel-pair loops over a full-resolution grid (no downsampling), float64."""
    c, h, w = logits.shape
    pix = [(y + 0.5, x + 0.5) for y in range(h) for x in range(w)]
    rgb = image.double().reshape(3, -1).T
    norm = explicit_kernels(pix, rgb, pos_xy_std, bi_xy_std, bi_rgb_std)
    log_p = torch.log_softmax(logits.double(), 0).reshape(c, -1).T
    q = log_p.softmax(1)
    for _ in range(iters):
        q = (log_p + pos_w * norm[0] @ q + bi_w * norm[1] @ q).softmax(1)
    return q.T.reshape(c, h, w)


def test_matches_explicit_mean_field_when_the_grid_is_full_resolution():
    g = torch.Generator().manual_seed(0)
    image = torch.randint(0, 256, (3, 4, 5), generator=g).float()
    logits = torch.randn(3, 4, 5, generator=g)
    kw = dict(iters=4, pos_w=3.0, pos_xy_std=1.0, bi_w=4.0, bi_xy_std=3.0, bi_rgb_std=40.0)
    out = dense_crf(image, logits, max_pixels=20, **kw)
    assert torch.allclose(out.double(), explicit_mean_field(image, logits, **kw), atol=1e-5)
    assert torch.allclose(out.sum(0), torch.ones(4, 5), atol=1e-5)


def test_zero_iterations_is_the_softmax_and_sizes_must_agree():
    logits = torch.randn(2, 3, 3)
    assert torch.allclose(dense_crf(torch.zeros(3, 3, 3), logits, iters=0), logits.softmax(0))
    with pytest.raises(ValueError, match=r'image \(4, 4\) and logits \(3, 3\) differ'):
        dense_crf(torch.zeros(3, 4, 4), logits)


def test_cleans_label_noise_along_colour_edges_on_a_coarse_grid():
    rng = np.random.default_rng(0)
    h = w = 96
    truth = np.zeros((h, w), np.int64)
    truth[:, 40:] = 1
    truth[20:60, 10:30] = 2
    palette = np.array([[200, 40, 40], [40, 160, 40], [40, 40, 220]], np.float32)
    image = torch.from_numpy(palette[truth] + rng.normal(0, 4, (h, w, 3)).astype(np.float32)).permute(2, 0, 1)
    noisy = np.where(rng.random((h, w)) < 0.35, rng.integers(0, 3, (h, w)), truth)  # 35 % resampled
    logits = torch.from_numpy(np.eye(3, dtype=np.float32)[noisy]).permute(2, 0, 1) * 1.5
    before = (logits.argmax(0).numpy() == truth).mean()
    after = (dense_crf(image, logits, max_pixels=1024).argmax(0).numpy() == truth).mean()
    assert before < 0.8 and after > 0.95, (before, after)


def test_bad_inputs_give_one_line_errors_and_the_grid_is_capped():
    with pytest.raises(ValueError, match='at least 2 classes'):
        dense_crf(torch.zeros(3, 4, 4), torch.zeros(1, 4, 4))
    with pytest.raises(ValueError, match=r'image \[3, H, W\] and logits \[C, H, W\]'):
        dense_crf(torch.zeros(1, 4, 4), torch.zeros(2, 4, 4))
    with pytest.raises(ValueError, match='iters must be >= 0'):
        dense_crf(torch.zeros(3, 4, 4), torch.zeros(2, 4, 4), iters=-1)
    g = torch.Generator().manual_seed(0)
    image, logits = torch.rand(3, 1, 3000, generator=g) * 255, torch.randn(2, 1, 3000, generator=g) * 2
    kw = dict(iters=3, pos_w=3.0, pos_xy_std=60.0, bi_w=4.0, bi_xy_std=200.0, bi_rgb_std=60.0)
    out = dense_crf(image, logits, max_pixels=64, **kw)
    assert out.shape == (2, 1, 3000)
    torch.testing.assert_close(out.double(), capped_reference(image, logits, 1, 64, **kw), rtol=0, atol=1e-4)
    assert not torch.allclose(out, logits.softmax(0), atol=0.05)  # the messages do change it
    # the cap matters here: a finer grid gives other messages
    assert not torch.allclose(out, dense_crf(image, logits, max_pixels=256, **kw), atol=1e-3)


def capped_reference(image, logits, gh, gw, iters, pos_w, pos_xy_std, bi_w, bi_xy_std, bi_rgb_std):
    """What the docstring promises for a capped grid of ``gh x gw`` points, float64: the unary
    and the colours area-averaged onto the grid, point positions at the cell centres in
    full-resolution pixels, mean field on the grid (``iters - 1`` updates), the last message
    bilinearly upsampled and added to the *full-resolution* unary."""
    c, h, w = logits.shape
    log_p = torch.log_softmax(logits.double(), 0)
    grid_log_p = F.adaptive_avg_pool2d(log_p[None], (gh, gw))[0].reshape(c, -1).T
    rgb = F.adaptive_avg_pool2d(image.double()[None], (gh, gw))[0].reshape(3, -1).T
    pix = [((y + 0.5) * h / gh, (x + 0.5) * w / gw) for y in range(gh) for x in range(gw)]
    kp, kb = explicit_kernels(pix, rgb, pos_xy_std, bi_xy_std, bi_rgb_std)
    pairwise = pos_w * kp + bi_w * kb
    q = grid_log_p.softmax(1)
    for _ in range(iters - 1):
        q = (grid_log_p + pairwise @ q).softmax(1)
    message = F.interpolate((pairwise @ q).T.reshape(1, c, gh, gw), size=(h, w), mode='bilinear',
                            align_corners=False)[0]
    return (log_p + message).softmax(0)


def test_runs_on_the_logits_device():
    # the meta device stands in for CUDA: any tensor created on the CPU would fail to mix with it
    out = dense_crf(torch.zeros(3, 8, 8, device='meta'), torch.zeros(2, 8, 8, device='meta'), max_pixels=16)
    assert out.device.type == 'meta' and out.shape == (2, 8, 8)
