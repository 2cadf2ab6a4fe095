"""Write a segmentor's predictions as label PNGs: ReCo's pseudo-labels for the ReCo+ student.

    python tools/reco_pseudo_labels.py configs/reco/reco_cityscapes27.py \
        work_dirs/reco_cityscapes27/references.pth [--out DIR] [--cfg-options ...]

Images come from the config's ``pseudo_label_dataloader`` (the benchmark's train split);
every image ``<img_dir>/<name><img_suffix>`` gets ``<out>/<name>.png`` (uint8 label ids at the
image's full size). ``--out`` defaults to ``<data_root>/<pseudo_label_dir>``, where the
``reco_plus_*`` configs read them. The checkpoint is optional for ReCo (references are then built
from the index on the first image).
"""
import argparse
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import clipdense  # noqa: E402,F401
import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import Runner, load_checkpoint  # noqa: E402
from PIL import Image  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Write pseudo-labels with a (ReCo) segmentor')
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', help='references (ReCo) or weights checkpoint')
    parser.add_argument('--out', help='output folder (default: <data_root>/<pseudo_label_dir>)')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config settings')
    args = parser.parse_args(argv)
    check_args(args)
    return args


def check_args(args):
    """One-line errors for a missing config or checkpoint and a bad --out, before anything is built."""
    from clipdense.utils.cli import check_checkpoint_file
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'config not found: {args.config}; give the path of a ReCo (or other '
                                'segmentor) config, e.g. configs/reco/reco_cityscapes27.py')
    if args.checkpoint is not None:
        if not osp.isfile(args.checkpoint):
            raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}; build ReCo references with '
                                    f'`python tools/reco_build_index.py {args.config} --out '
                                    f'{args.checkpoint}` (or leave it out for ReCo)')
        check_checkpoint_file(args.checkpoint, 'checkpoint')
    if args.out is not None and osp.exists(args.out) and not osp.isdir(args.out):
        raise ValueError(f'--out {args.out} is a file; give a folder to write the label PNGs to')


def label_path(out_dir: str, img_path: str, img_dir: str, img_suffix: str) -> str:
    """``<out_dir>/<path of the image relative to img_dir, img_suffix replaced by .png>``."""
    rel = osp.relpath(img_path, img_dir)
    rel = rel[:-len(img_suffix)] if img_suffix and rel.endswith(img_suffix) else osp.splitext(rel)[0]
    return osp.join(out_dir, rel + '.png')


@torch.no_grad()
def main(argv=None):
    args = parse_args(argv)
    from mmseg.registry import MODELS
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    if 'pseudo_label_dataloader' not in cfg:
        raise ValueError(f'{args.config} has no pseudo_label_dataloader (the images to label); use a '
                         'config that defines one, e.g. configs/reco/reco_cityscapes27.py')
    try:
        loader = Runner.build_dataloader(cfg.pseudo_label_dataloader)
    except FileNotFoundError as err:
        if not err.filename:
            raise
        raise FileNotFoundError(f'images to label not found: {err.filename}; put the dataset there or '
                                'point to it with --cfg-options '
                                'pseudo_label_dataloader.dataset.data_root=<folder>') from None
    dataset = loader.dataset
    out_dir = args.out or osp.join(dataset.data_root or '', cfg.get('pseudo_label_dir', 'pseudo_labels'))
    model = MODELS.build(cfg.model).to(args.device).eval()
    if args.checkpoint:
        load_checkpoint(model, args.checkpoint, map_location='cpu', strict=False)
    img_dir = dataset.data_prefix['img_path']
    start, n = time.perf_counter(), 0
    for batch in loader:
        for sample in model.test_step(batch):
            path = label_path(out_dir, sample.img_path, img_dir, dataset.img_suffix)
            os.makedirs(osp.dirname(path), exist_ok=True)
            label = sample.pred_sem_seg.data[0].cpu().numpy().astype(np.uint8)
            Image.fromarray(label).save(path)
            n += 1
    print(f'wrote {n} pseudo-labels to {out_dir} [{time.perf_counter() - start:.1f}s]')
    return out_dir


if __name__ == '__main__':
    from clipdense.utils.cli import run_cli
    run_cli(main)
