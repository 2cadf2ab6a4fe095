"""AffordanceCLIP on CPU: per-image inference time, and (``--toy``) a toy-world comparison.

    python tools/benchmarks/bench_affordanceclip.py                 # timing, RN101 @ 416 and toy @ 64
    python tools/benchmarks/bench_affordanceclip.py --toy [--iters 300]

Timing builds the models from the real configs with random weights (no checkpoint needed) and
times one image + one action prompt through ``encode_decode`` (eval, ``torch.no_grad``), split
into the frozen CLIP pass and the trained FPN + projector; the prompt's text embedding is cached
after its first use, as at test time (its one-off cost is reported separately).

``--toy`` trains AffordanceCLIP on toy referring expressions (objects only, no action word;
``toy_referring.write_toy_refcoco``) through ``tools/train.py`` with the toy tiny CLIP, then
scores action heat maps on every (image, affordance) of the toy UMD tools with AGD20K's KLD /
SIM / NSS against the part masks, next to baselines on the same frozen CLIP:

* ``clip_dense``: plain CLIP dense similarity (value-path patch embeddings . action text);
* ``untrained``: AffordanceCLIP with its FPN/projector at initialisation;
* ``centre``: a centred Gaussian; ``object_oracle``: the whole-tool mask (object-level upper
  reference: a perfect object localiser that knows no parts).
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
RN101_CONFIG = 'configs/affordanceclip/affordanceclip_rn101_refcocog-416_agd20k-seen.py'
TOY_CONFIG = 'configs/affordanceclip/affordanceclip_tiny-vit_toy.py'


def world_options(world):
    """cfg-options that point the toy config at the toy world in ``world``."""
    return {'train_dataloader.dataset.data_root': osp.join(world, 'affordanceclip_refcoco'),
            'val_dataloader.dataset.data_root': osp.join(world, 'umd'),
            'test_dataloader.dataset.data_root': osp.join(world, 'umd')}


def load_cfg(path, world=None, **model_overrides):
    from mmengine.config import Config
    from mmseg.utils import register_all_modules

    import clipdense  # noqa: F401
    register_all_modules()
    cfg = Config.fromfile(osp.join(ROOT, path))
    if world is not None:
        cfg.merge_from_dict(world_options(world))
    cfg.model.clip.update(model_overrides)
    return cfg


def build(cfg):
    from mmseg.registry import MODELS
    return MODELS.build(cfg.model).eval()


def time_inference(path, size, runs, **clip_overrides):
    import torch
    model = build(load_cfg(path, **clip_overrides))
    x = torch.randn(1, 3, *size)
    meta = [dict(text='cut with')]
    t0 = time.perf_counter()
    model.clip.encode_texts(['cut with'])
    text_s = time.perf_counter() - t0
    full, clip_only = [], []
    with torch.no_grad():
        for i in range(runs + 2):
            t0 = time.perf_counter()
            levels, g = model.clip.levels(x)
            t1 = time.perf_counter()
            model.encode_decode(x, meta)
            t2 = time.perf_counter()
            if i >= 2:
                clip_only.append(t1 - t0)
                full.append(t2 - t1)
    trained = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.clip.parameters())
    return dict(config=path, input=list(size), per_image_s=statistics.median(full),
                clip_forward_s=statistics.median(clip_only),
                fpn_projector_s=statistics.median(full) - statistics.median(clip_only),
                first_text_query_s=text_s, trained_params=trained, frozen_params=frozen,
                threads=torch.get_num_threads(), runs=runs)


# ---------------------------------------------------------------------------- toy world
def prepare_toy(world, refcoco):
    from clipdense.models.affordanceclip.toy_referring import write_toy_refcoco
    from clipdense.toyworld.world import ensure_toy_world
    ensure_toy_world(world, parts=['objects', 'umd'])
    if not osp.isfile(osp.join(refcoco, 'refcocog', 'refs(umd).p')):
        print('[bench] writing toy referring data:', write_toy_refcoco(world, refcoco), flush=True)


def train_toy(work_dir, iters, clip_checkpoint, world):
    ckpt = osp.join(work_dir, f'iter_{iters}.pth')
    if osp.isfile(ckpt):
        return ckpt
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=ROOT)
    cmd = [sys.executable, 'tools/train.py', TOY_CONFIG, '--work-dir', work_dir, '--cfg-options',
           f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
           f'param_scheduler.0.end={iters}', f'param_scheduler.0.milestones=[{int(iters * 0.7)}]',
           f'default_hooks.checkpoint.interval={iters}', f'model.clip.checkpoint={clip_checkpoint}',
           *[f'{k}={v}' for k, v in world_options(world).items()]]
    t0 = time.time()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)  # its log shows the progress
    print(f'[bench] trained {iters} iterations in {time.time() - t0:.0f}s -> {ckpt}', flush=True)
    return ckpt


def evaluate_toy(ckpt, clip_checkpoint, world):
    import numpy as np
    import torch
    import torch.nn.functional as F
    from mmengine.dataset import pseudo_collate
    from mmengine.runner import load_checkpoint
    from mmseg.registry import DATASETS

    from clipdense.evaluation.affordance_metrics import heatmap_scores
    cfg = load_cfg(TOY_CONFIG, world, checkpoint=clip_checkpoint)
    data = DATASETS.build(cfg.test_dataloader.dataset)
    untrained = build(cfg)
    model = build(cfg)
    load_checkpoint(model, ckpt, map_location='cpu', logger='silent')
    methods = ('affordanceclip', 'clip_dense', 'untrained', 'centre', 'object_oracle')
    rows = []
    with torch.no_grad():
        for i in range(len(data)):
            batch = model.data_preprocessor(pseudo_collate([data[i]]))
            x, ds = batch['inputs'], batch['data_samples'][0]
            meta, gt = ds.metainfo, ds.gt_heatmap.data[0].numpy()
            text = model.clip.encode_texts([meta['text']])[0]
            dense = F.normalize(model.clip.visual(x)['dense_embed'], dim=1)
            clip_map = F.interpolate(torch.einsum('bdhw,d->bhw', dense, text)[:, None],
                                     size=x.shape[-2:], mode='bilinear')[0]
            h, w = gt.shape
            yy, xx = np.mgrid[:h, :w]
            maps = dict(
                affordanceclip=model._restore(model.encode_decode(x, [meta])[0], meta)[0].numpy(),
                clip_dense=model._restore(clip_map, meta)[0].numpy(),
                untrained=untrained._restore(untrained.encode_decode(x, [meta])[0], meta)[0].numpy(),
                centre=np.exp(-(((yy - h / 2) / (h / 4)) ** 2 + ((xx - w / 2) / (w / 4)) ** 2)),
                object_oracle=(ds.gt_sem_seg.data[0].numpy() > 0).astype(np.float64))
            for name in methods:
                s = heatmap_scores(maps[name], gt)
                peak = np.unravel_index(np.argmax(maps[name]), gt.shape)
                hit = float(gt[peak] > 0) if name != 'object_oracle' else float('nan')  # no peak
                rows.append(dict(method=name, action=meta['text'], hit=hit, **s))
    table = {}
    for name in methods:
        sel = [r for r in rows if r['method'] == name]
        table[name] = {k: float(np.mean([r[k] for r in sel])) for k in ('KLD', 'SIM', 'NSS', 'hit')}
        table[name]['per_action'] = {
            a: {k: float(np.mean([r[k] for r in sel if r['action'] == a]))
                for k in ('KLD', 'SIM', 'NSS')}
            for a in sorted({r['action'] for r in sel})}
    return dict(queries=len(data), methods=table)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--toy', action='store_true', help='run the toy-world comparison instead')
    p.add_argument('--runs', type=int, default=5, help='timed runs per model')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--iters', type=int, default=300, help='toy training iterations')
    p.add_argument('--world', default='data/toyworld')
    p.add_argument('--work-dir', default='work_dirs/bench_affordanceclip_toy')
    p.add_argument('--toy-clip', default='clipdense/assets/toy_clip_tiny-ViT.pt',
                   help='frozen CLIP of the toy comparison ("None" = random init, a smoke test)')
    p.add_argument('--out', default=None, help='also write the results as JSON here')
    args = p.parse_args(argv)
    import torch
    torch.set_num_threads(args.threads)
    if args.toy:
        world = osp.join(ROOT, args.world)
        prepare_toy(world, osp.join(world, 'affordanceclip_refcoco'))
        clip = None if args.toy_clip == 'None' else osp.join(ROOT, args.toy_clip)
        if clip is not None and not osp.isfile(clip):
            raise SystemExit(f'error: toy CLIP {clip} not found; run tools/pretrain_toy_clip.py '
                             '(or pass --toy-clip None for a random-init smoke test)')
        ckpt = train_toy(osp.join(ROOT, args.work_dir), args.iters, clip, world)
        result = evaluate_toy(ckpt, clip, world)
        result.update(train_iters=args.iters, toy_clip=args.toy_clip)
    else:
        result = dict(rn101_416=time_inference(RN101_CONFIG, (416, 416), args.runs, checkpoint=None),
                      toy_tiny_vit_64=time_inference(TOY_CONFIG, (64, 64), args.runs, checkpoint=None))
    print(json.dumps(result, indent=1))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=1)
    return result


if __name__ == '__main__':
    main()
