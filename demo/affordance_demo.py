"""Where in this image can I ...? AffordanceCLIP heat maps for any action text.

    python demo/affordance_demo.py IMAGE "peel" ["cut with" ...] \
        --config configs/affordanceclip/affordanceclip_rn101_refcocog-416_agd20k-seen.py \
        --checkpoint work_dirs/affordanceclip/best_SIM_epoch_50.pth [--out outputs/affordance.png]

Writes one PNG with a panel per action: the image overlaid with the action's heat map (jet colour
map, min-max normalised per action as in the AGD20K evaluation) and the action and its peak
probability written on the panel. ``--out`` may name a folder: the PNG goes there as
``<image name>_affordance.png``. A missing image, checkpoint or CLIP weight file, a file that is not
a checkpoint and a checkpoint with no weights of the configured model are reported on one line
naming the file and what to do.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from clipdense.utils.cli import check_checkpoint_file, run_cli  # noqa: E402

GT_LOADERS = ('LoadAffordanceHeatmap', 'LoadUMDAnnotations', 'LoadAnnotations')


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description='AffordanceCLIP: heat maps of actions on an image')
    p.add_argument('image', help='an image file')
    p.add_argument('actions', nargs='+', help='action prompts, e.g. "hold" "cut with" "peel"')
    p.add_argument('--config', required=True, help='an AffordanceCLIP config (configs/affordanceclip/)')
    p.add_argument('--checkpoint', required=True, help='trained AffordanceCLIP weights (.pth)')
    p.add_argument('--out', default='outputs/affordance_demo.png',
                   help='output PNG, or a folder to write <image name>_affordance.png into')
    p.add_argument('--device', default='cpu', help='cpu or cuda:0')
    p.add_argument('--alpha', type=float, default=0.5, help='heat-map opacity')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default={}, metavar='KEY=VALUE',
                   help='config overrides, as in tools/train.py')
    return p.parse_args(argv)


def overlay(rgb: np.ndarray, heat: np.ndarray, label: str, alpha: float = 0.5) -> np.ndarray:
    """``rgb [H, W, 3]`` uint8, ``heat [H, W]`` any range -> RGB panel with the label on it."""
    norm = (heat - heat.min()) / (heat.max() - heat.min() + 1e-10)
    colour = cv2.applyColorMap((norm * 255).astype(np.uint8), cv2.COLORMAP_JET)[..., ::-1]
    panel = ((1 - alpha) * rgb + alpha * colour).astype(np.uint8)
    scale = max(0.35, min(rgb.shape[:2]) / 500)
    cv2.putText(panel, label, (4, int(18 * scale) + 4), cv2.FONT_HERSHEY_SIMPLEX, scale,
                (255, 255, 255), max(1, int(2 * scale)), cv2.LINE_AA)
    return panel


def output_path(out: str, image: str) -> str:
    """The PNG to write: ``out`` itself, or ``<out>/<image stem>_affordance.png`` when ``out`` is a
    folder (an existing one, or a path ending in a separator)."""
    if osp.isdir(out) or out.endswith(('/', os.sep)):
        out = osp.join(out, osp.splitext(osp.basename(image))[0] + '_affordance.png')
    if not cv2.haveImageWriter(out):
        raise ValueError(f'--out {out}: cannot write an image with this file extension; '
                         'end the name in .png (or .jpg), or pass a folder')
    return out


def load_weights(model, checkpoint: str, config: str) -> None:
    """Load ``checkpoint`` (already passed :func:`check_checkpoint_file` in :func:`load_model`)
    into ``model`` (keys as tools/train.py saves them); ``ValueError`` when it cannot be unpickled
    or holds none of the model's weights, a warning line when some are missing."""
    import pickle
    import warnings

    from mmengine.runner.checkpoint import _load_checkpoint, _load_checkpoint_to_model
    try:
        with warnings.catch_warnings():  # torch's unpickler warns about odd protocols before failing
            warnings.simplefilter('ignore')
            ckpt = _load_checkpoint(checkpoint, map_location='cpu', logger='silent')
    except (pickle.UnpicklingError, RuntimeError, EOFError, AttributeError, ImportError) as err:
        raise ValueError(f'checkpoint {checkpoint} is damaged or not a PyTorch checkpoint '
                         f'({type(err).__name__}); point to the .pth file that tools/train.py {config} '
                         'wrote') from None
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise ValueError(f'checkpoint {checkpoint} holds no state_dict; point to the .pth file that '
                         f'tools/train.py {config} wrote')
    state = {k[len('module.'):] if k.startswith('module.') else k: v for k, v in state.items()}
    expected = model.state_dict()
    loaded = [k for k, v in expected.items()
              if k in state and tuple(getattr(state[k], 'shape', ())) == tuple(v.shape)]
    if not loaded:
        raise ValueError(f'checkpoint {checkpoint} holds none of the weights of the model in {config} '
                         f'(its {len(state)} key(s) are like {next(iter(state), "none")!r}); pass weights that '
                         f'tools/train.py {config} (with the same --cfg-options) wrote')
    if len(loaded) < len(expected):
        missing = len(expected) - len(loaded)
        print(f'warning: {missing} of {len(expected)} weights of the model in {config} are missing from '
              f'checkpoint {checkpoint} or have another shape; they keep their initial values',
              file=sys.stderr)
    _load_checkpoint_to_model(model, ckpt, strict=False, logger='silent')


def load_model(args):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS

    from clipdense.clip import CLIPCheckpointError
    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'error: checkpoint {args.checkpoint} not found; train one with '
                         f'tools/train.py {args.config} or pass the path of your .pth file')
    check_checkpoint_file(args.checkpoint)  # before minutes of model building
    if not osp.isfile(args.config):
        raise SystemExit(f'error: config {args.config} not found; pick one in configs/affordanceclip/')
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options or {})
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    import clipdense  # noqa: F401  (registers AffordanceCLIP; also done by custom_imports)
    try:
        model = MODELS.build(cfg.model)
    except CLIPCheckpointError as err:
        raise SystemExit(f'error: {err}') from None
    load_weights(model, args.checkpoint, args.config)
    return model.to(args.device).eval(), cfg


def heatmaps(model, cfg, image_path, actions):
    """One ``[H, W]`` probability map per action, at the image's size."""
    from mmcv.transforms import Compose
    from mmengine.dataset import pseudo_collate
    steps = [t for t in cfg.test_dataloader.dataset.pipeline if t['type'] not in GT_LOADERS]
    pipeline = Compose(steps)
    data = pseudo_collate([pipeline(dict(img_path=image_path, text=a)) for a in actions])
    import torch
    with torch.no_grad():
        out = model.test_step(data)
    return [s.pred_heatmap.data[0].cpu().numpy() for s in out]


def main(argv=None):
    args = parse_args(argv)
    rgb = cv2.imread(args.image, cv2.IMREAD_COLOR) if osp.isfile(args.image) else None
    if rgb is None:
        raise SystemExit(f'error: image {args.image} is missing or not a readable image file')
    rgb = rgb[..., ::-1]
    actions = [a.strip() for a in args.actions if a.strip()]
    if not actions:
        raise SystemExit('error: give at least one non-empty action, e.g. "hold"')
    out = output_path(args.out, args.image)
    model, cfg = load_model(args)
    maps = heatmaps(model, cfg, args.image, actions)
    k = -(-256 // max(rgb.shape[:2]))  # small images are shown enlarged (pixels kept square)
    if k > 1:
        rgb, maps = (np.repeat(np.repeat(rgb, k, 0), k, 1),
                     [np.repeat(np.repeat(m, k, 0), k, 1) for m in maps])
    panels = [overlay(rgb, m, f'{a} (max p={m.max():.2f})', args.alpha) for a, m in zip(actions, maps)]
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    if not cv2.imwrite(out, np.concatenate(panels, axis=1)[..., ::-1]):
        raise ValueError(f'could not write {out}; check that its folder is writable')
    print(f'wrote {out} ({len(actions)} action(s): {", ".join(actions)})')
    return out


if __name__ == '__main__':
    run_cli(main)
