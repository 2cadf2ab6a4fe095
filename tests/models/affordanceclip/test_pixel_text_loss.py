"""Text-to-pixel contrastive loss against its explicit definition."""
import math

import pytest
import torch

from clipdense.models.affordanceclip import PixelTextContrastiveLoss


def test_equals_explicit_sum_over_positive_and_negative_pixels():
    logits = torch.tensor([[[2.0, -1.0], [0.5, 0.0]]])
    mask = torch.tensor([[[1, 0], [255, 1]]])
    sig = lambda s: 1 / (1 + math.exp(-s))  # noqa: E731
    # valid pixels: (0,0) positive, (0,1) negative, (1,1) positive; (1,0) is ignored
    expected = -(math.log(sig(2.0)) + math.log(1 - sig(-1.0)) + math.log(sig(0.0))) / 3
    assert PixelTextContrastiveLoss()(logits, mask).item() == pytest.approx(expected, rel=1e-6)
    assert PixelTextContrastiveLoss(loss_weight=2.0)(logits, mask).item() == pytest.approx(
        2 * expected, rel=1e-6)


def test_mask_is_resized_nearest_to_the_logit_map():
    logits = torch.zeros(1, 2, 2, requires_grad=True)
    mask = torch.zeros(1, 4, 4, dtype=torch.long)
    mask[:, :2, :2] = 1                                  # top-left quarter -> logit pixel (0, 0)
    loss = PixelTextContrastiveLoss()(logits, mask)
    loss.backward()
    # d/ds BCE = (sigmoid(s) - y) / N  -> -0.5/4 at the positive pixel, +0.5/4 elsewhere
    expected = torch.full((1, 2, 2), 0.125)
    expected[0, 0, 0] = -0.125
    assert torch.allclose(logits.grad, expected)


def test_all_ignored_gives_zero_with_a_graph_and_names_must_start_with_loss():
    logits = torch.randn(1, 3, 3, requires_grad=True)
    loss = PixelTextContrastiveLoss()(logits, torch.full((1, 3, 3), 255))
    assert loss.item() == 0.0 and loss.requires_grad
    with pytest.raises(ValueError, match='loss_'):
        PixelTextContrastiveLoss(loss_name='ptc')
