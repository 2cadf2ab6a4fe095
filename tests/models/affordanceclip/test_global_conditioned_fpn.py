"""Global-conditioned FPN: shapes for CNN and ViT pyramids, the conditioning, CRIS equivalences."""
import torch
import torch.nn.functional as F

from clipdense.models.affordanceclip import GlobalConditionedFPN
from clipdense.models.affordanceclip.global_conditioned_fpn import coord_maps


def _fpn():
    return GlobalConditionedFPN(in_channels=(6, 10, 8), global_channels=8, channels=(4, 6, 12))


def test_cnn_pyramid_fuses_at_the_middle_level():
    fpn = _fpn().eval()
    levels = [torch.randn(2, 6, 16, 16), torch.randn(2, 10, 8, 8), torch.randn(2, 8, 4, 4)]
    out = fpn(levels, torch.randn(2, 8))
    assert out.shape == (2, 6, 8, 8) and fpn.out_channels == 6


def test_vit_levels_of_equal_size_work_and_train_mode_runs():
    fpn = _fpn().train()
    levels = [torch.randn(3, 6, 5, 5), torch.randn(3, 10, 5, 5), torch.randn(3, 8, 5, 5)]
    out = fpn(levels, torch.randn(3, 8))
    out.mean().backward()
    assert out.shape == (3, 6, 5, 5) and fpn.global_proj[0].weight.grad is not None


def test_output_depends_on_the_global_embedding():
    fpn = _fpn().eval()
    levels = [torch.randn(1, 6, 8, 8), torch.randn(1, 10, 4, 4), torch.randn(1, 8, 2, 2)]
    a, b = fpn(levels, torch.randn(1, 8)), fpn(levels, torch.randn(1, 8))
    assert not torch.allclose(a, b)


def test_coordinates_and_resampling_match_cris_for_exact_strides():
    c = coord_maps(torch.zeros(2, 1, 3, 5))
    assert c.shape == (2, 2, 3, 5)
    assert torch.allclose(c[0, 0, 0], torch.linspace(-1, 1, 5))       # x varies along width
    assert torch.allclose(c[0, 1, :, 0], torch.linspace(-1, 1, 3))    # y varies along height
    x = torch.randn(1, 3, 8, 8)
    assert torch.allclose(F.adaptive_avg_pool2d(x, (4, 4)), F.avg_pool2d(x, 2, 2))
    y = torch.randn(1, 3, 4, 4)
    assert torch.allclose(F.interpolate(y, size=(8, 8), mode='bilinear', align_corners=False),
                          F.interpolate(y, scale_factor=2, mode='bilinear', align_corners=False))
