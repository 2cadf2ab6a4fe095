"""Anomaly detection / localization metrics and their MMEngine evaluator.

Metrics (all in [0, 1] from the functions, in percent from :class:`AnomalyMetric`):

* ``pixel_AUROC`` / ``image_AUROC``: area under the ROC curve; ties count one half, so it
  equals the Mann-Whitney pair count ``P(s_pos > s_neg) + 0.5 P(s_pos == s_neg)``.
* ``pixel_F1max`` / ``image_F1max``: the best F1 over all thresholds ``s >= t``.
* ``AUPRO``: per-region overlap (Bergmann et al., MVTec AD). At a threshold, PRO is the mean over
  every connected ground-truth region (8-connectivity, all images pooled) of the fraction of
  its pixels predicted anomalous; it is integrated over the false-positive rate of the normal
  pixels from 0 to ``max_fpr`` (0.3, the value at 0.3 linearly interpolated) and divided by
  ``max_fpr``.

Everything comes from one ascending sort of all scores (its runs of equal values are the
thresholds) and an argsort of the anomalous pixels only: at a threshold ``t`` the true positives
are found by binary search in the sorted anomalous scores, and PRO is the cumulative sum of their
weights ``1 / (area(region) * n_regions)``. No loop runs over thresholds or images (the regions
of all masks are labelled in one 3-D call whose structuring element does not connect images).
"""
from collections import defaultdict
from typing import Dict, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmseg.registry import METRICS
from prettytable import PrettyTable
from scipy import ndimage

from .saved_maps import save_float_map

METRIC_NAMES = ('pixel_AUROC', 'AUPRO', 'pixel_F1max', 'image_AUROC', 'image_F1max')


def _as_scores(x) -> np.ndarray:
    x = np.asarray(x).ravel()
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def threshold_counts(scores, labels, weights=None):
    """Counts at every distinct score ``t``, in descending order of ``t``.

    Args:
        scores: [N] floats. labels: [N] bool. weights: optional [N] floats (only the weights of
            positive samples are used).
    Returns:
        ``(thresholds, tp, fp, wsum)``: #positives with score >= t, #negatives with score >= t,
        and the summed weight of those positives (``None`` without weights).
    """
    scores, labels = _as_scores(scores), np.asarray(labels).ravel().astype(bool)
    s = np.sort(scores)
    starts = np.concatenate([[0], np.flatnonzero(s[1:] != s[:-1]) + 1])[::-1]
    thresholds = s[starts]
    pos = scores[labels]
    order = np.argsort(pos, kind='stable')
    first = np.searchsorted(pos[order], thresholds, side='left')  # positives below t
    tp = pos.size - first
    fp = (scores.size - starts) - tp
    wsum = None
    if weights is not None:
        cw = np.concatenate([[0.0], np.cumsum(np.asarray(weights, np.float64).ravel()[labels][order])])
        wsum = cw[-1] - cw[first]
    return thresholds, tp, fp, wsum


def _auroc_from_counts(tp: np.ndarray, fp: np.ndarray) -> float:
    if tp[-1] == 0 or fp[-1] == 0:
        return float('nan')
    tpr = np.concatenate([[0.0], tp / tp[-1]])
    fpr = np.concatenate([[0.0], fp / fp[-1]])
    return float(np.trapezoid(tpr, fpr))


def _f1max_from_counts(tp: np.ndarray, fp: np.ndarray) -> float:
    if tp[-1] == 0:
        return float('nan')
    # F1 = 2 P R / (P + R) = 2 TP / (TP + FP + #positives)
    return float((2.0 * tp / (tp + fp + tp[-1])).max())


def auroc(scores, labels) -> float:
    """ROC AUC of ``scores`` [N] for binary ``labels`` [N] (NaN if one class is absent)."""
    _, tp, fp, _ = threshold_counts(scores, labels)
    return _auroc_from_counts(tp, fp)


def f1_max(scores, labels) -> float:
    """Maximum F1 over thresholds ``scores >= t`` (NaN without positives)."""
    _, tp, fp, _ = threshold_counts(scores, labels)
    return _f1max_from_counts(tp, fp)


def label_regions(masks: np.ndarray):
    """Connected regions of ``masks`` [N, H, W] (8-connectivity inside each image).

    Returns ``(regions [N, H, W] int, n_regions)`` with ids unique over all images.
    """
    structure = np.zeros((3, 3, 3), dtype=bool)
    structure[1] = True  # connect neighbours within an image, never across images
    return ndimage.label(masks, structure=structure)


def pro_weights(masks: np.ndarray):
    """Per-pixel PRO weight ``1 / (area(region) * n_regions)`` ([N, H, W], 0 off regions) and
    the number of regions."""
    regions, n_regions = label_regions(masks)
    if n_regions == 0:
        return np.zeros(masks.shape), 0
    areas = np.bincount(regions.ravel(), minlength=n_regions + 1).astype(np.float64)
    inv = np.concatenate([[0.0], 1.0 / (areas[1:] * n_regions)])
    return inv[regions], n_regions


def pro_curve(maps: np.ndarray, masks: np.ndarray):
    """FPR and PRO at every distinct threshold (descending).

    Args:
        maps: [N, H, W] anomaly scores. masks: [N, H, W] bool ground truth.
    Returns:
        ``(fpr, pro, thresholds)``, each [T]; ``None`` without anomalous region or normal pixel.
    """
    masks = np.asarray(masks, bool)
    weights, n_regions = pro_weights(masks)
    if n_regions == 0 or masks.all():
        return None
    thresholds, _, fp, pro = threshold_counts(maps, masks, weights)
    return fp / int((~masks).sum()), pro, thresholds


def integrate_pro(fpr: np.ndarray, pro: np.ndarray, max_fpr: float = 0.3) -> float:
    """Area under PRO(FPR) on [0, max_fpr] divided by ``max_fpr`` (curve starts at (0, 0))."""
    fpr = np.concatenate([[0.0], fpr])
    pro = np.concatenate([[0.0], pro])
    k = int(np.searchsorted(fpr, max_fpr, side='right'))  # fpr is non-decreasing
    x, y = fpr[:k], pro[:k]
    if k < fpr.size and x[-1] < max_fpr:
        w = (max_fpr - fpr[k - 1]) / (fpr[k] - fpr[k - 1])
        x = np.append(x, max_fpr)
        y = np.append(y, pro[k - 1] + w * (pro[k] - pro[k - 1]))
    return float(np.trapezoid(y, x) / max_fpr)


def aupro(maps, masks, max_fpr: float = 0.3) -> float:
    """Normalised area under the PRO curve up to ``max_fpr`` (NaN without anomalous regions)."""
    curve = pro_curve(maps, masks)
    return float('nan') if curve is None else integrate_pro(curve[0], curve[1], max_fpr)


def anomaly_metrics(maps, masks, scores, labels, max_fpr: float = 0.3) -> Dict[str, float]:
    """All five metrics of one set: ``maps`` [N, H, W], ``masks`` [N, H, W], ``scores``/``labels`` [N].

    The pixel metrics share one pass of :func:`threshold_counts` over the ``N * H * W`` scores.
    """
    maps = np.asarray(maps)
    masks = np.asarray(masks, bool)
    if maps.shape != masks.shape or maps.ndim != 3:
        raise ValueError(f'anomaly maps {maps.shape} and masks {masks.shape} must both be [N, H, W]; '
                         'resize the masks to the map size first')
    weights, n_regions = pro_weights(masks)
    _, tp, fp, pro = threshold_counts(maps, masks, weights)
    has_pro = n_regions > 0 and fp[-1] > 0
    return {
        'pixel_AUROC': _auroc_from_counts(tp, fp),
        'AUPRO': integrate_pro(fp / fp[-1], pro, max_fpr) if has_pro else float('nan'),
        'pixel_F1max': _f1max_from_counts(tp, fp),
        'image_AUROC': auroc(scores, labels),
        'image_F1max': f1_max(scores, labels),
    }


def metrics_table(per_category: Dict[str, Dict[str, float]]) -> PrettyTable:
    """Per-category rows plus their mean, in percent."""
    table = PrettyTable()
    table.field_names = ['category', *METRIC_NAMES]
    for cat, row in per_category.items():
        table.add_row([cat, *[f'{100 * row[m]:.1f}' for m in METRIC_NAMES]])
    return table


def evaluate_by_category(categories: Sequence[str], maps, masks, scores, labels,
                         max_fpr: float = 0.3) -> Dict[str, Dict[str, float]]:
    """Metrics per category and their mean (key ``'mean'``; NaNs are left out of the mean)."""
    groups = defaultdict(list)
    for i, cat in enumerate(categories):
        groups[cat].append(i)
    out = {}
    for cat in sorted(groups):
        idx = groups[cat]
        out[cat] = anomaly_metrics(np.stack([maps[i] for i in idx]), np.stack([masks[i] for i in idx]),
                                   np.asarray(scores)[idx], np.asarray(labels)[idx], max_fpr)
    out['mean'] = {m: _nanmean([out[c][m] for c in groups]) for m in METRIC_NAMES}
    return out


def _nanmean(values) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float('nan')


@METRICS.register_module()
class AnomalyMetric(BaseMetric):
    """Pixel AUROC, AUPRO, pixel F1-max, image AUROC and image F1-max, per category and averaged.

    Reads from each data sample: ``seg_logits`` (the anomaly map [1, H, W]), ``gt_sem_seg``
    (mask, anomalous > 0, same size as the map), ``pred_score`` (image score) and the meta keys
    ``category`` and ``anomaly_label`` (the image label; derived from the mask when absent).

    Args:
        max_fpr: FPR limit of AUPRO (0.3 in the MVTec AD protocol).
        output_dir: also save every anomaly map (float32 ``[H, W]``) as
            ``<output_dir>/<category>/<defect type>/<image stem>.npy`` (``tools/test.py --out``).
    """

    default_prefix = ''  # metric names stay unprefixed: pixel_AUROC, AUPRO, bottle/AUPRO, ...

    def __init__(self, max_fpr: float = 0.3, output_dir: Optional[str] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.max_fpr = max_fpr
        self.output_dir = output_dir

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for ds in data_samples:
            amap = ds['seg_logits']['data'][0].float().cpu().numpy()
            if 'gt_sem_seg' not in ds:
                raise KeyError('AnomalyMetric needs ground-truth masks: load them with LoadAnomalyMask '
                               'in the test pipeline')
            mask = ds['gt_sem_seg']['data'][0].cpu().numpy() > 0
            if mask.shape != amap.shape:
                raise ValueError(f'anomaly map {amap.shape} and mask {mask.shape} differ in size; load '
                                 'the mask before Resize in the test pipeline')
            label = int(ds.get('anomaly_label', int(mask.any())))
            score = float(np.asarray(ds['pred_score'].cpu() if hasattr(ds['pred_score'], 'cpu')
                                     else ds['pred_score']).reshape(-1)[0])
            if self.output_dir:
                save_float_map(self.output_dir, (ds.get('category'), ds.get('defect_type')),
                               ds.get('img_path'), amap)
            self.results.append((ds.get('category', 'all'), amap, mask, score, label))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        cats, maps, masks, scores, labels = zip(*results)
        per_cat = evaluate_by_category(cats, maps, masks, scores, labels, self.max_fpr)
        print_log('\n' + metrics_table(per_cat).get_string(), logger='current')
        out = {m: 100 * per_cat['mean'][m] for m in METRIC_NAMES}
        if len(per_cat) > 2:  # more than one category besides 'mean'
            for cat, row in per_cat.items():
                if cat != 'mean':
                    out.update({f'{cat}/{m}': 100 * row[m] for m in METRIC_NAMES})
        return out
