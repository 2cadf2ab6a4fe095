"""Benchmark VLTSeg (EVA02-CLIP-L/14 + Mask2Former, the flagship config's real architecture,
random weights) on CPU: one training iteration and inference images/s at the 512x512 crop.

    python tools/benchmarks/bench_vltseg.py                       # flagship, batch 1, 512x512
    python tools/benchmarks/bench_vltseg.py --train-batch 2 --infer-iters 3

Training iteration = the config's ``loss`` (backbone + Mask2Former with Hungarian matching and
point-sampled mask losses) + backward + the config's optimizer step (AdamW, layer-wise lr
decay groups, gradient clipping), median of ``--train-iters``. Inference = ``encode_decode`` of
one 512x512 crop in eval mode under ``torch.no_grad`` (a 1024x512 Cityscapes image in the
config's slide mode is 3 such crops). Wall and process-CPU time are both reported: on a shared
machine the CPU time is the meaningful one (idle wall ~ CPU time / threads). Prints one JSON
line on stdout (progress on stderr).
"""
import argparse
import json
import os.path as osp
import statistics
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
FLAGSHIP = osp.join(ROOT, 'configs', 'vltseg_gta2cs.py')


def peak_rss_mb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM'):
                return int(line.split()[1]) / 1024
    return float('nan')


def timed(fn, iters, warmup, label):
    """Median wall and process-CPU seconds of ``iters`` calls after ``warmup`` calls. CPU time
    (all threads) stays meaningful on a shared machine; wall ~ CPU / threads when idle."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for i in range(iters):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
        print(f'[bench] {label} {i + 1}/{iters}: wall {wall[-1]:.1f} s, cpu {cpu[-1]:.1f} s',
              file=sys.stderr, flush=True)
    return statistics.median(wall), statistics.median(cpu)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--config', default=FLAGSHIP)
    p.add_argument('--train-batch', type=int, default=1)
    p.add_argument('--train-iters', type=int, default=2)
    p.add_argument('--infer-iters', type=int, default=2)
    p.add_argument('--warmup', type=int, default=0, help='untimed calls before each measurement')
    p.add_argument('--threads', type=int, default=2)
    args = p.parse_args(argv)

    import torch
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import init_default_scope
    from mmengine.structures import PixelData
    from mmseg.registry import MODELS
    from mmseg.structures import SegDataSample

    import clipdense  # noqa: F401
    torch.set_num_threads(args.threads)
    init_default_scope('mmseg')
    cfg = Config.fromfile(args.config)
    cfg.model.backbone.checkpoint = None  # random weights: same compute as the released ones
    crop = tuple(cfg.model.data_preprocessor.size)
    torch.manual_seed(0)
    t = time.perf_counter()
    model = MODELS.build(cfg.model)
    build_s = time.perf_counter() - t
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    n_backbone = sum(p.numel() for p in model.backbone.parameters())
    n_head = sum(p.numel() for p in model.decode_head.parameters())

    model.eval()
    image = torch.randn(1, 3, *crop)
    meta = [dict(img_shape=crop, ori_shape=crop, pad_shape=crop)]
    with torch.no_grad():
        infer_s, infer_cpu = timed(lambda: model.encode_decode(image, meta), args.infer_iters,
                                   args.warmup, 'inference')

    model.train()
    gen = torch.Generator().manual_seed(0)
    images = torch.randn(args.train_batch, 3, *crop, generator=gen)
    labels = torch.randint(0, 19, (args.train_batch, 1) + crop, generator=gen)

    def train_step():
        meta = dict(img_shape=crop, pad_shape=crop)
        samples = [SegDataSample(gt_sem_seg=PixelData(data=lbl), metainfo=meta) for lbl in labels]
        losses = model.loss(images, samples)
        loss, _ = model.parse_losses(losses)
        optim.update_params(loss)

    train_s, train_cpu = timed(train_step, args.train_iters, args.warmup, 'training iteration')
    print(json.dumps(dict(
        config=osp.relpath(args.config, ROOT), arch=cfg.model.backbone.arch, crop=list(crop),
        params_backbone_M=round(n_backbone / 1e6, 1), params_head_M=round(n_head / 1e6, 1),
        param_groups=len(optim.optimizer.param_groups), threads=args.threads, build_s=round(build_s, 1),
        infer_s_per_crop=round(infer_s, 2), infer_cpu_s_per_crop=round(infer_cpu, 2),
        infer_images_per_s=round(1 / infer_s, 4),
        infer_images_per_s_if_idle=round(args.threads / infer_cpu, 4),
        train_batch=args.train_batch, train_s_per_iter=round(train_s, 2),
        train_cpu_s_per_iter=round(train_cpu, 2),
        load_avg_1min=float(open('/proc/loadavg').read().split()[0]),
        peak_rss_gb=round(peak_rss_mb() / 1024, 2), device='cpu')))


if __name__ == '__main__':
    main()
