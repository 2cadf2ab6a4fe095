"""Write a segmentor's predictions as label PNGs: ReCo's pseudo-labels for the ReCo+ student.

    python tools/reco_pseudo_labels.py configs/reco/reco_cityscapes27.py \
        work_dirs/reco_cityscapes27/references.pth [--out DIR] [--no-crf] [--cfg-options ...]

Images come from the config's ``pseudo_label_dataloader`` (the benchmark's train split);
every image ``<img_dir>/<name><img_suffix>`` gets ``<out>/<name>.png`` (uint8 label ids at the
image's full size). ``--out`` defaults to ``<data_root>/<pseudo_label_dir>``, where the
``reco_plus_*`` configs read them. The checkpoint is optional for ReCo (references are then built
from the index on the first image).

As in the released code (its ``dt_crf`` masks, which its ReCo+ configs train on), every label map
is the arg-max of ReCo's scores refined by the dense CRF (:func:`clipdense.models.reco.dense_crf.
dense_crf` with its defaults, the released pydensecrf settings; the config's optional
``pseudo_label_crf = dict(...)`` overrides its arguments) on the full-size image. A segmentor with
``concept_labels`` (COCO-Stuff's 171 -> 27) is refined over its fine concepts and the arg-max concept
is then mapped to its label, as the released code does. ``--no-crf`` writes the plain arg-max.
"""
import argparse
import contextlib
import os
import os.path as osp
import sys
import time
from typing import Optional

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
    parser.add_argument('--no-crf', dest='crf', action='store_false',
                        help='write the plain arg-max instead of the dense-CRF-refined labels')
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


def crf_settings(cfg) -> dict:
    """The config's ``pseudo_label_crf`` (arguments of ``dense_crf``), checked before anything runs."""
    import inspect
    from clipdense.models.reco.dense_crf import dense_crf
    settings = dict(cfg.get('pseudo_label_crf', None) or {})
    try:
        inspect.signature(dense_crf).bind(None, None, **settings)
    except TypeError as err:
        raise ValueError(f'pseudo_label_crf: {err}; valid keys: iters, pos_w, pos_xy_std, bi_w, '
                         'bi_xy_std, bi_rgb_std, max_pixels') from None
    return settings


def load_rgb(path: str) -> torch.Tensor:
    """``[3, H, W]`` float RGB (0..255) of an image file."""
    with Image.open(path) as img:
        return torch.from_numpy(np.asarray(img.convert('RGB'), dtype=np.float32).copy()).permute(2, 0, 1)


@contextlib.contextmanager
def fine_concepts(model):
    """Let a segmentor with ``concept_labels`` return its per-concept scores; yields the
    ``concept -> label`` table (or ``None``)."""
    table = getattr(model, 'concept_labels', None)
    if table is None:
        yield None
        return
    model.concept_labels = None
    try:
        yield table
    finally:
        model.concept_labels = table


def crf_labels(scores: torch.Tensor, image: torch.Tensor, concept_to_label: Optional[torch.Tensor] = None,
               **crf) -> torch.Tensor:
    """``[H, W]`` labels: arg-max of ``dense_crf(image, scores)`` (scores ``[K, H, W]``; the image is
    resized to them if needed), mapped through ``concept_to_label`` when given."""
    from clipdense.models.reco.dense_crf import dense_crf
    if image.shape[-2:] != scores.shape[-2:]:
        image = torch.nn.functional.interpolate(image[None].float(), size=scores.shape[-2:], mode='bilinear',
                                                align_corners=False)[0]
    label = dense_crf(image.to(scores.device), scores, **crf).argmax(0)
    return label if concept_to_label is None else concept_to_label.to(label.device)[label]


def write_labels(model, batch, out_dir: str, img_dir: str, img_suffix: str, crf: Optional[dict]) -> int:
    """Predict one batch and write its label PNGs (dense-CRF-refined unless ``crf`` is None)."""
    if crf is None:
        samples = model.test_step(batch)
        labels = [s.pred_sem_seg.data[0] for s in samples]
    else:
        with fine_concepts(model) as table:
            samples = model.test_step(batch)
        labels = [crf_labels(s.seg_logits.data, load_rgb(s.img_path), table, **crf) for s in samples]
    for sample, label in zip(samples, labels):
        path = label_path(out_dir, sample.img_path, img_dir, img_suffix)
        os.makedirs(osp.dirname(path), exist_ok=True)
        Image.fromarray(label.cpu().numpy().astype(np.uint8)).save(path)
    return len(samples)


@torch.no_grad()
def main(argv=None):
    args = parse_args(argv)
    from mmseg.registry import MODELS
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    crf = crf_settings(cfg) if args.crf else None
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
        n += write_labels(model, batch, out_dir, img_dir, dataset.img_suffix, crf)
    kind = 'dense-CRF-refined' if crf is not None else 'arg-max (no CRF)'
    print(f'wrote {n} {kind} pseudo-labels to {out_dir} [{time.perf_counter() - start:.1f}s]')
    return out_dir


if __name__ == '__main__':
    from clipdense.utils.cli import run_cli
    run_cli(main)
