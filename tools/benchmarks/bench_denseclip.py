"""Benchmark DenseCLIP segmentors on CPU: inference images/s, peak memory, one training iteration,
and the overhead of the language guidance over the same backbone + FPN neck + FPN head alone.

    python tools/benchmarks/bench_denseclip.py                 # RN50 and ViT-B/16, 512x512
    python tools/benchmarks/bench_denseclip.py --archs rn50 --iters 3 --threads 1

Models are built from the real configs with random weights (no checkpoint needed). Variants:

* ``denseclip``: the full config (text encoder, context decoder, score maps, identity head);
* ``baseline``: the same CLIP backbone + FPN + FPN head without language guidance (the
  paper's "CLIP" baseline; for ResNets also without the attention-pool dense embedding).

Timing: one process holds both variants and alternates them call by call (A, B, A, B, ...) so
that a shared, busy CPU slows both alike; the minimum over the calls is reported. Inference is
``encode_decode`` of one image (whole mode, eval, ``torch.no_grad``) with the class text
embeddings cached, as at test time. A training iteration is forward + backward + AdamW step
on ``--train-batch`` images; the text encoder runs every iteration (the contexts change).
Memory: each variant in its own process (peak resident set, VmHWM, after one inference and
after one training iteration). FLOPs of one inference (``torch.utils.flop_counter``) give a
load-independent measure of the overhead (likewise for one training iteration, forward +
backward).
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
CONFIGS = {'rn50': 'configs/denseclip/denseclip_fpn_rn50_8xb4-80k_ade20k-512x512.py',
           'vit-b16': 'configs/denseclip/denseclip_fpn_vit-b16_8xb4-80k_ade20k-640x640.py'}
VARIANTS = ('baseline', 'denseclip')


def _rss_mb(field):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return float('nan')


def build(arch, variant, size):
    import torch
    from mmengine.config import Config
    from mmengine.model import revert_sync_batchnorm
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS

    import clipdense  # noqa: F401
    init_default_scope('mmseg')
    cfg = Config.fromfile(osp.join(ROOT, CONFIGS[arch]))
    m = cfg.model
    m.backbone.checkpoint = m.text_encoder.checkpoint = None
    m.data_preprocessor.size = (size, size)
    if variant == 'baseline':
        channels = [768] * 4 if arch == 'vit-b16' else [256, 512, 1024, 2048]
        m = dict(type='EncoderDecoder', data_preprocessor=m.data_preprocessor,
                 backbone=dict(m.backbone, output_embeddings=False),
                 neck=dict(m.neck, in_channels=channels), decode_head=m.decode_head,
                 train_cfg=dict(), test_cfg=dict(mode='whole'))
    else:
        m.test_cfg = dict(mode='whole')
    torch.manual_seed(0)
    return revert_sync_batchnorm(MODELS.build(m))


def make_task(model, size, train_batch):
    """Closures ``infer()`` and ``train_step()`` for ``model``."""
    import torch
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    x = torch.randn(1, 3, size, size)
    meta = [dict(img_shape=(size, size), ori_shape=(size, size), pad_shape=(size, size))]
    xb = torch.randn(train_batch, 3, size, size)
    samples = []
    for _ in range(train_batch):
        s = SegDataSample(metainfo=dict(img_shape=(size, size), ori_shape=(size, size),
                                        pad_shape=(size, size)))
        s.gt_sem_seg = PixelData(data=torch.randint(0, 150, (1, size, size)))
        samples.append(s)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)

    def infer():
        model.eval()
        with torch.no_grad():
            model.encode_decode(x, meta)

    def train_step():
        model.train()
        loss = sum(v for k, v in model.loss(xb, samples).items() if 'loss' in k)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return infer, train_step


def _timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def timing_worker(arch, size, iters, train_iters, train_batch):
    import torch
    from clipdense.models.denseclip.score_map import pixel_text_score_map
    models = {v: build(arch, v, size) for v in VARIANTS}
    tasks = {v: make_task(m, size, train_batch) for v, m in models.items()}
    times = {(v, k): [] for v in VARIANTS for k in ('infer', 'train')}
    for v in VARIANTS:                                     # warm-up (and text cache) per variant
        tasks[v][0]()
    for _ in range(iters):
        for v in VARIANTS:
            times[v, 'infer'].append(_timed(tasks[v][0]))
    for _ in range(train_iters):
        for v in VARIANTS:
            times[v, 'train'].append(_timed(tasks[v][1]))
    out = {f'{v}_{k}_s': min(t) for (v, k), t in times.items()}
    dc = models['denseclip'].eval()
    with torch.no_grad():
        *_, (g, z) = dc.backbone(torch.randn(1, 3, size, size))
        out['decoder_and_score_s'] = min(
            _timed(lambda: pixel_text_score_map(z, dc.guided_text_embeddings(g, z))) for _ in range(iters))
        dc.text_encoder.train()                           # uncached: the per-iteration training cost
        out['text_encoder_s'] = min(_timed(dc.text_encoder) for _ in range(iters))
    return out


def memory_worker(arch, variant, size, train_batch):
    model = build(arch, variant, size)
    out = dict(rss_after_build_mb=_rss_mb('VmRSS'),
               params_m=sum(p.numel() for p in model.parameters()) / 1e6,
               trainable_params_m=sum(p.numel() for p in model.parameters() if p.requires_grad) / 1e6)
    infer, train_step = make_task(model, size, train_batch)
    infer()
    out['peak_rss_infer_mb'] = _rss_mb('VmHWM')
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as counter:
        infer()
    out['infer_gflops'] = counter.get_total_flops() / 1e9
    train_step()
    out['peak_rss_train_mb'] = _rss_mb('VmHWM')
    with FlopCounterMode(display=False) as counter:
        train_step()
    out['train_gflops'] = counter.get_total_flops() / 1e9
    return out


def run_worker(args, *worker_args):
    cmd = [sys.executable, __file__, '--worker', *worker_args, '--size', str(args.size),
           '--iters', str(args.iters), '--train-iters', str(args.train_iters),
           '--train-batch', str(args.train_batch), '--threads', str(args.threads)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=ROOT))
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith('RESULT ')]
    if proc.returncode or not lines:
        raise SystemExit(f'{worker_args} failed:\n{proc.stderr[-3000:]}')
    return json.loads(lines[-1][len('RESULT '):])


def report(arch, t, mem, train_batch):
    print(f'\n== {arch} ==')
    for v in VARIANTS:
        m = mem[v]
        print(f"{v:9s}: {1 / t[f'{v}_infer_s']:.3f} img/s ({t[f'{v}_infer_s']:.3f} s/img), "
              f"train iter (batch {train_batch}) {t[f'{v}_train_s']:.2f} s | peak RSS infer "
              f"{m['peak_rss_infer_mb']:.0f} MB, train {m['peak_rss_train_mb']:.0f} MB (after build "
              f"{m['rss_after_build_mb']:.0f} MB) | params {m['params_m']:.1f} M, trainable "
              f"{m['trainable_params_m']:.1f} M")
    base = t['baseline_infer_s']
    for k in ('infer', 'train'):
        f = {v: mem[v][f'{k}_gflops'] for v in VARIANTS}
        print(f"{k} FLOPs: baseline {f['baseline']:.1f} G, denseclip {f['denseclip']:.1f} G "
              f"({100 * (f['denseclip'] / f['baseline'] - 1):+.1f} %)")
    print(f"inference overhead of language guidance: {100 * (t['denseclip_infer_s'] / base - 1):+.1f} %"
          f" (context decoder + score maps alone: {t['decoder_and_score_s'] * 1e3:.1f} ms = "
          f"{100 * t['decoder_and_score_s'] / base:.1f} % of the baseline)")
    print(f"training-iteration overhead: "
          f"{100 * (t['denseclip_train_s'] / t['baseline_train_s'] - 1):+.1f} % (text encoder "
          f"forward per iteration: {t['text_encoder_s'] * 1e3:.0f} ms)")


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--archs', nargs='+', default=['rn50', 'vit-b16'], choices=sorted(CONFIGS))
    p.add_argument('--size', type=int, default=512)
    p.add_argument('--iters', type=int, default=3, help='timed inference calls per variant')
    p.add_argument('--train-iters', type=int, default=1, help='timed training iterations per variant')
    p.add_argument('--train-batch', type=int, default=2)
    p.add_argument('--threads', type=int, default=2, help='torch CPU threads')
    p.add_argument('--worker', nargs='+', help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        import torch
        torch.set_num_threads(args.threads)
        kind, arch, *rest = args.worker
        out = (timing_worker(arch, args.size, args.iters, args.train_iters, args.train_batch)
               if kind == 'timing' else memory_worker(arch, rest[0], args.size, args.train_batch))
        print('RESULT ' + json.dumps(out), flush=True)
        return
    print(f'CPU threads: {args.threads}, size {args.size}x{args.size}, random weights, '
          f'min of {args.iters} interleaved inference calls / {args.train_iters} training iterations')
    for arch in args.archs:
        mem = {v: run_worker(args, 'memory', arch, v) for v in VARIANTS}
        report(arch, run_worker(args, 'timing', arch), mem, args.train_batch)


if __name__ == '__main__':
    main()
