"""Pixel projector: x4 resolution, CLIP's embedding width."""
import torch

from clipdense.models.affordanceclip import PixelEmbeddingProjector


def test_upsamples_four_times_to_clip_width():
    proj = PixelEmbeddingProjector(in_channels=16, channels=8, out_channels=12).eval()
    out = proj(torch.randn(2, 16, 5, 7))
    assert out.shape == (2, 12, 20, 28)


def test_last_layer_is_a_plain_linear_map_per_pixel():
    proj = PixelEmbeddingProjector(in_channels=4, channels=3, out_channels=5).eval()
    last = proj.layers[-1]
    assert isinstance(last, torch.nn.Conv2d) and last.kernel_size == (1, 1) and last.bias is not None
