"""Open-vocabulary segmentation of your own images with OVSeg and any list of class names.

    python demo/ovseg_demo.py IMAGE_OR_FOLDER --classes "dog,grass,red frisbee" \
        --config configs/ovseg/ovseg_swin-b_vit-l14_eval_ade150.py --checkpoint <proposal weights>.pth \
        [--clip-checkpoint ~/.cache/clipdense/clip] [--adapted-clip maskclip.pth] [--out-dir DIR]
    python demo/ovseg_demo.py IMAGE --classes classes.txt ...      # one class per line

For every image it writes ``<name>_overlay.png`` (the image tinted by class colours with a legend
of the classes found) and ``<name>_labels.png`` (the raw label map: pixel value = index in the
class list; 16-bit when there are more than 255 classes; for a one-class list, 1 = unlabelled).
An unreadable image in a folder is reported on one ``warning:`` line and skipped; the others are
still processed (an unreadable single image is an error).
``--toy`` segments toy-world scenes with the toy world's tiny CLIP; the toy proposal generator is
trained on first use (a few minutes on CPU) and cached in ``work_dirs/ovseg_toy/seed0``::

    python demo/ovseg_demo.py --toy                      # 4 toy scenes, background + 8 colour names
    python demo/ovseg_demo.py --toy my_scene.png --classes "background,cyan,purple,red"
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='OVSeg open-vocabulary segmentation demo')
    p.add_argument('input', nargs='?', help='an image file or a folder of images (--toy: 4 toy val scenes)')
    p.add_argument('--classes', help='class names: comma-separated, or a .txt file with one per line')
    p.add_argument('--config', help='OVSeg config (configs/ovseg/...)')
    p.add_argument('--checkpoint', help='OVSeg weights (.pth) from tools/train.py')
    p.add_argument('--clip-checkpoint', help='local CLIP weights (file or folder) for the crop classifier')
    p.add_argument('--adapted-clip', help='mask-adapted CLIP checkpoint from the fine-tuning configs')
    p.add_argument('--clip-weight', type=float, help='lambda of the CLIP / proposal ensemble')
    p.add_argument('--toy', action='store_true', help='use the toy world\'s tiny CLIP and OVSeg weights')
    p.add_argument('--out-dir', default='outputs/ovseg_demo', help='where the PNGs go')
    p.add_argument('--device', default='cpu', help='cpu or cuda:0')
    p.add_argument('--opacity', type=float, default=0.5, help='colour opacity of the overlay')
    return p.parse_args(argv)


def list_images(path):
    if osp.isdir(path):
        files = sorted(f for f in os.listdir(path) if f.lower().endswith(IMAGE_EXTS))
        return [osp.join(path, f) for f in files]
    if not osp.exists(path):
        raise SystemExit(f'error: input {path} does not exist; give an image file or a folder of images')
    return [path]


def toy_scenes(root: str = 'data/toyworld', n: int = 4):
    """The first ``n`` toy val scenes (the toy world is generated if missing)."""
    from clipdense.toyworld import ensure_toy_world
    ensure_toy_world(root, parts=['objects'], verbose=False)
    return list_images(osp.join(root, 'objects', 'images', 'val'))[:n]


def palette(n: int) -> np.ndarray:
    """``[n, 3]`` uint8 distinct colours: golden-ratio hues, saturation 0.8, every third one darker."""
    i = np.arange(n)
    h, s, v = (i * 0.618034) % 1.0, 0.8, np.where(i % 3 == 2, 0.75, 1.0)
    k = (np.array([5.0, 3.0, 1.0]) + h[:, None] * 6) % 6                      # HSV -> RGB
    rgb = v[:, None] * (1 - s * np.clip(np.minimum(k, 4 - k), 0, 1))
    return np.round(rgb * 255).astype(np.uint8)


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def render_overlay(rgb: np.ndarray, labels: np.ndarray, names, opacity: float = 0.5) -> Image.Image:
    """Image tinted by class colour, with a legend of the classes present (largest first)."""
    colours = palette(len(names))
    known = labels < len(names)
    tint = colours[np.where(known, labels, 0)]
    out = np.where(known[..., None], (1 - opacity) * rgb + opacity * tint, rgb).astype(np.uint8)
    ids, counts = np.unique(labels[known], return_counts=True)
    ids = ids[np.argsort(-counts)]
    size = max(12, min(rgb.shape[:2]) // 24)
    font = _font(size)
    row = size + 6
    width = max([int(font.getlength(str(names[k]))) for k in ids] + [40]) + row + 16
    canvas = Image.new('RGB', (out.shape[1] + width, max(out.shape[0], row * len(ids) + 8)), 'white')
    canvas.paste(Image.fromarray(out), (0, 0))
    draw = ImageDraw.Draw(canvas)
    x0 = out.shape[1] + 8
    for r, k in enumerate(ids):
        y = 4 + r * row
        draw.rectangle([x0, y, x0 + size, y + size], fill=tuple(int(c) for c in colours[k]), outline='black')
        draw.text((x0 + size + 6, y), str(names[k]), fill='black', font=font)
    return canvas


def save_labels(labels: np.ndarray, path: str, num_classes: int):
    dtype = np.uint8 if num_classes + 1 <= 255 else np.uint16
    Image.fromarray(labels.astype(dtype)).save(path)


def _fail(msg: str):
    raise SystemExit(f'error: {msg}')


def resolve_weights(args):
    """Config, OVSeg checkpoint, CLIP checkpoint and class list, or a one-line error."""
    from clipdense.utils.cli import check_checkpoint_file
    if args.toy:
        from clipdense.models.ovseg.toy import toy_demo_defaults
        config, checkpoint, clip_ckpt, classes = toy_demo_defaults()
        args.config = args.config or config
        args.checkpoint = args.checkpoint or checkpoint
        args.clip_checkpoint = args.clip_checkpoint or clip_ckpt
        args.classes = classes if args.classes is None else args.classes  # "" is no class, not the default
    if args.classes is None:
        _fail('no classes given; pass --classes "a,b,c" or --classes FILE.txt (one class per line)')
    if not args.config or not osp.isfile(args.config):
        _fail(f'config {args.config} not found; pass --config configs/ovseg/<model>.py')
    if not args.checkpoint or not osp.isfile(args.checkpoint):
        _fail(f'no OVSeg weights found at {args.checkpoint}; pass --checkpoint PATH.pth (train one with '
              'tools/train.py and a configs/ovseg proposal config, or use --toy for the toy world)')
    check_checkpoint_file(args.checkpoint, 'OVSeg weights')
    if args.adapted_clip:
        check_checkpoint_file(args.adapted_clip, 'mask-adapted CLIP checkpoint')


def build_model(args):
    """Build OVSeg from the config and weights; returns (class names, predict(bgr) -> labels)."""
    import clipdense  # noqa: F401  (registers the OVSeg modules)
    from clipdense.clip import CLIPCheckpointError
    from clipdense.models.ovseg import load_class_names
    from clipdense.models.ovseg.inference import inference_pipeline, init_ovseg, segment_image

    resolve_weights(args)
    try:
        names = load_class_names(args.classes)
        clip = dict(checkpoint=args.clip_checkpoint) if args.clip_checkpoint else {}
        if args.adapted_clip:
            clip['adapted_checkpoint'] = args.adapted_clip
        extra = dict(clip_weight=args.clip_weight) if args.clip_weight is not None else {}
        model, cfg = init_ovseg(args.config, args.checkpoint, args.device, test_class_names=names,
                                clip_classifier=clip, **extra)
    except (CLIPCheckpointError, FileNotFoundError, ValueError) as err:
        _fail(str(err).splitlines()[0])
    pipeline = inference_pipeline(cfg, from_array=True)
    return names, lambda bgr: segment_image(model, pipeline, bgr)


def main(argv=None):
    args = parse_args(argv)
    if args.input is None and not args.toy:
        raise SystemExit('error: no input; give an image file or a folder of images')
    if args.classes is not None:  # checked before anything slow (--toy trains its proposals on first use)
        from clipdense.models.ovseg import load_class_names
        load_class_names(args.classes)
    images = list_images(args.input) if args.input else toy_scenes()
    if not images:
        raise SystemExit(f'error: no images ({", ".join(IMAGE_EXTS)}) in {args.input}')
    if args.input and not osp.isdir(args.input) and cv2.imread(images[0], cv2.IMREAD_COLOR) is None:
        raise ValueError(f'{images[0]} is not a readable image file; give an image '
                         f'({", ".join(IMAGE_EXTS)}) or a folder of images')
    names, predict = build_model(args)
    os.makedirs(args.out_dir, exist_ok=True)
    failed = 0
    for path in images:
        bgr = cv2.imread(path, cv2.IMREAD_COLOR)
        if bgr is None:
            print(f'warning: skipping {path}: not a readable image', file=sys.stderr)
            failed += 1
            continue
        labels = predict(bgr)
        stem = osp.splitext(osp.basename(path))[0]
        k = -(-256 // max(labels.shape))  # small images are shown enlarged (pixels kept square)
        rgb, shown = bgr[..., ::-1], labels
        if k > 1:
            rgb, shown = (np.repeat(np.repeat(a, k, 0), k, 1) for a in (rgb, labels))
        render_overlay(rgb, shown, names, args.opacity).save(
            osp.join(args.out_dir, f'{stem}_overlay.png'))
        save_labels(labels, osp.join(args.out_dir, f'{stem}_labels.png'), len(names))
        print(f'{path} -> {args.out_dir}/{stem}_overlay.png, {stem}_labels.png')
    if failed == len(images):
        raise ValueError(f'none of the {len(images)} images in {args.input or "the toy scenes"} is readable; '
                         f'give a folder of images ({", ".join(IMAGE_EXTS)})')
    return 0


if __name__ == '__main__':
    from clipdense.utils.cli import run_cli
    sys.exit(run_cli(main))
