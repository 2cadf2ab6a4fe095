"""Open-vocabulary segmentation helper and overlays."""
import numpy as np
import pytest
import torch
from PIL import Image

from clipdense.clip import build_clip
from clipdense.toyworld.zero_shot_segmentation import (DISPLAY_PALETTE, colour_overlay, save_panel,
                                                       segment_with_class_names)


def test_segment_returns_one_of_the_names_per_pixel():
    torch.manual_seed(0)
    model = build_clip('tiny-ViT')
    image = np.random.default_rng(0).integers(0, 255, (64, 48, 3), dtype=np.uint8)
    pred = segment_with_class_names(model, image, ['red', 'blue', 'background'], scale=2)
    assert pred.shape == (64, 48) and set(np.unique(pred)) <= {0, 1, 2}
    with pytest.raises(ValueError, match='repeats'):
        segment_with_class_names(model, image, ['red', 'red'])


def test_overlay_and_panel(tmp_path):
    image = np.full((2, 2, 3), 100, np.uint8)
    label = np.array([[0, 1], [255, 1]])
    out = colour_overlay(image, label, alpha=1.0)
    assert (out[0, 0] == DISPLAY_PALETTE[0]).all() and (out[0, 1] == DISPLAY_PALETTE[1]).all()
    assert (out[1, 0] == 100).all()  # ignored pixels stay as they are
    save_panel(str(tmp_path / 'p.png'), [image, label.astype(np.uint8)], upscale=3)
    assert Image.open(tmp_path / 'p.png').size == (12, 6)
