"""Toy world benchmark: generation time per part (default sizes, fresh folder) and the tiny
CLIP's training/inference throughput on CPU.

    python tools/benchmarks/bench_toyworld.py [--threads 2] [--skip-clip]
"""
import argparse
import os.path as osp
import shutil
import sys
import tempfile
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)


def bench_generation():
    from clipdense.toyworld import PARTS, ensure_toy_world
    tmp = tempfile.mkdtemp(prefix='toyworld_bench_')
    rows = []
    try:
        for part in PARTS:
            start = time.time()
            ensure_toy_world(tmp, parts=[part], verbose=False)
            rows.append((part, time.time() - start))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f'{"part":<16}{"seconds":>10}')
    for part, sec in rows:
        print(f'{part:<16}{sec:>10.1f}')
    total = sum(sec for _, sec in rows)
    print(f'{"whole world":<16}{total:>10.1f}   (requirement: < 60 s on 2 cores)')


def bench_clip(threads: int):
    import torch
    import torch.nn.functional as F

    from clipdense.clip import TextTower, build_clip, build_dense_encoder
    from clipdense.toyworld.clip_pretraining import contrastive_loss
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build_clip('tiny-ViT').train()
    tokens = TextTower(model).tokenize(['a red circle and a blue square'] * 128)
    x = torch.randn(128, 3, 64, 64)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    times = []
    for i in range(4):
        start = time.time()
        img = F.normalize(model.encode_image(x), dim=-1)
        txt = F.normalize(model.encode_text(tokens), dim=-1)
        loss = contrastive_loss(img, txt, model.logit_scale.exp(), tokens)
        opt.zero_grad()
        loss.backward()
        opt.step()
        times.append(time.time() - start)
    step = sum(times[1:]) / 3
    enc = build_dense_encoder(model.eval(), out_indices=(), dense_mode='value')
    with torch.no_grad():
        enc(x[:8])
        start = time.time()
        enc(x)
        infer = time.time() - start
    print(f'tiny-ViT pretraining step (batch 128, {threads} threads): {step:.2f} s '
          f'-> {128 / step:.0f} images/s')
    print(f'tiny-ViT dense inference (batch 128, 64 px): {1000 * infer / 128:.1f} ms/image')


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--skip-clip', action='store_true')
    args = p.parse_args()
    bench_generation()
    if not args.skip_clip:
        bench_clip(args.threads)


if __name__ == '__main__':
    main()
