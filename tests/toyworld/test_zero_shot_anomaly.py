"""AUROC on known inputs; anomaly maps and heat maps on the toy MVTec tree."""
import numpy as np
import pytest
import torch

from clipdense.clip import build_clip, build_dense_encoder
from clipdense.toyworld.zero_shot_anomaly import (anomaly_maps, auroc, heatmap_overlay, load_mvtec_test,
                                                  state_embeddings)


def test_auroc_known_values():
    labels = np.array([0, 0, 1, 1])
    assert auroc(np.array([0.1, 0.2, 0.8, 0.9]), labels) == 1.0
    assert auroc(np.array([0.9, 0.8, 0.2, 0.1]), labels) == 0.0
    assert auroc(np.array([0.5, 0.5, 0.5, 0.5]), labels) == 0.5
    # of the four positive-negative pairs three are ordered right and one is tied
    assert auroc(np.array([0.1, 0.6, 0.6, 0.9]), labels) == pytest.approx((3 + 0.5) / 4)
    with pytest.raises(ValueError, match='both normal and anomalous'):
        auroc(np.ones(3), np.zeros(3))


def test_maps_scores_and_overlays_on_the_toy_mvtec(toy_root):
    images, masks, defects = load_mvtec_test(f'{toy_root}/mvtec', 'washer')
    assert images.shape == (13, 128, 128, 3) and masks.shape == (13, 128, 128)
    assert defects.count('good') == 4 and not masks[[d == 'good' for d in defects]].any()
    assert all(m.any() for m, d in zip(masks, defects) if d != 'good')
    torch.manual_seed(0)
    model = build_clip('tiny-ViT')
    enc = build_dense_encoder(model, out_indices=(), dense_mode='value').eval()
    states = state_embeddings(model, ['washer', 'surface'])
    assert states.shape == (2, 64) and torch.allclose(states.norm(dim=-1), torch.ones(2))
    maps, scores = anomaly_maps(enc, images, states, input_size=64, batch_size=5)
    assert maps.shape == (13, 128, 128) and scores.shape == (13,)
    assert np.isfinite(maps).all() and np.isfinite(scores).all() and maps.std() > 0
    # log-odds: 100 * (cos(anomalous) - cos(normal)) lies in [-200, 200]
    assert np.abs(maps).max() <= 200 and np.abs(scores).max() <= 200
    over = heatmap_overlay(images[0], maps[0])
    assert over.shape == images[0].shape and over.dtype == np.uint8
    hot, cold = heatmap_overlay(np.zeros((1, 2, 3), np.uint8), np.array([[1.0, 0.0]]), alpha=1.0)[0]
    assert hot[0] == 255 and hot[2] == 0 and cold[2] == 255 and cold[0] == 0


def test_missing_category_is_a_one_line_error(tmp_path):
    with pytest.raises(FileNotFoundError, match='no test images under .*--parts mvtec'):
        load_mvtec_test(str(tmp_path), 'fabric')
