"""Zero-shot quality of the toy CLIP on held-out toy scenes, against chance and random weights.

    .venv/bin/python tools/eval_toy_clip.py [--checkpoint clipdense/assets/toy_clip_tiny-ViT.pt]
    .venv/bin/python tools/eval_toy_clip.py --arch toy-RN --dense-mode attention   # 256 px input

Prints, for the checkpoint and its random-init twin (same architecture, seed 0): image
classification of the largest object's colour (8 names) and shape (6 names) from the global
embedding, and dense zero-shot segmentation (value-path patch embeddings vs class-name text
embeddings) scored on object pixels, at the native 64 px input and at 2x input (finer grid).
"""
import argparse
import json
import os.path as osp
import sys
import time

import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)
ASSETS = osp.join(ROOT, 'clipdense', 'assets')


def main(argv=None):
    from clipdense.clip import canonical_arch
    from clipdense.clip.templates import TEMPLATE_SETS
    from clipdense.toyworld.objects import OBJECT_SPLITS
    from clipdense.utils.cli import check_checkpoint_file
    template_names = ['toy'] + sorted(TEMPLATE_SETS)
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--checkpoint', default=None, help='default clipdense/assets/toy_clip_<arch>.pt')
    p.add_argument('--arch', default='tiny-ViT', help="'tiny-ViT' or 'toy-RN' (toy checkpoints)")
    p.add_argument('--input-scale', type=int, default=None,
                   help='upsample the 64 px scenes by this factor (default: 4 for toy-RN, else 1)')
    p.add_argument('--dense-mode', default='value', choices=['value', 'attention'],
                   help="dense readout: MaskCLIP's value path or DenseCLIP's attention pool (ResNets)")
    p.add_argument('--root', default='data/toyworld', help='toy world (objects part made if missing)')
    p.add_argument('--split', default='val', choices=sorted(OBJECT_SPLITS))
    p.add_argument('--templates', default='toy', choices=template_names, help='prompt template set')
    p.add_argument('--limit', type=int, default=None, help='only the first N scenes')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--json', default=None, help='also write the numbers to this file')
    args = p.parse_args(argv)
    for opt in ('limit', 'threads', 'input_scale'):
        value = getattr(args, opt)
        if value is not None and value < 1:
            raise ValueError(f'--{opt.replace("_", "-")} must be a positive integer, got {value}')
    if osp.exists(args.root) and not osp.isdir(args.root):
        raise ValueError(f'--root {args.root} is a file, not a folder; give the toy world folder '
                         '(its objects part is generated if missing)')
    if args.json and osp.isdir(args.json):
        raise ValueError(f'--json {args.json} is a folder; give a file name to write the numbers to')
    args.arch = canonical_arch(args.arch)  # unknown name: one line listing the valid ones
    if args.checkpoint is None:
        args.checkpoint = osp.join(ASSETS, f'toy_clip_{args.arch}.pt')
        if not osp.isfile(args.checkpoint):
            raise FileNotFoundError(f'no toy CLIP checkpoint at {args.checkpoint}; make it with '
                                    f'`tools/pretrain_toy_clip.py --arch {args.arch}` or pass --checkpoint')
    check_checkpoint_file(args.checkpoint, 'toy CLIP checkpoint')
    torch.set_num_threads(args.threads)
    from clipdense.clip import build_clip
    from clipdense.toyworld import TOY_TEMPLATES, ensure_toy_world
    from clipdense.toyworld.clip_pretraining import TOY_CLIP_INPUT_SCALES
    from clipdense.toyworld.clip_quality import evaluate_zero_shot, format_scores
    if args.input_scale is None:
        args.input_scale = TOY_CLIP_INPUT_SCALES.get(args.arch, 1)
    ensure_toy_world(args.root, parts=['objects'])
    templates = TOY_TEMPLATES if args.templates == 'toy' else args.templates
    torch.manual_seed(0)
    models = {'random init': build_clip(args.arch),  # seed 0
              'toy CLIP': build_clip(args.arch, args.checkpoint)}
    rows, start = {}, time.time()
    for name, model in models.items():
        for scale in (1, 2):
            rows[f'{name} @{64 * args.input_scale * scale}px'] = evaluate_zero_shot(
                model, args.root, args.split, templates, args.limit, scale=scale,
                input_scale=args.input_scale, dense_mode=args.dense_mode)
    keys = ['cls_colour', 'cls_shape', 'dense_colour_pixel_acc', 'dense_colour_mean_class_acc',
            'dense_shape_pixel_acc', 'dense_shape_mean_class_acc']
    print(f'toy CLIP = {args.checkpoint}; zero-shot on toy objects/{args.split} ({args.templates} '
          f'templates); chance: colour {100 / 8:.1f}%, shape {100 / 6:.1f}%  [{time.time() - start:.0f}s]')
    print(format_scores(rows, keys))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(rows, f, indent=1)


if __name__ == '__main__':
    from clipdense.utils.cli import run_cli
    run_cli(main)
