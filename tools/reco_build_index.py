"""ReCo: index an unlabelled image collection with CLIP, and co-segment a config's concepts.

Index only (once per collection and CLIP; rerunning embeds only images added since)::

    python tools/reco_build_index.py --images data/imagenet/train \
        --out data/reco/imagenet_train_ViT-L-14.pth --clip-arch ViT-L-14 --clip-checkpoint checkpoints/clip

References for a benchmark config (builds/reuses the config's index, retrieves k images per concept,
co-segments them) written as a checkpoint that ``tools/test.py`` and
``tools/reco_pseudo_labels.py`` load::

    python tools/reco_build_index.py configs/reco/reco_cityscapes27.py \
        --out work_dirs/reco_cityscapes27/references.pth
"""
import argparse
import os
import os.path as osp
import re
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import clipdense  # noqa: E402,F401
import torch  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Build a ReCo CLIP image index and/or concept references')
    parser.add_argument('config', nargs='?', help='ReCo config: co-segment its class_names')
    parser.add_argument('--out', required=True, help='index file (--images) or references checkpoint (config)')
    parser.add_argument('--images', help='folder of unlabelled images, or a text file listing them')
    parser.add_argument('--clip-arch', default='ViT-L-14', help='retrieval CLIP (with --images)')
    parser.add_argument('--clip-checkpoint', default=None, help='its weights (file or folder)')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--workers', type=int, default=4)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config settings')
    args = parser.parse_args(argv)
    if (args.config is None) == (args.images is None):
        parser.error('give either --images (build an index) or a config (build its references)')
    check_args(args)
    return args


def check_args(args):
    """One-line errors for bad arguments, before any model is built."""
    if args.config is not None and not osp.isfile(args.config):
        raise FileNotFoundError(f'config not found: {args.config}; give the path of a ReCo config, '
                                'e.g. configs/reco/reco_cityscapes27.py')
    if args.images is not None and not osp.exists(args.images):
        raise FileNotFoundError(f'unlabelled image collection {args.images} not found; give a folder of '
                                'images or a text file with one image path per line')
    if args.clip_checkpoint is not None and not osp.exists(args.clip_checkpoint):
        raise FileNotFoundError(f'--clip-checkpoint {args.clip_checkpoint} not found; give the CLIP '
                                'weights file or the folder that holds them')
    if osp.isdir(args.out):
        raise ValueError(f'--out {args.out} is a folder; give the file to write, e.g. '
                         f'{osp.join(args.out, "index.pth" if args.images else "references.pth")}')
    if args.batch_size < 1 or args.workers < 0:
        raise ValueError(f'--batch-size must be >= 1 and --workers >= 0, got {args.batch_size} and '
                         f'{args.workers}')


# load_square_crop's message (also inside the text of an error re-raised from a DataLoader worker)
_UNREADABLE = re.compile(r"cannot read image (['\"])(.*?)\1 \((\w+)\)")


def unreadable_image(err: BaseException):
    """``(path, reason)`` of the image a ReCo read error names, or ``None``."""
    found = _UNREADABLE.findall(str(err))
    return (found[-1][1], found[-1][2]) if found else None


def collection_image_error(err: BaseException, collection: str) -> ValueError:
    """A one-line error for an unreadable image met while (re)building an index of ``collection``."""
    path, why = unreadable_image(err)
    return ValueError(f'cannot read image {path} of the collection {collection} ({why}) while building the '
                      'index; remove or replace that file (or its line in the list file) and rerun')


def build_index(args):
    from clipdense.clip import build_clip, canonical_arch
    from clipdense.models.reco import build_image_index
    arch = canonical_arch(args.clip_arch)
    clip = build_clip(arch, args.clip_checkpoint).to(args.device)
    start = time.perf_counter()
    try:
        index = build_image_index(args.images, clip, args.out, dict(arch=arch, checkpoint=str(args.clip_checkpoint)),
                                  args.batch_size, args.workers)
    except (FileNotFoundError, OSError) as err:  # the library's message says "restore": wrong here
        if unreadable_image(err) is None:
            raise
        raise collection_image_error(err, args.images) from None
    print(f'index of {len(index)} images ({index.embeddings.shape[1]}-d {arch}) at {args.out} '
          f'[{time.perf_counter() - start:.1f}s]')
    return index


def build_references(args):
    from mmseg.registry import MODELS
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    if cfg.model.get('type') != 'ReCoSegmentor':
        raise ValueError(f'{args.config} is not a ReCo config (model.type={cfg.model.get("type")}); '
                         'give one of configs/reco/reco_*.py')
    model = MODELS.build(cfg.model).to(args.device).eval()
    start = time.perf_counter()
    images = (cfg.model.get('index') or {}).get('images')
    try:
        refs = model.build_references()
    except (FileNotFoundError, OSError) as err:
        # with index.images the index is (re)built from that collection: a bad file must go
        if images is None or unreadable_image(err) is None:
            raise
        raise collection_image_error(err, images) from None
    os.makedirs(osp.dirname(osp.abspath(args.out)) or '.', exist_ok=True)
    state = {k: v.cpu() for k, v in model.state_dict().items() if k.startswith('references')}
    torch.save(dict(meta=dict(class_names=list(model.class_names), config=args.config), state_dict=state),
               args.out)
    print(f'{len(refs)} concept references ({refs.shape[1]}-d) at {args.out} '
          f'[{time.perf_counter() - start:.1f}s]')
    return refs


def main(argv=None):
    args = parse_args(argv)
    return build_index(args) if args.images else build_references(args)


if __name__ == '__main__':
    from clipdense.utils.cli import run_cli
    run_cli(main)
