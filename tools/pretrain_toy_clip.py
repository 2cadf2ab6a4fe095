"""Pretrain a toy CLIP (``tiny-ViT``, ``toy-RN``) on the toy world's image-caption corpus.

Reproduces the committed checkpoint ``clipdense/assets/toy_clip_tiny-ViT.pt`` (and its
``.json`` record) with the defaults::

    .venv/bin/python tools/pretrain_toy_clip.py [--eval]

300 AdamW steps of batch 128 on the 10,000 image-caption pairs of the world's ``clip_pretrain``
part (generated first if missing), CLIP loss + 0.5 x patch-level term. Measured: 5.1 min of
training with 1 thread on a 2-core machine running one other job (13.3 min at load ~10), plus
~1 min to generate the corpus. Seeded and single-threaded: the same CPU gives the same weights;
other CPUs may differ in the last bits.

The toy ResNet CLIP ``clipdense/assets/toy_clip_toy-RN.pt`` (for DenseCLIP's ResNet path: its
stride-32 attention pool needs larger inputs, so the 64 px corpus images are upsampled x4)::

    .venv/bin/python tools/pretrain_toy_clip.py --arch toy-RN --device cuda --eval   # input scale 4

took 0.2 min on one H200 (about 27 min on one CPU thread with ``--device cpu``); its record
(``.json``) holds the zero-shot numbers: dense colour 99.8 % through the value path and 52.3 %
through DenseCLIP's attention-pool readout (random twin 12.8 %).

Why the patch-level term (``--dense-weight``), measured on the world-v1 corpus: with the plain CLIP loss the value-path readout
of this tiny model was unstable, 58 % dense colour accuracy after 150 steps but 37 % after
300 (val scenes, chance 12.5 %); with the term it reached 60 % after 300 steps, and the
global (classification) accuracy rose too (62 -> 67 %).
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)
ASSETS = osp.join(ROOT, 'clipdense', 'assets')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--root', default='data/toyworld', help='toy world folder (generated if missing)')
    p.add_argument('--out', default=None, help='checkpoint to write (fp16 open_clip state dict); '
                   'default clipdense/assets/toy_clip_<arch>.pt')
    p.add_argument('--arch', default='tiny-ViT', help="'tiny-ViT' or 'toy-RN' (any clipdense CLIP "
                   'architecture name is accepted)')
    p.add_argument('--input-scale', type=int, default=None,
                   help='upsample the 64 px corpus images by this factor '
                   '(default: 4 for toy-RN, i.e. 256 px; 1 otherwise)')
    p.add_argument('--dense-mode', default='value', choices=['value', 'attention'],
                   help='dense readout trained by the patch-level term')
    p.add_argument('--device', default='cpu')
    p.add_argument('--steps', type=int, default=300)
    p.add_argument('--batch-size', type=int, default=128)
    p.add_argument('--lr', type=float, default=2e-3)
    p.add_argument('--weight-decay', type=float, default=0.1)
    p.add_argument('--warmup', type=int, default=30)
    p.add_argument('--template-prob', type=float, default=0.3)
    p.add_argument('--dense-weight', type=float, default=0.5,
                   help='weight of the patch-level contrastive term (0 = plain CLIP loss)')
    p.add_argument('--limit', type=int, default=None, help='use only the first N corpus images')
    p.add_argument('--threads', type=int, default=1,
                   help='torch threads (1: bit-reproducible, and fastest on a shared, loaded CPU)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--eval', action='store_true', help='report zero-shot quality afterwards')
    return p.parse_args(argv)


def check_args(args):
    """Reject bad arguments in one line each, before the corpus is generated or a model built."""
    from clipdense.clip import canonical_arch
    args.arch = canonical_arch(args.arch)  # unknown name: one line listing the valid ones
    if args.input_scale is None:
        from clipdense.toyworld.clip_pretraining import TOY_CLIP_INPUT_SCALES
        args.input_scale = TOY_CLIP_INPUT_SCALES.get(args.arch, 1)
    for opt in ('input_scale', 'steps', 'batch_size', 'limit', 'threads'):
        value = getattr(args, opt)
        if value is not None and value < 1:
            raise ValueError(f'--{opt.replace("_", "-")} must be a positive integer, got {value}')
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        raise ValueError(f'--device {args.device} but no CUDA device is visible; use --device cpu')
    if osp.exists(args.root) and not osp.isdir(args.root):
        raise ValueError(f'--root {args.root} is a file, not a folder; give a folder for the toy world '
                         '(it is generated there if missing)')
    args.out = args.out or osp.join(ASSETS, f'toy_clip_{args.arch}.pt')
    if osp.isdir(args.out):
        raise ValueError(f'--out {args.out} is a folder; give the checkpoint file to write, '
                         f'e.g. {osp.join(args.out, f"toy_clip_{args.arch}.pt")}')
    return args


def main(argv=None):
    args = check_args(parse_args(argv))
    torch.set_num_threads(args.threads)
    from clipdense.clip import TextTower, build_clip
    from clipdense.toyworld import ensure_toy_world
    from clipdense.toyworld.clip_pretraining import (load_caption_corpus, pretrain_clip,
                                                     save_open_clip_fp16)
    ensure_toy_world(args.root, parts=['clip_pretrain'])
    images, captions = load_caption_corpus(osp.join(args.root, 'clip_pretrain'), args.limit)
    print(f'[pretrain] {len(images)} images, {sum(map(len, captions))} captions', flush=True)
    torch.manual_seed(args.seed)
    model = build_clip(args.arch)
    text = TextTower(model)
    start = time.time()
    history = pretrain_clip(model, text.tokenize, images, captions, steps=args.steps,
                            batch_size=args.batch_size, lr=args.lr, weight_decay=args.weight_decay,
                            warmup=args.warmup, template_prob=args.template_prob,
                            dense_weight=args.dense_weight, seed=args.seed,
                            log=lambda s: print(s, flush=True), input_scale=args.input_scale,
                            dense_mode=args.dense_mode, device=args.device)
    minutes = (time.time() - start) / 60
    tail = history['loss'][-50:]
    last = sum(tail) / len(tail)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    save_open_clip_fp16(model, args.out)
    print(f'[pretrain] saved {args.out} ({osp.getsize(args.out) / 2**20:.1f} MB) after '
          f'{minutes:.1f} min; final loss {last:.3f}', flush=True)
    with open(osp.splitext(args.out)[0] + '.json', 'w') as f:
        recorded = dict(vars(args), out=osp.relpath(osp.abspath(args.out), ROOT))
        json.dump(dict(command=' '.join(['tools/pretrain_toy_clip.py'] + (argv or sys.argv[1:])),
                       args=recorded, minutes=round(minutes, 1), torch=torch.__version__,
                       device=_device_name(args.device),
                       loss_first=history['loss'][0], loss_last50=last),
                  f, indent=1)
    if args.eval:
        from clipdense.toyworld.clip_quality import evaluate_zero_shot, format_scores
        trained = build_clip(args.arch, args.out)
        scores = evaluate_zero_shot(trained, args.root, input_scale=args.input_scale,
                                    dense_mode=args.dense_mode)
        print(format_scores({'pretrained': scores}), flush=True)


def _device_name(device: str) -> str:
    if device.startswith('cuda'):
        return torch.cuda.get_device_name(torch.device(device))
    return 'cpu'


if __name__ == '__main__':
    from clipdense.utils.cli import run_cli
    run_cli(main)
