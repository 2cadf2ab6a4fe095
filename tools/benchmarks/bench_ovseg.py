"""Benchmark OVSeg's proposal classification: batched vs a naive loop of one CLIP forward per mask.

    python tools/benchmarks/bench_ovseg.py [--arch ViT-B-16] [--proposals 100] [--classes 150]
                                           [--size 512 683] [--repeats 3] [--threads N]

Setting of the paper: CLIP ViT-B/16 on 224 x 224 masked crops, 100 proposals per image, the 150
ADE20K class names (14 ViLD templates, encoded once and cached, as both paths share), an ADE
image at short side 512. Weights are random (latency does not depend on them). Reports the
median per-image latency of both paths, their ratio and that the logits agree.

    python tools/benchmarks/bench_ovseg.py --toy [--toy-limit N] [--seeds 0 1 2] [--lambdas 0.7 1.0 0]

runs the toy-world comparison instead (``clipdense.models.ovseg.toy``): zero-shot IoU of the
held-out colours with plain CLIP crops vs mask-adapted CLIPs, for each training seed and ensemble
lambda (trains on first use, cached in ``work_dirs/ovseg_toy/seed<S>``); ~4 min per seed.
"""
import argparse
import os.path as osp
import statistics
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402


def random_proposals(num: int, height: int, width: int, seed: int = 0) -> torch.Tensor:
    """``[1, num, H, W]`` soft masks of random blobs of varied size (like MaskFormer proposals)."""
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.arange(height).float(), torch.arange(width).float(), indexing='ij')
    cy = torch.rand(num, 1, 1, generator=g) * height
    cx = torch.rand(num, 1, 1, generator=g) * width
    r = (0.05 + 0.35 * torch.rand(num, 1, 1, generator=g)) * min(height, width)
    d = ((yy - cy) ** 2 + (xx - cx) ** 2).sqrt()
    return torch.sigmoid((r - d) / 4.0)[None]


def naive_per_mask(clip, images, probs, names):
    """The reference way: crop and encode one proposal at a time."""
    text = clip.text_embeddings(names)
    norm = clip.normalize(images)
    flat = probs.flatten(0, 1)
    out = probs.new_zeros(flat.shape[0], len(names))
    for i in range(flat.shape[0]):
        if not (flat[i] > clip.mask_threshold).any():
            continue
        idx = torch.tensor([i])
        out[i] = clip.region_logits(clip.encode_masked(norm, flat, idx, idx * 0), text)[0]
    return out.view(*probs.shape[:2], -1)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--arch', default='ViT-B-16')
    p.add_argument('--proposals', type=int, default=100)
    p.add_argument('--classes', type=int, default=150)
    p.add_argument('--size', type=int, nargs=2, default=(512, 683), help='image H W')
    p.add_argument('--repeats', type=int, default=2)
    p.add_argument('--threads', type=int, default=None)
    p.add_argument('--mask-prompt-depth', default=3, help='0, shallow, deep or an int (3 as released)')
    p.add_argument('--chunks', type=int, nargs='+', default=[100, 16],
                   help='crops per ViT pass to time for the batched path (memory-bound on CPU)')
    p.add_argument('--templates', default='vild', help="'vild' (14, as released) or 'single' (faster set-up)")
    p.add_argument('--toy', action='store_true', help='run the toy-world zero-shot comparison instead')
    p.add_argument('--toy-limit', type=int, default=None, help='evaluate on the first N toy val scenes')
    p.add_argument('--seeds', type=int, nargs='+', default=[0], help='toy: training seeds')
    p.add_argument('--lambdas', type=float, nargs='+', default=[0.7], help='toy: ensemble lambdas')
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.toy:
        return toy(args.toy_limit, args.seeds, args.lambdas)
    import clipdense  # noqa: F401
    from clipdense.models.ovseg import MaskAdaptedCLIP, read_class_file
    from clipdense.models.ovseg.class_lists import CLASS_LIST_DIR

    depth = args.mask_prompt_depth
    depth = int(depth) if str(depth).isdigit() else depth
    clip = MaskAdaptedCLIP(arch=args.arch, checkpoint=None, mask_prompt_depth=depth, crop_size=224,
                           templates=args.templates).eval()
    names = read_class_file(osp.join(CLASS_LIST_DIR, 'ade150.txt'))
    names = (names * (args.classes // len(names) + 1))[:args.classes]
    names = [f'{n} {i}' if i >= 150 else n for i, n in enumerate(names)]
    H, W = args.size
    images = torch.rand(1, 3, H, W) * 255
    probs = random_proposals(args.proposals, H, W)

    def batched(chunk):
        clip.region_batch_size = chunk
        return clip.classify_proposals(images, probs, names)[0]

    runs = {f'batched, {c} crops per ViT pass': (lambda c=c: batched(c)) for c in args.chunks}
    runs['naive per-mask loop'] = lambda: naive_per_mask(clip, images, probs, names)
    times, outs = {k: [] for k in runs}, {}
    with torch.inference_mode():
        t = time.perf_counter()
        clip.text_embeddings(names)
        text_s = time.perf_counter() - t
        clip.classify_proposals(images, probs[:, :2], names)                       # warm-up
        for _ in range(args.repeats):                  # interleaved, so load drift hits all paths
            for k, fn in runs.items():
                t = time.perf_counter()
                outs[k] = fn()
                times[k].append(time.perf_counter() - t)
    diff = max((o - outs['naive per-mask loop']).abs().max().item() for o in outs.values())
    valid = (probs > clip.mask_threshold).flatten(2).any(-1).sum().item()
    print(f'OVSeg proposal classification, CLIP {args.arch} on 224 px crops, mask prompts {depth}, '
          f'{valid}/{args.proposals} non-empty proposals, {args.classes} classes, image {H}x{W}, '
          f'{torch.get_num_threads()} CPU threads, random weights, median of {args.repeats}')
    print(f'  class-name embeddings ({args.classes} names, {args.templates} templates, once per '
          f'vocabulary, cached): {text_s:.1f} s')
    naive_s = statistics.median(times['naive per-mask loop'])
    for k, v in times.items():
        m = statistics.median(v)
        print(f'  {k:38s} {m:7.1f} s / image   naive / this = {naive_s / m:.2f}x')
    print(f'  max |logit diff| batched vs naive: {diff:.1e}')


def toy(limit=None, seeds=(0,), lambdas=(0.7,)):
    import clipdense  # noqa: F401
    from clipdense.models.ovseg.toy import run_toy_comparison
    seeds = list(dict.fromkeys(seeds))
    start = time.perf_counter()
    runs = {seed: run_toy_comparison(limit=limit, seed=seed, clip_weights=lambdas) for seed in seeds}
    print(f'OVSeg on toy object scenes (val, 9 names), IoU %; cyan/purple never seen in training; '
          f'seeds {", ".join(map(str, seeds))} ({time.perf_counter() - start:.0f} s)')
    cols = ['mIoU(unseen)', 'cyan', 'purple', 'mIoU(seen)']
    print(f'  {"CLIP":30s}{"lambda":>7s}' + ''.join(f'{c:>14s}' for c in cols) + '   unseen / seen per seed')
    for key in runs[seeds[0]]:
        rows = [runs[seed][key] for seed in seeds]
        mean = {c: statistics.mean(r[c] for r in rows) for c in cols}
        per_seed = '  '.join(f'{r["mIoU(unseen)"]:.1f}/{r["mIoU(seen)"]:.1f}' for r in rows)
        print(f'  {key[0]:30s}{key[1]:7.2g}' + ''.join(f'{mean[c]:14.1f}' for c in cols) + f'   {per_seed}')


if __name__ == '__main__':
    main()
