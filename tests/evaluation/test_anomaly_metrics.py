"""Anomaly metrics against brute force: pair counts, threshold sweeps, per-region PRO."""
import numpy as np
import pytest
import torch
from scipy import ndimage

from clipdense.evaluation.anomaly_metrics import (AnomalyMetric, anomaly_metrics, aupro, auroc,
                                                  evaluate_by_category, f1_max, integrate_pro, pro_curve)


def brute_auroc(s, y):
    pos, neg = s[y], s[~y]
    d = pos[:, None] - neg[None, :]
    return ((d > 0) + 0.5 * (d == 0)).mean()


def brute_f1max(s, y):
    best = 0.0
    for t in np.unique(s):
        pred = s >= t
        tp, fp, fn = (pred & y).sum(), (pred & ~y).sum(), (~pred & y).sum()
        best = max(best, 2 * tp / (2 * tp + fp + fn))
    return best


def direct_pro_fpr(maps, masks, t):
    """PRO as the mean over every region of its covered fraction; FPR over normal pixels."""
    overlaps = []
    for amap, mask in zip(maps, masks):
        lab, n = ndimage.label(mask, structure=np.ones((3, 3)))
        overlaps += [(amap[lab == r] >= t).mean() for r in range(1, n + 1)]
    fpr = ((maps >= t) & ~masks).sum() / (~masks).sum()
    return np.mean(overlaps), fpr


def direct_aupro(maps, masks, max_fpr=0.3):
    pts = [(0.0, 0.0)] + [direct_pro_fpr(maps, masks, t)[::-1] for t in np.unique(maps)[::-1]]
    area = 0.0
    for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:]):
        if x0 >= max_fpr:
            break
        if x1 > max_fpr:
            y1, x1 = y0 + (y1 - y0) * (max_fpr - x0) / (x1 - x0), max_fpr
        area += (x1 - x0) * (y0 + y1) / 2
    return area / max_fpr


def random_set(rng, n=3, size=12, levels=None):
    masks = np.zeros((n, size, size), bool)
    masks[0, 2:5, 2:6] = True
    masks[0, 8:10, 8:11] = True  # two regions in one image
    masks[1, 5:9, 1:3] = True
    maps = rng.random((n, size, size)) + 0.6 * masks
    if levels:
        maps = np.round(maps * levels) / levels  # many ties
    return maps, masks


def test_auroc_hand_case_and_single_class():
    assert auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    assert np.isnan(auroc([0.1, 0.2], [0, 0]))


@pytest.mark.parametrize('levels', [None, 4])
def test_auroc_and_f1_match_brute_force(levels):
    rng = np.random.default_rng(1)
    s = rng.random(300)
    if levels:
        s = np.round(s * levels) / levels
    y = rng.random(300) < 0.3 + 0.4 * s
    assert auroc(s, y) == pytest.approx(brute_auroc(s, y), abs=1e-12)
    assert f1_max(s, y) == pytest.approx(brute_f1max(s, y), abs=1e-12)


def test_pro_curve_hand_case():
    # one 1x5 image: region A = pixels 0-1, region B = pixel 4 (2 normal pixels)
    maps = np.array([[[0.9, 0.2, 0.1, 0.5, 0.8]]])
    masks = np.array([[[1, 1, 0, 0, 1]]], bool)
    fpr, pro, th = pro_curve(maps, masks)
    np.testing.assert_allclose(th, [0.9, 0.8, 0.5, 0.2, 0.1])
    np.testing.assert_allclose(pro, [0.25, 0.75, 0.75, 1.0, 1.0])
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 0.5, 1.0])


@pytest.mark.parametrize('levels', [None, 5])
def test_pro_curve_matches_direct_per_region_computation(levels):
    maps, masks = random_set(np.random.default_rng(2), levels=levels)
    fpr, pro, th = pro_curve(maps, masks)
    for k in range(0, len(th), max(1, len(th) // 15)):
        p, f = direct_pro_fpr(maps, masks, th[k])
        assert pro[k] == pytest.approx(p, abs=1e-12) and fpr[k] == pytest.approx(f, abs=1e-12)


@pytest.mark.parametrize('levels', [None, 5])
def test_aupro_matches_direct_integration(levels):
    maps, masks = random_set(np.random.default_rng(3), levels=levels)
    assert aupro(maps, masks) == pytest.approx(direct_aupro(maps, masks), abs=1e-10)
    assert aupro(maps, masks, max_fpr=0.05) == pytest.approx(direct_aupro(maps, masks, 0.05), abs=1e-10)


def test_aupro_limits():
    maps, masks = random_set(np.random.default_rng(4))
    assert aupro(masks.astype(float), masks) == pytest.approx(1.0)   # perfect map
    assert np.isnan(aupro(maps, np.zeros_like(masks)))               # no anomalous region
    # constant map: every pixel flips at once at FPR 1, so the area below 0.3 is the ramp's
    assert integrate_pro(np.array([1.0]), np.array([1.0])) == pytest.approx(0.15)


def test_anomaly_metrics_bundle():
    rng = np.random.default_rng(5)
    maps, masks = random_set(rng)
    scores, labels = maps.reshape(3, -1).max(1), masks.reshape(3, -1).any(1)
    out = anomaly_metrics(maps, masks, scores, labels)
    assert out['pixel_AUROC'] == pytest.approx(brute_auroc(maps.ravel(), masks.ravel()))
    assert out['pixel_F1max'] == pytest.approx(brute_f1max(maps.ravel(), masks.ravel()))
    assert out['AUPRO'] == pytest.approx(direct_aupro(maps, masks))
    assert out['image_AUROC'] == pytest.approx(brute_auroc(scores, labels))
    with pytest.raises(ValueError, match='must both be'):
        anomaly_metrics(maps, masks[:, :5], scores, labels)


def _sample(amap, mask, cat, label):
    return {'seg_logits': {'data': torch.from_numpy(amap)[None].float()},
            'gt_sem_seg': {'data': torch.from_numpy(mask)[None].long()},
            'pred_score': torch.tensor([float(amap.max())]), 'category': cat, 'anomaly_label': label}


def test_evaluator_per_category_and_mean():
    rng = np.random.default_rng(6)
    maps_a, masks_a = random_set(rng)
    maps_b, masks_b = random_set(rng)
    metric = AnomalyMetric()
    cats = ['a'] * 3 + ['b'] * 3
    all_maps, all_masks = np.concatenate([maps_a, maps_b]), np.concatenate([masks_a, masks_b])
    labels = [int(m.any()) for m in all_masks]
    metric.process({}, [_sample(m, k, c, y) for m, k, c, y in zip(all_maps, all_masks, cats, labels)])
    res = metric.compute_metrics(metric.results)
    ref_a = anomaly_metrics(maps_a, masks_a, maps_a.reshape(3, -1).max(1), labels[:3])
    assert res['a/pixel_AUROC'] == pytest.approx(100 * ref_a['pixel_AUROC'])
    assert res['a/AUPRO'] == pytest.approx(100 * ref_a['AUPRO'])
    assert res['AUPRO'] == pytest.approx((res['a/AUPRO'] + res['b/AUPRO']) / 2)
    per = evaluate_by_category(cats, list(all_maps), list(all_masks), all_maps.reshape(6, -1).max(1), labels)
    assert set(per) == {'a', 'b', 'mean'}
