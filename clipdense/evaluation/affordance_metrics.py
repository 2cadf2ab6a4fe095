"""KLD, SIM and NSS of affordance heat maps, computed as the AGD20K papers compute them.

Protocol of the AGD20K evaluation code (Cross-View-AG, CVPR 2022; LOCATE, CVPR 2023), which
every AGD20K number in the literature (AffordanceCLIP's included) is measured with:

1. the predicted map and the ground-truth heat map (PNG / 255) are resized to 224 x 224
   (``cv2.resize``, bilinear);
2. the prediction is min-max normalised: ``(p - min) / (max - min + 1e-10)``;
3. with ``eps = 1e-12`` and both maps turned into distributions ``P = p / (sum p + eps)``,
   ``G = g / (sum g + eps)``:

   * ``KLD = sum G * log(G / (P + eps) + eps)``                      (lower is better)
   * ``SIM = sum min(P, G)``                                         (higher is better)
   * ``NSS = sum(z(p) * F) / sum(F + 1e-12)`` with ``z(p) = (p - mean p) / std p`` and the
     fixation map ``F = [minmax(g) > 0.1]``                           (higher is better)

4. each metric is averaged over the test images.

The one deviation: a constant prediction (``std p = 0``) gets ``NSS = 0`` instead of NaN.
"""
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
from mmengine.evaluator import BaseMetric
from mmseg.registry import METRICS

from .saved_maps import save_float_map

EPS = 1e-12
EVAL_SIZE = 224


def kld(pred: np.ndarray, gt: np.ndarray, eps: float = EPS) -> float:
    """KL divergence of the normalised prediction from the normalised GT, maps ``[H, W]``."""
    p, g = pred / (pred.sum() + eps), gt / (gt.sum() + eps)
    return float(np.sum(g * np.log(g / (p + eps) + eps)))


def sim(pred: np.ndarray, gt: np.ndarray, eps: float = EPS) -> float:
    """Histogram intersection of the two maps as distributions, ``[H, W]`` each."""
    p, g = pred / (pred.sum() + eps), gt / (gt.sum() + eps)
    return float(np.minimum(p, g).sum())


def nss(pred: np.ndarray, gt: np.ndarray, threshold: float = 0.1) -> float:
    """Mean z-scored prediction over the GT fixations (min-max GT above ``threshold``)."""
    std = pred.std()
    if std == 0:
        return 0.0
    z = (pred - pred.mean()) / std
    fix = (gt - gt.min()) / (gt.max() - gt.min() + EPS) > threshold
    return float((z * fix).sum() / np.sum(fix + EPS))


def prepare_maps(pred: np.ndarray, gt: np.ndarray, size: int = EVAL_SIZE):
    """Resize a prediction and a GT heat map in [0, 1] to ``size`` and min-max the prediction.

    Args:
        pred: ``[H, W]`` any real-valued map (probabilities, logits, CAM).
        gt: ``[H', W']`` GT heat map already scaled to [0, 1] (PNG value / 255).
    Returns:
        ``(pred, gt)`` float64 ``[size, size]``.
    """
    pred = cv2.resize(np.asarray(pred, np.float64), (size, size))
    gt = cv2.resize(np.asarray(gt, np.float64), (size, size))
    pred = (pred - pred.min()) / (pred.max() - pred.min() + 1e-10)
    return pred, gt


def heatmap_scores(pred: np.ndarray, gt: np.ndarray, size: int = EVAL_SIZE) -> Dict[str, float]:
    """KLD, SIM and NSS of one image under the AGD20K protocol (see the module docstring)."""
    pred, gt = prepare_maps(pred, gt, size)
    return dict(KLD=kld(pred, gt), SIM=sim(pred, gt), NSS=nss(pred, gt))


def _as_map(field) -> Optional[np.ndarray]:
    """``PixelData``-as-dict ``{'data': [1, H, W]}`` or a tensor/array -> ``[H, W]`` numpy."""
    if field is None:
        return None
    data = field['data'] if isinstance(field, dict) else field
    data = data.detach().cpu().numpy() if hasattr(data, 'detach') else np.asarray(data)
    return data.reshape(data.shape[-2:]).astype(np.float64)


@METRICS.register_module()
class AffordanceHeatmapMetric(BaseMetric):
    """AGD20K's KLD / SIM / NSS over predicted affordance heat maps (registered evaluator).

    Each data sample must carry ``gt_heatmap`` (``[1, H, W]`` in [0, 1], see
    :class:`clipdense.datasets.agd20k.PackAffordanceInputs`) and a prediction in
    ``pred_heatmap`` (or, failing that, ``seg_logits`` with one channel).

    Args:
        eval_size: side both maps are resized to (224 in the AGD20K protocol).
        per_affordance: also report the mean of each metric per affordance (metainfo
            ``affordance``), as ``KLD/<affordance>`` etc.
        output_dir: also save every predicted heat map (float32, prediction size) as
            ``<output_dir>/<affordance>/<image stem>.npy`` (``tools/test.py --out``).
    """

    default_prefix = ''

    def __init__(self, eval_size: int = EVAL_SIZE, per_affordance: bool = False,
                 output_dir: Optional[str] = None, collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.eval_size = eval_size
        self.per_affordance = per_affordance
        self.output_dir = output_dir

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            gt = _as_map(sample.get('gt_heatmap'))
            pred = _as_map(sample.get('pred_heatmap', sample.get('seg_logits')))
            if gt is None or pred is None:
                raise KeyError('AffordanceHeatmapMetric needs gt_heatmap and pred_heatmap in each '
                               'data sample; pack inputs with PackAffordanceInputs and predict with '
                               'an affordance model')
            scores = heatmap_scores(pred, gt, self.eval_size)
            scores['affordance'] = sample.get('affordance', sample.get('text', ''))
            if self.output_dir:
                save_float_map(self.output_dir, (scores['affordance'],), sample.get('img_path'), pred)
            self.results.append(scores)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        names = ('KLD', 'SIM', 'NSS')
        out = {k: float(np.mean([r[k] for r in results])) for k in names}
        if self.per_affordance:
            for aff in sorted({r['affordance'] for r in results}):
                rows = [r for r in results if r['affordance'] == aff]
                out.update({f'{k}/{aff}': float(np.mean([r[k] for r in rows])) for k in names})
        return out
