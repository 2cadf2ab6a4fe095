"""The main job (``make demo``): clipdense's methods end to end on the toy world, on CPU.

Steps (one function each; a method joins the job by adding its function to ``STEPS``):

1. ``world``       generate the toy world in ``data/toyworld`` if it is missing (~30 s);
2. ``vltseg``      VLTSeg (configs/vltseg/vltseg_tiny-vit_toy-gta2cs.py): the toy-pretrained tiny
                   CLIP ViT + Mask2Former trained on the GTA5-layout source with ``tools/train.py``,
                   then one ``tools/test.py`` run on source-val and the Cityscapes-layout target:
                   a table per domain and both mIoUs (~2 min);
3. ``open_vocab``  zero-shot segmentation of object scenes from class names given as text
                   (value-path readout of the tiny CLIP): PNG overlay and pixel accuracy;
4. ``anomaly``     zero-shot anomaly localisation on the MVTec-layout set: AnoVL (TFA, and
                   TFA + test-time adaptation) next to the plain CLIP patch-vs-text baseline, pixel
                   and image AUROC, heat-map overlays;
5. ``affordance``  AffordanceCLIP trained on toy referring expressions (no action labels) through
                   ``tools/train.py``, scored on every (tool, action) of the UMD-layout set (KLD,
                   SIM, NSS vs the dense-CLIP baseline), and a heat-map panel for "hold", "cut",
                   "scoop" on one tool image (~1.5 min);
6. ``ovseg``       OVSeg: the MaskFormer-style proposal generator trained on seen colours with
                   ``tools/train.py``, its proposals classified by the tiny CLIP from class names:
                   IoU on held-out and seen colours, and an overlay with a legend (~1.5 min);
7. ``reco``        ReCo: colour concepts named at inference, images retrieved from the unlabeled
                   pool and co-segmented, vs the CLIP dense readout (~1 min);
8. ``denseclip``   DenseCLIP (context decoder, pixel-text score maps) fine-tuned from the tiny CLIP
                   on toy colour segmentation with ``tools/train.py`` (~1.5 min).

Everything lands in one folder, named in the last line printed (default ``outputs/main_job``).

    .venv/bin/python demo/main_job.py [--steps world open_vocab] [--iters 160] [--threads 1]
"""
import argparse
import json
import logging
import os
import os.path as osp
import re
import subprocess
import sys
import time
from types import SimpleNamespace

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)
CHECKPOINT = osp.join(ROOT, 'clipdense', 'assets', 'toy_clip_tiny-ViT.pt')
VLTSEG_CONFIG = osp.join(ROOT, 'configs', 'vltseg', 'vltseg_tiny-vit_toy-gta2cs.py')
ANOVL_CONFIG = osp.join(ROOT, 'configs', 'anovl', 'anovl_tiny-vit_toy-mvtec.py')
AFFORDANCE_CONFIG = osp.join(ROOT, 'configs', 'affordanceclip', 'affordanceclip_tiny-vit_toy.py')
DENSECLIP_CONFIG = osp.join(ROOT, 'configs', 'denseclip', 'denseclip_fpn_tiny-vit_toy-objects-colour.py')


def log(msg: str) -> None:
    print(msg, flush=True)


class _QuietOpenClip(logging.Filter):
    """Drop open_clip's "No pretrained weights loaded" warning: the weights come right after."""

    def filter(self, record):
        return not record.getMessage().startswith('No pretrained weights loaded')


def load_toy_clip():
    from clipdense.clip import build_clip
    if not osp.isfile(CHECKPOINT):
        raise FileNotFoundError(f'toy CLIP checkpoint missing at {CHECKPOINT}; restore it from git or '
                                'recreate it with `.venv/bin/python tools/pretrain_toy_clip.py`')
    return build_clip('tiny-ViT', CHECKPOINT)


def class_names(classes: str):
    """The ``--classes`` text as a list of names; ``ValueError`` (one line) on an empty name."""
    from clipdense.clip import validate_class_names
    try:
        return validate_class_names(classes)
    except ValueError as err:
        raise ValueError(f'--classes {classes!r}: {err}') from None


def read_image(path: str):
    """``uint8 [H, W, 3]`` RGB of the ``--image`` file; ``FileNotFoundError``/``ValueError``
    (one line, naming the file) when it is missing or not a readable image."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError
    if not osp.isfile(path):
        raise FileNotFoundError(f'--image {path} not found; give the path of an image file '
                                '(PNG, JPEG, ...) or leave --image out to segment the toy scenes')
    try:
        with Image.open(path) as img:
            return np.asarray(img.convert('RGB'))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise ValueError(f'--image {path} is not a readable image ({type(err).__name__}); give a '
                         'PNG or JPEG file') from None


def step_world(job):
    """Generate the toy world (only the missing parts; the CLIP corpus is not needed here)."""
    from clipdense.toyworld import PARTS, ensure_toy_world
    ensure_toy_world(job.root, parts=[p for p in PARTS if p != 'clip_pretrain'])
    return {}


def _run_tool(job, cmd, tag):
    """Run an OpenMMLab tool, echo its progress lines, return its whole output."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    proc = subprocess.Popen([sys.executable] + cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        it = re.search(r'Iter\(train\) \[\s*(\d+)/(\d+)\].*?eta: (\S+).*?loss: ([\d.]+)', line)
        if it:
            log(f'  [{tag}] iter {it.group(1)}/{it.group(2)}  loss {it.group(4)}  eta {it.group(3)}')
        elif 'mIoU:' in line:
            log(f'  [{tag}] ' + line.split(' - INFO - ')[-1].strip())
    if proc.wait() != 0:
        raise RuntimeError(f'{cmd[0]} failed:\n' + ''.join(lines[-40:]))
    return ''.join(lines)


def step_vltseg(job):
    """VLTSeg: source-only training on toy GTA5, test on toy GTA5-val and toy Cityscapes."""
    work = osp.join(job.out, 'vltseg')
    data = [f'train_dataloader.dataset.data_root={job.root}/gta5',
            f'val_dataloader.dataset.data_root={job.root}/cityscapes',
            f'test_dataloader.dataset.datasets.0.data_root={job.root}/gta5',
            f'test_dataloader.dataset.datasets.1.data_root={job.root}/cityscapes']
    iters = [f'train_cfg.max_iters={job.iters}', f'train_cfg.val_interval={job.iters}',
             f'default_hooks.checkpoint.interval={job.iters}', f'param_scheduler.1.end={job.iters}']
    _run_tool(job, ['tools/train.py', VLTSEG_CONFIG, '--work-dir', work, '--cfg-options', *data, *iters],
              'train')
    out = _run_tool(job, ['tools/test.py', VLTSEG_CONFIG, osp.join(work, f'iter_{job.iters}.pth'),
                          '--work-dir', osp.join(work, 'test'), '--cfg-options', *data], 'test')
    table = [ln.strip() for ln in out.splitlines() if ln.startswith('|') and
             ln.split('|')[1].strip() in ('Domain', 'gta5-val', 'cityscapes-val')]
    log('  ' + '\n  '.join(table))
    found = {d: float(v) for d, v in re.findall(r'(gta5-val|cityscapes-val)/mIoU: ([\d.]+)', out)}
    if len(found) != 2:
        raise RuntimeError('tools/test.py printed no per-domain mIoU:\n' + out[-2000:])
    log(f'  mIoU source-val (toy GTA5) {found["gta5-val"]:.1f}   '
        f'target (toy Cityscapes val) {found["cityscapes-val"]:.1f}')
    return dict(miou_source_val=found['gta5-val'], miou_target=found['cityscapes-val'])


def step_open_vocab(job):
    """Zero-shot segmentation of the held-out object scenes from class names given as text."""
    import numpy as np

    from clipdense.toyworld import UNSEEN_COLOURS
    from clipdense.toyworld.clip_quality import load_object_split
    from clipdense.toyworld.zero_shot_segmentation import (colour_overlay, display_palette, legend,
                                                           save_panel, segment_with_class_names)
    names = class_names(job.classes)
    model = load_toy_clip()
    result = dict(classes=names)
    if job.image:
        image, label = read_image(job.image), None
        pred = segment_with_class_names(model, image, names)
    else:  # all val scenes
        images, colours, _, objects = load_object_split(job.root, 'val')
        preds = segment_with_class_names(model, images, names)
        truth = _colour_truth(colours, names)
        fg, bg = colours > 0, colours == 0
        result.update(object_pixel_acc=float((preds[fg] == truth[fg]).mean()),
                      background_pixel_acc=float((preds[bg] == truth[bg]).mean()))
        # show a typical scene: three objects, one in a held-out colour, accuracy nearest the mean
        per_scene = ((preds == truth) & fg).sum((1, 2)) / np.maximum(fg.sum((1, 2)), 1)
        candidates = [i for i, objs in enumerate(objects)
                      if len(objs) == 3 and any(o['colour'] in UNSEEN_COLOURS for o in objs)]
        idx = min(candidates, key=lambda i: abs(per_scene[i] - result['object_pixel_acc']))
        image, label, pred = images[idx], truth[idx], preds[idx]
        log(f'  {len(images)} held-out scenes: pixel accuracy {100 * result["object_pixel_acc"]:.1f}% '
            f'on objects, {100 * result["background_pixel_acc"]:.1f}% on background '
            f'(chance {100 / len(names):.1f}%)')
        log(f'  shown: objects/images/val/{idx:06d}.png ({100 * per_scene[idx]:.0f}% on its objects): '
            + ', '.join(f"{o['colour']} {o['shape']}" for o in objects[idx]))
    palette = display_palette(names)
    panels = [image, colour_overlay(image, pred, palette)]
    if label is not None:
        panels.append(colour_overlay(image, label, palette))
    path = osp.join(job.out, 'open_vocab_segmentation.png')
    save_panel(path, panels)
    log(f'  classes: {legend(names, palette)}\n  wrote {path} (image | prediction | ground truth)')
    return result


def _colour_truth(colours, names):
    """Colour label maps (0 background, i + 1 colour i) in the indices of the queried ``names``
    (255 where a colour or the background is not among them)."""
    import numpy as np

    from clipdense.toyworld import COLOUR_NAMES
    lut = np.full(256, 255, np.int64)
    for c, name in enumerate(('background',) + COLOUR_NAMES):
        if name in names:
            lut[c] = names.index(name)
    return lut[colours]


def step_anomaly(job):
    """Zero-shot anomaly localisation on the toy MVTec set: AnoVL vs plain CLIP patch-vs-text."""
    import numpy as np
    import torch

    from clipdense.clip import build_dense_encoder
    from clipdense.models.anovl import AnomalyLocalizer
    from clipdense.toyworld.vocabulary import MVTEC_CATEGORIES, MVTEC_TEXTURES
    from clipdense.toyworld.zero_shot_anomaly import (anomaly_maps, auroc, heatmap_overlay,
                                                      load_mvtec_test, state_embeddings)
    from clipdense.toyworld.zero_shot_segmentation import save_panel
    model = load_toy_clip()
    encoder = build_dense_encoder(model, out_indices=(), dense_mode='value').eval()
    anovl = AnomalyLocalizer(ANOVL_CONFIG, checkpoint=CHECKPOINT)
    os.makedirs(osp.join(job.out, 'anomaly'), exist_ok=True)
    result = {}
    log(f'  {"category":<9}{"pixel / image AUROC:":<22}{"plain CLIP":<14}{"AnoVL TFA":<14}AnoVL TFA+TTA')
    for cat in MVTEC_CATEGORIES:
        images, masks, defects = load_mvtec_test(osp.join(job.root, 'mvtec'), cat)
        labels = np.array([d != 'good' for d in defects])
        plain_maps, plain_scores = anomaly_maps(encoder, images, state_embeddings(model, [cat, 'surface']))
        domain = 'texture' if cat in MVTEC_TEXTURES else 'object'
        torch.manual_seed(0)  # the test-time adapter draws noise: same numbers on every run
        out = anovl.predict(list(images), object_name=cat, domain=domain, tta=True)
        tfa, tta = np.stack(out.tfa_maps), np.stack(out.maps)
        result[cat] = {name: dict(pixel_auroc=auroc(maps, masks), image_auroc=auroc(out.scores if name != 'plain'
                                                                                     else plain_scores, labels))
                       for name, maps in (('plain', plain_maps), ('anovl_tfa', tfa), ('anovl_tfa_tta', tta))}
        cells = [f'{100 * r["pixel_auroc"]:.1f} / {100 * r["image_auroc"]:.1f}' for r in result[cat].values()]
        log(f'  {cat:<9}{"":<22}{cells[0]:<14}{cells[1]:<14}{cells[2]}   ({len(images)} test images)')
        for name, maps in (('plain', plain_maps), ('anovl', tfa)):
            lo, hi = np.percentile(maps, [1, 99])  # one display range per category and method
            for defect in sorted(set(defects)):
                i = defects.index(defect)
                heat = (maps[i] - lo) / max(hi - lo, 1e-6)
                save_panel(osp.join(job.out, 'anomaly', f'{cat}_{defect}_{name}.png'),
                           [images[i], heatmap_overlay(images[i], heat),
                            (masks[i] * 255).astype(np.uint8)], upscale=2)
    log('  (test-time adaptation refines the maps only: both AnoVL columns share the TFA image score)')
    log(f'  wrote heat maps to {osp.join(job.out, "anomaly")} (image | anomaly map | ground truth; '
        '*_anovl.png: AnoVL TFA, *_plain.png: plain CLIP)')
    return result


def step_affordance(job):
    """AffordanceCLIP on the toy tools: train without action labels, score, draw heat maps."""
    import glob

    work = osp.join(job.out, 'affordance')
    scores = osp.join(work, 'scores.json')
    _run_tool(job, ['tools/benchmarks/bench_affordanceclip.py', '--toy', '--iters', str(job.aff_iters),
                    '--world', job.root, '--work-dir', work, '--threads', str(job.threads or 2),
                    '--out', scores], 'train')
    with open(scores) as f:
        table = json.load(f)['methods']
    log(f'  {"method":<16}{"KLD (lower better)":<20}{"SIM":<8}{"NSS":<8}peak on the part')
    for name in ('affordanceclip', 'clip_dense', 'centre'):
        r = table[name]
        log(f'  {name:<16}{r["KLD"]:<20.2f}{r["SIM"]:<8.3f}{r["NSS"]:<8.2f}{100 * r["hit"]:.0f}%')
    knives = sorted(glob.glob(osp.join(job.root, 'umd', 'knife', '*', '*_rgb.jpg')))
    if not knives:
        raise FileNotFoundError(f'no toy knife images under {job.root}/umd; run the world step first '
                                '(demo/main_job.py --steps world)')
    image = knives[0]
    panel = osp.join(job.out, 'affordance_knife.png')
    _run_tool(job, ['demo/affordance_demo.py', image, 'hold', 'cut', 'scoop', '--config', AFFORDANCE_CONFIG,
                    '--checkpoint', osp.join(work, f'iter_{job.aff_iters}.pth'), '--out', panel,
                    '--cfg-options', f'model.clip.checkpoint={CHECKPOINT}'], 'query')
    log(f'  wrote {panel} ({osp.relpath(image, job.root)}: heat maps for "hold", "cut", "scoop")')
    return {k: {m: v for m, v in table[k].items() if m != 'per_action'} for k in table}


def step_ovseg(job):
    """OVSeg: proposals trained on seen colours, classified by CLIP from names typed as text."""
    import glob

    from clipdense.models.ovseg import toy
    work = osp.join(job.out, 'ovseg')
    data = [f'{k}.dataset.data_root={job.root}/objects'
            for k in ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    _run_tool(job, ['tools/train.py', toy.TOY_CONFIG, '--work-dir', work, '--cfg-options', *data], 'train')
    proposals = osp.join(work, 'iter_400.pth')
    iou = toy.evaluate_toy(job.root, proposals)
    log(f'  200 held-out scenes, 9 names: mIoU {iou["mIoU(seen)"]:.1f} on the 7 seen classes, '
        f'{iou["mIoU(unseen)"]:.1f} on the 2 colours never seen in training (cyan {iou["cyan"]:.1f}, '
        f'purple {iou["purple"]:.1f})')
    scene = sorted(glob.glob(osp.join(job.root, 'objects', 'images', 'val', '*.png')))[14]
    _run_tool(job, ['demo/ovseg_demo.py', scene, '--classes', ','.join(toy.ALL_CLASSES), '--config',
                    toy.TOY_CONFIG, '--checkpoint', proposals, '--clip-checkpoint', CHECKPOINT,
                    '--out-dir', work], 'overlay')
    log(f'  wrote {work}/{osp.splitext(osp.basename(scene))[0]}_overlay.png (and _labels.png)')
    return {k: round(v, 2) for k, v in iou.items()}


def step_reco(job):
    """ReCo: retrieve pool images for each concept name, co-segment them, segment the scenes."""
    out = _run_tool(job, ['tools/benchmarks/bench_reco.py', '--toy', '--toy-root', job.root,
                          '--threads', str(job.threads or 2)], 'reco')
    rows = [json.loads(line) for line in out.splitlines() if line.startswith('{"step": "toy-world"')]
    log(f'  {"concepts":<9}{"method":<36}pixel acc   mIoU   (object pixels of 200 held-out scenes)')
    for r in rows:
        log(f'  {r["concepts"]:<9}{r["method"]:<36}{r["pixel_acc"]:<12}{r["miou"]}')
    return rows


def step_denseclip(job):
    """DenseCLIP fine-tuned from the tiny CLIP on toy colour segmentation."""
    work = osp.join(job.out, 'denseclip')
    data = [f'{k}.dataset.data_root={job.root}/objects' for k in ('train_dataloader', 'val_dataloader')]
    ckpt = [f'model.backbone.checkpoint={CHECKPOINT}', f'model.text_encoder.checkpoint={CHECKPOINT}']
    out = _run_tool(job, ['tools/train.py', DENSECLIP_CONFIG, '--work-dir', work, '--cfg-options',
                          *data, *ckpt], 'train')
    miou = float(re.findall(r'mIoU: ([\d.]+)', out)[-1])
    log(f'  mIoU {miou:.1f} on 200 held-out scenes (background + 8 colours; the 2 never seen in '
        'training score 0)')
    return dict(miou=miou)


STEPS = [('world', step_world), ('vltseg', step_vltseg), ('open_vocab', step_open_vocab),
         ('anomaly', step_anomaly), ('affordance', step_affordance), ('ovseg', step_ovseg),
         ('reco', step_reco), ('denseclip', step_denseclip)]


def main(argv=None):
    from clipdense.toyworld import COLOUR_NAMES
    p = argparse.ArgumentParser(description='Run clipdense end to end on the toy world.')
    p.add_argument('--root', default='data/toyworld', help='toy world folder (made if missing)')
    p.add_argument('--out', default='outputs/main_job', help='output folder')
    p.add_argument('--steps', nargs='*', default=[n for n, _ in STEPS], choices=[n for n, _ in STEPS])
    p.add_argument('--iters', type=int, default=160, help='training iterations of the vltseg step')
    p.add_argument('--aff-iters', type=int, default=300, help='training iterations of the affordance step')
    p.add_argument('--classes', default=', '.join(COLOUR_NAMES + ('background',)),
                   help='class names for the open-vocabulary step (comma-separated)')
    p.add_argument('--image', default=None, help='segment this image instead of a toy scene')
    p.add_argument('--threads', type=int, default=None,
                   help='CPU threads for torch here and in the tools (1 is fastest on a busy machine)')
    args = p.parse_args(argv)
    if not args.steps:  # would overwrite summary.json with an empty one
        raise ValueError('--steps is given without a step name; name at least one of '
                         + ', '.join(n for n, _ in STEPS) + ', or leave --steps out to run them all')
    if 'open_vocab' in args.steps:  # bad input ends the job here, before any step has run
        class_names(args.classes)
        if args.image:
            read_image(args.image)
    if osp.exists(args.out) and not osp.isdir(args.out):
        raise NotADirectoryError(f'--out {args.out} is a file, not a folder; pass a folder path')
    logging.getLogger().addFilter(_QuietOpenClip())  # open_clip logs on the root logger
    if args.threads:
        import torch
        torch.set_num_threads(args.threads)
        os.environ['OMP_NUM_THREADS'] = str(args.threads)
    job = SimpleNamespace(root=osp.abspath(args.root), out=osp.abspath(args.out), iters=args.iters,
                          aff_iters=args.aff_iters, threads=args.threads, classes=args.classes,
                          image=args.image)
    os.makedirs(job.out, exist_ok=True)
    chosen = [(n, f) for n, f in STEPS if n in args.steps]
    summary, start = {}, time.time()
    for k, (name, fn) in enumerate(chosen, 1):
        t = time.time()
        log(f'[demo {k}/{len(chosen)}] {name}: {fn.__doc__.strip().splitlines()[0]}')
        summary[name] = fn(job)
        log(f'[demo {k}/{len(chosen)}] {name} done in {time.time() - t:.0f}s')
    path = osp.join(job.out, 'summary.json')
    if osp.isfile(path):  # a run of some steps keeps the other steps' numbers of earlier runs
        try:
            with open(path) as f:
                summary = {**json.load(f), **summary}
        except (OSError, ValueError, TypeError):
            pass  # unreadable: replaced by this run's numbers
    with open(path, 'w') as f:
        json.dump(summary, f, indent=1)
    log(f'[demo] all steps done in {time.time() - start:.0f}s; numbers in summary.json')
    log(f'outputs: {job.out}')


if __name__ == '__main__':
    from clipdense.utils.cli import run_cli
    run_cli(main)
