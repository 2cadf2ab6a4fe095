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


def _cris_forward(fpn, v3, v4, v5, g):
    """The FPN written out layer by layer with CRIS's resampling for exact strides:
    ``scale_factor=2`` bilinear upsampling and 2x2 average pooling."""
    def up2(x):
        return F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)

    cond = fpn.global_proj(g)[..., None, None]
    f5 = fpn.cond_norm(fpn.proj5(v5) * cond)
    f4 = fpn.fuse4(torch.cat([fpn.proj4(v4), up2(f5)], dim=1))
    f3 = fpn.fuse3(torch.cat([F.avg_pool2d(fpn.proj3(v3), 2, 2), f4], dim=1))
    fused = fpn.aggregate(torch.cat([fpn.out3(f3), fpn.out4(f4), up2(fpn.out5(f5))], dim=1))
    h, w = fused.shape[-2:]
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, h), torch.linspace(-1, 1, w), indexing='ij')
    coords = torch.stack([xx, yy]).expand(fused.shape[0], -1, -1, -1)
    return fpn.refine(fpn.coord_conv(torch.cat([fused, coords], dim=1)))


def test_coordinates_and_resampling_match_cris_for_exact_strides():
    c = coord_maps(torch.zeros(2, 1, 3, 5))
    assert c.shape == (2, 2, 3, 5)
    assert torch.allclose(c[0, 0, 0], torch.linspace(-1, 1, 5))       # x varies along width
    assert torch.allclose(c[0, 1, :, 0], torch.linspace(-1, 1, 3))    # y varies along height
    assert torch.equal(c[1], c[0])
    # the module's own forward (adaptive pooling / resizing to v4's size) against CRIS's
    # fixed-stride operations, with the module's layers (eval: running BN statistics)
    torch.manual_seed(0)
    fpn = _fpn()
    with torch.no_grad():   # non-trivial BN statistics and affine parameters
        for m in fpn.modules():
            if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    fpn.eval()
    levels = [torch.randn(2, 6, 16, 20), torch.randn(2, 10, 8, 10), torch.randn(2, 8, 4, 5)]
    g = torch.randn(2, 8)
    with torch.no_grad():
        out = fpn(levels, g)
        ref = _cris_forward(fpn, *levels, g)
        # the resampling matters: nearest-neighbour upsampling gives another result
        f5 = fpn.cond_norm(fpn.proj5(levels[2]) * fpn.global_proj(g)[..., None, None])
        assert not torch.allclose(F.interpolate(f5, scale_factor=2, mode='nearest'),
                                  F.interpolate(f5, scale_factor=2, mode='bilinear'))
    assert out.shape == (2, 6, 8, 10)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-5)
