"""ViT feature pyramid: strides 4/8/16/32 from patch-16 or patch-8 maps."""
import pytest
import torch
import torch.nn.functional as F

from clipdense.models.denseclip.vit_pyramid import ViTFeaturePyramid


@pytest.mark.parametrize('patch', [16, 8])
def test_output_strides_and_channels(patch):
    pyr = ViTFeaturePyramid(12, patch, norm_cfg=dict(type='BN')).eval()
    h, w = 128 // patch, 192 // patch
    outs = pyr([torch.randn(2, 12, h, w) for _ in range(4)])
    assert [tuple(o.shape) for o in outs] == [(2, 12, 128 // s, 192 // s) for s in (4, 8, 16, 32)]


def test_native_and_pooled_levels_are_groupnorm_then_identity_or_maxpool():
    pyr = ViTFeaturePyramid(6, 16, norm_cfg=dict(type='BN')).eval()
    feats = [torch.randn(1, 6, 8, 8) for _ in range(4)]
    outs = pyr(feats)
    torch.testing.assert_close(outs[2], F.group_norm(feats[2], 1, eps=1e-5))
    torch.testing.assert_close(outs[3], F.max_pool2d(F.group_norm(feats[3], 1, eps=1e-5), 2))
    assert isinstance(pyr.ops[0][1][1], torch.nn.BatchNorm2d)     # x4 branch: deconv, norm, GELU, deconv


def test_unsupported_patch_and_wrong_level_count_are_one_line_errors():
    with pytest.raises(ValueError, match='patch size 8 or 16'):
        ViTFeaturePyramid(8, 14)
    with pytest.raises(ValueError, match='four out_indices'):
        ViTFeaturePyramid(8, 16, norm_cfg=dict(type='BN'))([torch.randn(1, 8, 2, 2)] * 3)
