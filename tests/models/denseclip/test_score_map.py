"""Pixel-text score maps are cosine similarities between dense and text embeddings."""
import math

import pytest
import torch
import torch.nn.functional as F

from clipdense.models.denseclip.score_map import pixel_text_score_map


def test_hand_computed_cosines():
    # two pixels: (1, 0) and (3, 3); two classes: (2, 0) and (0, 5)
    dense = torch.tensor([[1., 3.], [0., 3.]]).view(1, 2, 1, 2)       # [B=1, D=2, h=1, w=2]
    text = torch.tensor([[2., 0.], [0., 5.]])                         # [K=2, D=2]
    s = pixel_text_score_map(dense, text)
    r = 1 / math.sqrt(2)
    expected = torch.tensor([[[[1.0, r]], [[0.0, r]]]])               # [1, K, 1, 2]
    torch.testing.assert_close(s, expected)


def test_matches_explicit_cosine_per_pixel_and_class():
    dense = torch.randn(2, 8, 3, 4)
    text = torch.randn(2, 5, 8)
    s = pixel_text_score_map(dense, text)
    assert s.shape == (2, 5, 3, 4)
    explicit = F.cosine_similarity(dense.unsqueeze(1), text[:, :, :, None, None], dim=2)
    torch.testing.assert_close(s, explicit, rtol=1e-5, atol=1e-6)


def test_shared_text_equals_broadcast_and_is_scale_invariant():
    dense = torch.randn(3, 4, 2, 2)
    text = torch.randn(6, 4)
    shared = pixel_text_score_map(dense, text)
    torch.testing.assert_close(shared, pixel_text_score_map(dense, text.expand(3, -1, -1)))
    torch.testing.assert_close(shared, pixel_text_score_map(7 * dense, 0.1 * text))


def test_dimension_mismatch_is_a_one_line_error():
    with pytest.raises(ValueError, match='one CLIP model'):
        pixel_text_score_map(torch.randn(1, 4, 2, 2), torch.randn(3, 5))
