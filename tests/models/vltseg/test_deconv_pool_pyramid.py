"""DeconvPoolPyramid: per-level scales, shapes and the exact maths of each resize branch."""
import pytest
import torch
import torch.nn as nn

from clipdense.models.vltseg.deconv_pool_pyramid import (DeconvPoolPyramid, cpu_safe_norm_cfg,
                                                         pyramid_scales)


def test_scales_follow_patch_size():
    assert pyramid_scales(16) == [4, 2, 1, 0.5]      # strides 4/8/16/32
    assert pyramid_scales(14) == [4, 2, 1, 0.5]      # EVA02-L/14: 3.5/7/14/28
    assert pyramid_scales(8) == [2, 1, 0.5, 0.25]    # tiny test models: 4/8/16/32


def test_shapes_for_patch_14_and_8():
    x = [torch.randn(2, 16, 6, 10) for _ in range(4)]
    out = DeconvPoolPyramid(16, 14, dict(type='BN'))(x)
    assert [tuple(o.shape[-2:]) for o in out] == [(24, 40), (12, 20), (6, 10), (3, 5)]
    out = DeconvPoolPyramid(16, 8, dict(type='BN'))(x)
    assert [tuple(o.shape[-2:]) for o in out] == [(12, 20), (6, 10), (3, 5), (1, 2)]


def test_identity_pool_and_deconv_branches_compute_what_they_claim():
    pyr = DeconvPoolPyramid(3, 16, dict(type='BN')).eval()
    x = [torch.randn(1, 3, 4, 4) for _ in range(4)]
    out = pyr(x)
    assert torch.equal(out[2], x[2])
    # x1/2: the maximum of each 2x2 cell
    cells = x[3].reshape(1, 3, 2, 2, 2, 2).permute(0, 1, 2, 4, 3, 5).reshape(1, 3, 2, 2, 4)
    assert torch.allclose(out[3], cells.max(-1).values)
    # x2: output pixel (2i+a, 2j+b) = W[:, :, a, b]^T x[:, :, i, j] + bias
    deconv = pyr.levels[1]
    expected = torch.einsum('ncij,cdab->ndiajb', x[1], deconv.weight).reshape(1, 3, 8, 8)
    assert torch.allclose(out[1], expected + deconv.bias.view(1, 3, 1, 1), atol=1e-6)


def test_syncbn_falls_back_to_bn_without_cuda():
    cfg = dict(type='SyncBN', requires_grad=True)
    assert cpu_safe_norm_cfg(cfg)['type'] == ('SyncBN' if torch.cuda.is_available() else 'BN')
    pyr = DeconvPoolPyramid(4, 16, cfg)
    norm = pyr.levels[0][1]
    assert isinstance(norm, nn.SyncBatchNorm if torch.cuda.is_available() else nn.BatchNorm2d)
    assert cfg['type'] == 'SyncBN'  # the caller's config is not modified


def test_wrong_number_of_maps():
    with pytest.raises(ValueError, match='needs 4 maps, got 3'):
        DeconvPoolPyramid(4, 16, dict(type='BN'))([torch.zeros(1, 4, 2, 2)] * 3)
