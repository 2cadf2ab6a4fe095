"""Pixel projector: x4 resolution, CLIP's embedding width, CRIS's layer sequence."""
import torch
import torch.nn.functional as F

from clipdense.models.affordanceclip import PixelEmbeddingProjector


def test_upsamples_four_times_to_clip_width():
    proj = PixelEmbeddingProjector(in_channels=16, channels=8, out_channels=12).eval()
    out = proj(torch.randn(2, 16, 5, 7))
    assert out.shape == (2, 12, 20, 28)


def test_last_layer_is_a_plain_linear_map_per_pixel():
    proj = PixelEmbeddingProjector(in_channels=4, channels=3, out_channels=5).eval()
    last = proj.layers[-1]
    assert isinstance(last, torch.nn.Conv2d) and last.kernel_size == (1, 1) and last.bias is not None


def _set_bn_statistics(module, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                n = m.num_features
                m.running_mean.copy_(torch.rand(n, generator=g) - 0.5)
                m.running_var.copy_(torch.rand(n, generator=g) + 0.5)
                m.weight.copy_(torch.rand(n, generator=g) + 0.5)
                m.bias.copy_(torch.rand(n, generator=g) * 0.4 - 0.2)


def test_output_is_up_conv_bn_relu_twice_then_a_1x1_conv():
    torch.manual_seed(0)
    proj = PixelEmbeddingProjector(in_channels=6, channels=5, out_channels=7)
    _set_bn_statistics(proj)
    proj.eval()
    x = torch.randn(2, 6, 3, 4)
    up1, cbr1, up2, cbr2, last = proj.layers

    def cbr(m, t):   # conv3x3 (padding 1) + BN (running statistics) + ReLU, written out
        t = F.conv2d(t, m.conv.weight, m.conv.bias, padding=1)
        t = F.batch_norm(t, m.bn.running_mean, m.bn.running_var, m.bn.weight, m.bn.bias,
                         training=False, eps=m.bn.eps)
        return t.relu()

    with torch.no_grad():
        t = F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)
        t = cbr(cbr1, t)
        t = F.interpolate(t, scale_factor=2, mode='bilinear', align_corners=False)
        t = cbr(cbr2, t)
        ref = F.conv2d(t, last.weight, last.bias)
        out = proj(x)
    assert out.shape == ref.shape == (2, 7, 12, 16)
    assert cbr1.conv.kernel_size == cbr2.conv.kernel_size == (3, 3)
    assert cbr1.conv.out_channels == 6 and cbr2.conv.out_channels == 5
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-5)
    assert (out < 0).any()   # the last layer has no activation: embeddings may be negative
