"""Where in this image can I ...? AffordanceCLIP heat maps for any action text.

    python demo/affordance_demo.py IMAGE "peel" ["cut with" ...] \
        --config configs/affordanceclip/affordanceclip_rn101_refcocog-416_agd20k-seen.py \
        --checkpoint work_dirs/affordanceclip/best_SIM_epoch_50.pth [--out outputs/affordance.png]

Writes one PNG with a panel per action: the image overlaid with the action's heat map (jet colour
map, min-max normalised per action as in the AGD20K evaluation) and the action and its peak
probability written on the panel. A missing image, checkpoint or CLIP weight file is reported on
one line naming the file and what to do.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout

import cv2  # noqa: E402
import numpy as np  # noqa: E402

GT_LOADERS = ('LoadAffordanceHeatmap', 'LoadUMDAnnotations', 'LoadAnnotations')


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description='AffordanceCLIP: heat maps of actions on an image')
    p.add_argument('image', help='an image file')
    p.add_argument('actions', nargs='+', help='action prompts, e.g. "hold" "cut with" "peel"')
    p.add_argument('--config', required=True, help='an AffordanceCLIP config (configs/affordanceclip/)')
    p.add_argument('--checkpoint', required=True, help='trained AffordanceCLIP weights (.pth)')
    p.add_argument('--out', default='outputs/affordance_demo.png', help='output PNG')
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


def load_model(args):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmseg.registry import MODELS

    from clipdense.clip import CLIPCheckpointError
    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'error: checkpoint {args.checkpoint} not found; train one with '
                         f'tools/train.py {args.config} or pass the path of your .pth file')
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
    load_checkpoint(model, args.checkpoint, map_location='cpu', logger='silent')
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
    model, cfg = load_model(args)
    maps = heatmaps(model, cfg, args.image, actions)
    k = -(-256 // max(rgb.shape[:2]))  # small images are shown enlarged (pixels kept square)
    if k > 1:
        rgb, maps = (np.repeat(np.repeat(rgb, k, 0), k, 1),
                     [np.repeat(np.repeat(m, k, 0), k, 1) for m in maps])
    panels = [overlay(rgb, m, f'{a} (max p={m.max():.2f})', args.alpha) for a, m in zip(actions, maps)]
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    cv2.imwrite(args.out, np.concatenate(panels, axis=1)[..., ::-1])
    print(f'wrote {args.out} ({len(actions)} action(s): {", ".join(actions)})')
    return args.out


if __name__ == '__main__':
    main()
