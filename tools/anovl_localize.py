"""Zero-shot anomaly localization with AnoVL on a folder of images or a whole dataset.

    # a folder of images of one object (any depth; no ground truth)
    python tools/anovl_localize.py photos/ --object 'metal nut' --checkpoint ~/.cache/clipdense/clip
    # a whole MVTec AD tree (or one category folder of it), or VisA (has split_csv/1cls.csv)
    python tools/anovl_localize.py data/mvtec --checkpoint ~/.cache/clipdense/clip --categories bottle,wood
    # any other recipe setting: --cfg-options model.tta.enable=False model.localizer.vv_start=None

Writes to ``--out`` (default ``work_dirs/anovl_localize``):

* ``overlays/<category>/<image path>.png``: the image with the anomaly heat map blended in,
* ``scores.csv``: image path, category, object, prompt domain, image score (+ label, defect type
  with GT),
* ``metrics.md`` / ``metrics.json``: pixel AUROC, AUPRO, pixel F1-max, image AUROC and image
  F1-max per category and their mean, when the dataset has ground truth.
"""
import argparse
import csv
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from mmengine.config import DictAction  # noqa: E402
from prettytable import TableStyle  # noqa: E402
from tqdm import tqdm  # noqa: E402

from clipdense.datasets.mvtec import IMAGE_SUFFIXES, MVTecADDataset  # noqa: E402
from clipdense.datasets.visa import VisADataset  # noqa: E402
from clipdense.evaluation.anomaly_metrics import evaluate_by_category, metrics_table, METRIC_NAMES  # noqa: E402
from clipdense.models.anovl.api import DEFAULT_CONFIG, AnomalyLocalizer, read_rgb  # noqa: E402
from clipdense.models.anovl.state_prompts import infer_domain, validate_object_name  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='AnoVL zero-shot anomaly localization')
    p.add_argument('input', help='folder of images (or one image file), MVTec AD root / category folder, '
                   'or VisA root')
    p.add_argument('--object', help='object name in words (required for a plain folder)')
    p.add_argument('--dataset', choices=['auto', 'folder', 'mvtec', 'visa'], default='auto')
    p.add_argument('--categories', help='comma-separated categories of a dataset (default: all)')
    p.add_argument('--textures', help='comma-separated MVTec-layout categories prompted as textures '
                   '(default: carpet,grid,leather,tile,wood)')
    p.add_argument('--config', default=DEFAULT_CONFIG, help='AnoVL config (recipe)')
    p.add_argument('--checkpoint', help='CLIP weights (file or folder); default: the config\'s')
    p.add_argument('--tta', dest='tta', action='store_true', default=None, help='force test-time adaptation')
    p.add_argument('--no-tta', dest='tta', action='store_false', help='training-free maps only')
    p.add_argument('--out', default='work_dirs/anovl_localize', help='output folder')
    p.add_argument('--device', default='cpu')
    p.add_argument('--batch-size', type=int, default=8)
    p.add_argument('--no-overlays', action='store_true', help='write only the CSV (and metrics)')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config settings')
    return p.parse_args(argv)


def detect_kind(root: str) -> str:
    if osp.isfile(osp.join(root, 'split_csv', '1cls.csv')):
        return 'visa'
    if osp.isdir(osp.join(root, 'test')) or any(osp.isdir(osp.join(root, d, 'test')) for d in os.listdir(root)):
        return 'mvtec'
    return 'folder'


def dataset_samples(root: str, kind: str, categories, textures=None):
    """Samples of a dataset: dicts with img_path, seg_map_path, category, object_name, domain, ..."""
    kwargs = dict(categories=categories, split='test', pipeline=[], serialize_data=False)
    if kind == 'mvtec':
        if osp.isdir(osp.join(root, 'test')):  # one category folder
            root, kwargs['categories'] = osp.dirname(osp.abspath(root)), [osp.basename(osp.abspath(root))]
        if textures:
            kwargs['texture_categories'] = [t.strip() for t in textures.split(',') if t.strip()]
    cls = MVTecADDataset if kind == 'mvtec' else VisADataset
    ds = cls(data_root=root, **kwargs)
    return [ds.get_data_info(i) for i in range(len(ds))]


def folder_samples(root: str, object_name: str):
    paths = sorted(osp.join(d, f) for d, _, files in os.walk(root) for f in files
                   if osp.splitext(f)[1].lower() in IMAGE_SUFFIXES)
    if not paths:
        raise ValueError(f'no images ({", ".join(IMAGE_SUFFIXES)}) under {root}')
    cat = object_name.replace(' ', '_')
    return [dict(img_path=p, seg_map_path=None, category=cat, object_name=object_name, domain=None)
            for p in paths]


def overlay(rgb: np.ndarray, amap: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """BGR image with the min-max normalised map as a JET heat map blended in."""
    span = float(amap.max() - amap.min())
    norm = (amap - amap.min()) / span if span > 0 else np.zeros_like(amap)
    heat = cv2.applyColorMap((norm * 255).astype(np.uint8), cv2.COLORMAP_JET)
    return cv2.addWeighted(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), 1 - alpha, heat, alpha, 0)


def load_mask(path, size) -> np.ndarray:
    if path is None:
        return np.zeros(size, bool)
    mask = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if mask is None:
        raise ValueError(f'cannot read ground-truth mask {path}')
    mask = mask.max(axis=2) if mask.ndim == 3 else mask
    return cv2.resize((mask > 0).astype(np.uint8), size[::-1], interpolation=cv2.INTER_NEAREST) > 0


def image_file_samples(path: str, object_name: str):
    """The one sample of a single image file given as input."""
    if osp.splitext(path)[1].lower() not in IMAGE_SUFFIXES:
        raise ValueError(f'input {path} is a file but not an image ({", ".join(IMAGE_SUFFIXES)}); give an '
                         'image, a folder of images or a dataset root')
    return [dict(img_path=path, seg_map_path=None, category=object_name.replace(' ', '_'),
                 object_name=object_name, domain=None)]


def run(args):
    if not osp.exists(args.input):
        raise FileNotFoundError(f'input not found: {args.input}; give a folder of images, an image file '
                                'or a dataset root')
    single = osp.isfile(args.input)
    if single and args.dataset not in ('auto', 'folder'):
        raise ValueError(f'--dataset {args.dataset} needs the dataset root folder, not the file {args.input}')
    base = osp.dirname(args.input) if single else args.input  # image paths in the outputs are relative to it
    kind = 'folder' if single else detect_kind(args.input) if args.dataset == 'auto' else args.dataset
    if kind == 'folder':
        if not args.object:
            raise SystemExit('error: a plain folder of images needs --object NAME (the inspected object in '
                             'words)')
        name = validate_object_name(args.object)
        samples = image_file_samples(args.input, name) if single else folder_samples(args.input, name)
    else:
        samples = dataset_samples(args.input, kind, args.categories, args.textures)
        if args.object:  # one name for every category, e.g. to try other words
            name = validate_object_name(args.object)
            for s in samples:
                s['object_name'] = name
    ad = AnomalyLocalizer(args.config, args.checkpoint, args.device, args.cfg_options)
    has_gt = kind != 'folder'
    rows, maps, masks, scores, labels, cats, skipped = [], [], [], [], [], [], []
    groups = {}
    for s in samples:  # batch images of the same object and domain
        groups.setdefault((s['object_name'], s.get('domain')), []).append(s)
    bar = tqdm(total=len(samples), desc='AnoVL', unit='img')
    for (name, domain), group in groups.items():
        for i in range(0, len(group), args.batch_size):
            chunk, rgb = [], []
            for s in group[i:i + args.batch_size]:
                try:
                    rgb.append(read_rgb(s['img_path']))
                    chunk.append(s)
                except ValueError:  # one corrupt file must not cost the whole run
                    tqdm.write(f"warning: skipping {s['img_path']}: not a readable image", file=sys.stderr)
                    skipped.append(s['img_path'])
                    bar.update(1)
            if not chunk:
                continue
            res = ad.predict(rgb, name, domain, tta=args.tta, batch_size=args.batch_size, original_size=False)
            for s, im, amap, score in zip(chunk, rgb, res.maps, res.scores):
                rel = osp.relpath(s['img_path'], base)
                if not args.no_overlays:
                    dst = osp.join(args.out, 'overlays', s['category'], osp.splitext(rel)[0] + '.png')
                    os.makedirs(osp.dirname(dst), exist_ok=True)
                    big = cv2.resize(amap, (im.shape[1], im.shape[0]), interpolation=cv2.INTER_LINEAR)
                    cv2.imwrite(dst, overlay(im, big))
                row = dict(image=rel, category=s['category'], object=name, domain=domain or infer_domain(name),
                           score=f'{score:.6f}')
                if has_gt:
                    row.update(label=s['anomaly_label'], defect=s.get('defect_type', ''))
                    maps.append(amap)
                    masks.append(load_mask(s['seg_map_path'], amap.shape))
                    scores.append(float(score))
                    labels.append(int(s['anomaly_label']))
                    cats.append(s['category'])
                rows.append(row)
                bar.update(1)
    bar.close()
    if not rows:
        more = f' and {len(skipped) - 1} more' if len(skipped) > 1 else ''
        raise ValueError(f'no readable image in {args.input}: cannot read image {skipped[0]}{more}; give '
                         'PNG/JPEG/BMP/TIFF images')
    os.makedirs(args.out, exist_ok=True)
    with open(osp.join(args.out, 'scores.csv'), 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    if not has_gt:
        print(f'wrote {len(rows)} overlays and scores.csv to {args.out}'
              + (f' (skipped {len(skipped)} unreadable images)' if skipped else ''))
        return None
    per_cat = evaluate_by_category(cats, maps, masks, scores, labels)
    table = metrics_table(per_cat)
    with open(osp.join(args.out, 'metrics.md'), 'w') as f:
        table.set_style(TableStyle.MARKDOWN)
        f.write(table.get_string() + '\n')
    with open(osp.join(args.out, 'metrics.json'), 'w') as f:
        json.dump({c: {m: round(100 * r[m], 3) for m in METRIC_NAMES} for c, r in per_cat.items()}, f, indent=1)
    print(table.get_string())
    return per_cat


def main(argv=None):
    args = parse_args(argv)
    try:
        return run(args)
    except (ValueError, FileNotFoundError, KeyError) as err:
        raise SystemExit(f'error: {err}') from None


if __name__ == '__main__':
    from clipdense.utils.cli import run_cli
    run_cli(main)
