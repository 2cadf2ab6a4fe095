"""AnoVL speed on CPU: images/s at the paper's 240 px for ViT-B/16 and ViT-L/14 (random weights),
and the metric computation time on an MVTec-AD-sized set of anomaly maps.

    python tools/benchmarks/bench_anovl.py                      # everything
    python tools/benchmarks/bench_anovl.py --archs ViT-B-16 --images 2
    python tools/benchmarks/bench_anovl.py --skip-models        # metrics only

Per architecture it reports: the one-off encoding of the 2 x 462 state prompts of an object
(cached afterwards), TFA with the single-view image score, TFA with the 22-view image score
(official MVTec AD setting), and TFA + TTA (5 adapter steps per image, official setting).
"""
import argparse
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from clipdense.evaluation.anomaly_metrics import evaluate_by_category  # noqa: E402
from clipdense.models.anovl.api import DEFAULT_CONFIG, AnomalyLocalizer  # noqa: E402


def _timed(fn, repeats):
    fn()  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def bench_model(arch, size, n_images, score_layers):
    opts = {'model.localizer.arch': arch, 'model.localizer.score_layers': score_layers,
            'model.localizer.image_views': 'single', 'img_scale': (size, size)}
    ad = AnomalyLocalizer(DEFAULT_CONFIG, cfg_options=opts)
    seg = ad.model
    x = torch.randn(n_images, 3, size, size)
    t0 = time.perf_counter()
    seg.localizer.prompts.embed('metal nut')
    prompt_s = time.perf_counter() - t0
    names = ['metal nut']
    rows = {'prompt encoding (once per object) s': prompt_s}
    with torch.no_grad():
        tfa = _timed(lambda: [seg.localize(x[i:i + 1], names, tta=False) for i in range(n_images)], 1)
        rows['TFA, 1-view image score (img/s)'] = n_images / tfa
        seg.localizer.image_views = 'augment'
        aug = _timed(lambda: [seg.localize(x[i:i + 1], names, tta=False) for i in range(n_images)], 1)
        rows['TFA, 22-view image score (img/s)'] = n_images / aug
        seg.localizer.image_views = 'single'
    tta = _timed(lambda: [seg.localize(x[i:i + 1], names, tta=True) for i in range(n_images)], 1)
    rows['TFA + TTA (5 steps), 1-view (img/s)'] = n_images / tta
    return rows


def synthetic_mvtec_maps(n_maps, size, n_categories, seed=0):
    """Maps/masks shaped like MVTec AD's test set: ~70 % defective images with 1-3 blobs."""
    rng = np.random.default_rng(seed)
    maps = rng.random((n_maps, size, size), dtype=np.float32)
    masks = np.zeros((n_maps, size, size), bool)
    yy, xx = np.mgrid[:size, :size]
    labels = rng.random(n_maps) < 0.7
    for i in np.flatnonzero(labels):
        for _ in range(rng.integers(1, 4)):
            cy, cx, r = rng.integers(20, size - 20), rng.integers(20, size - 20), rng.integers(4, 20)
            masks[i] |= (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
    maps[masks] += 0.5
    scores = maps.reshape(n_maps, -1).max(1)
    cats = [f'cat{i % n_categories:02d}' for i in range(n_maps)]
    return cats, maps, masks, scores, labels.astype(int)


def bench_metrics(n_maps, size):
    cats, maps, masks, scores, labels = synthetic_mvtec_maps(n_maps, size, 15)
    start = time.perf_counter()
    res = evaluate_by_category(cats, maps, masks, scores, labels)
    return time.perf_counter() - start, res['mean']


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--archs', nargs='+', default=['ViT-B-16', 'ViT-L-14'])
    p.add_argument('--size', type=int, default=240)
    p.add_argument('--images', type=int, default=2)
    p.add_argument('--metric-maps', type=int, default=1725)
    p.add_argument('--metric-size', type=int, default=256)
    p.add_argument('--skip-models', action='store_true')
    p.add_argument('--threads', type=int, default=2)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    layers = {'ViT-B-16': (3, 6, 9, 12), 'ViT-L-14': (6, 12, 18, 24)}
    print(f'CPU, {torch.get_num_threads()} threads, torch {torch.__version__}, {args.size} px, '
          f'{args.images} images, random CLIP weights')
    if not args.skip_models:
        for arch in args.archs:
            rows = bench_model(arch, args.size, args.images, layers.get(arch, (12,)))
            for k, v in rows.items():
                print(f'{arch:10s} {k:40s} {v:8.3f}')
    secs, mean = bench_metrics(args.metric_maps, args.metric_size)
    print(f'metrics on {args.metric_maps} maps of {args.metric_size}x{args.metric_size} (15 categories, '
          f'all five metrics incl. AUPRO): {secs:.2f} s  (mean pixel AUROC {100 * mean["pixel_AUROC"]:.1f}, '
          f'AUPRO {100 * mean["AUPRO"]:.1f})')


if __name__ == '__main__':
    main()
