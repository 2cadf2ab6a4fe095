"""KLD / SIM / NSS against hand-computed values and an explicit (loop) AGD20K computation."""
import math

import numpy as np
import pytest
import torch

from clipdense.evaluation.affordance_metrics import (AffordanceHeatmapMetric, heatmap_scores, kld,
                                                     nss, prepare_maps, sim)


def _agd20k_reference(pred, gt):
    """The AGD20K evaluation written out pixel by pixel (maps already at the eval size)."""
    eps = 1e-12
    p = [[v / (sum(map(sum, pred)) + eps) for v in row] for row in pred]
    g = [[v / (sum(map(sum, gt)) + eps) for v in row] for row in gt]
    k = sum(g[i][j] * math.log(g[i][j] / (p[i][j] + eps) + eps)
            for i in range(len(p)) for j in range(len(p[0])))
    s = sum(min(p[i][j], g[i][j]) for i in range(len(p)) for j in range(len(p[0])))
    flat = [v for row in pred for v in row]
    mean = sum(flat) / len(flat)
    std = math.sqrt(sum((v - mean) ** 2 for v in flat) / len(flat))
    gmin, gmax = min(v for row in gt for v in row), max(v for row in gt for v in row)
    num = den = 0.0
    for i in range(len(pred)):
        for j in range(len(pred[0])):
            fix = 1.0 if (gt[i][j] - gmin) / (gmax - gmin + eps) > 0.1 else 0.0
            num += (pred[i][j] - mean) / std * fix
            den += fix + eps
    return k, s, num / den


def test_hand_computed_half_overlap():
    pred = np.array([[1.0, 1.0], [0.0, 0.0]])   # P = [.5, .5, 0, 0]
    gt = np.array([[1.0, 0.0], [0.0, 0.0]])     # G = [1, 0, 0, 0]
    assert kld(pred, gt) == pytest.approx(math.log(2.0), abs=1e-9)
    assert sim(pred, gt) == pytest.approx(0.5)
    # z(pred) = [1, 1, -1, -1]; the only fixation is pixel (0, 0)
    assert nss(pred, gt) == pytest.approx(1.0, abs=1e-9)


def test_identical_and_disjoint_maps():
    m = np.array([[0.0, 2.0], [1.0, 1.0]])
    assert kld(m, m) == pytest.approx(0.0, abs=1e-9)
    assert sim(m, m) == pytest.approx(1.0)
    a, b = np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])
    assert sim(a, b) == 0.0
    assert kld(a, b) == pytest.approx(math.log(1e12), rel=1e-6)   # log(1 / eps)
    assert nss(a, b) == pytest.approx(-1.0)                         # z = [1, -1]


def test_nss_of_constant_prediction_is_zero():
    assert nss(np.ones((3, 3)), np.eye(3)) == 0.0


def test_matches_explicit_agd20k_loops_on_random_maps():
    rng = np.random.default_rng(0)
    pred, gt = rng.random((6, 5)), rng.random((6, 5)) ** 3
    ref = _agd20k_reference(pred.tolist(), gt.tolist())
    assert (kld(pred, gt), sim(pred, gt), nss(pred, gt)) == pytest.approx(ref, rel=1e-9)


def test_prepare_maps_resizes_both_and_minmaxes_the_prediction():
    pred = np.linspace(-3.0, 5.0, 12 * 9).reshape(12, 9)
    gt = np.zeros((30, 40))
    gt[5:10, 5:10] = 1.0
    p, g = prepare_maps(pred, gt, size=224)
    assert p.shape == g.shape == (224, 224)
    assert p.min() == pytest.approx(0.0) and p.max() == pytest.approx(1.0, abs=1e-9)
    assert g.max() == pytest.approx(1.0) and g.min() == 0.0
    # min-max normalisation makes the scores invariant to an affine change of the prediction
    a = heatmap_scores(pred, gt)
    b = heatmap_scores(3 * pred + 7, gt)
    assert a == pytest.approx(b)


def _sample(pred, gt, affordance):
    return dict(pred_heatmap=dict(data=torch.as_tensor(pred)[None]),
                gt_heatmap=dict(data=torch.as_tensor(gt)[None]), affordance=affordance)


def test_metric_averages_images_and_reports_per_affordance():
    rng = np.random.default_rng(1)
    maps = [(rng.random((8, 8)), rng.random((10, 12))) for _ in range(3)]
    names = ['hold', 'cut', 'hold']
    metric = AffordanceHeatmapMetric(per_affordance=True)
    metric.process({}, [_sample(p, g, a) for (p, g), a in zip(maps, names)])
    out = metric.compute_metrics(metric.results)
    per = [heatmap_scores(p, g) for p, g in maps]
    for key in ('KLD', 'SIM', 'NSS'):
        assert out[key] == pytest.approx(np.mean([s[key] for s in per]))
        assert out[f'{key}/hold'] == pytest.approx(np.mean([per[0][key], per[2][key]]))
        assert out[f'{key}/cut'] == pytest.approx(per[1][key])


def test_metric_is_registered_and_explains_missing_fields():
    from mmseg.registry import METRICS
    metric = METRICS.build(dict(type='AffordanceHeatmapMetric'))
    with pytest.raises(KeyError, match='gt_heatmap'):
        metric.process({}, [dict(pred_heatmap=dict(data=torch.zeros(1, 4, 4)))])


def test_metric_saves_heat_maps_per_affordance(tmp_path):
    """``output_dir`` (tools/test.py --out): one float32 map per prediction, grouped by affordance,
    so one image under two affordances gives two files."""
    rng = np.random.default_rng(2)
    maps = [(rng.random((8, 8)), rng.random((8, 8))) for _ in range(2)]
    metric = AffordanceHeatmapMetric(output_dir=str(tmp_path))
    samples = [dict(_sample(p, g, a), img_path=f'/data/agd/{a}/knife_001.jpg')
               for (p, g), a in zip(maps, ['cut with', 'hold'])]
    metric.process({}, samples)
    for (pred, _), folder in zip(maps, ['cut_with', 'hold']):
        saved = np.load(tmp_path / folder / 'knife_001.npy')
        assert saved.dtype == np.float32
        np.testing.assert_allclose(saved, pred.astype(np.float32))
