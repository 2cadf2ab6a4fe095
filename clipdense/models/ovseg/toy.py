"""OVSeg in the toy world: train, mine, adapt and compare on held-out colours; demo defaults.

The toy object scenes (``clipdense.toyworld``) label every pixel by colour; the train split never
shows cyan or purple. :func:`run_toy_comparison`:

1. trains the toy proposal generator (``configs/ovseg/ovseg_tiny-vit_toy-objects.py``) on the
   train split with seen-colour supervision;
2. mines mask-category pairs from the train split's captions (colour and shape nouns) with it
   and the toy CLIP;
3. adapts the toy CLIP on those pairs: mask prompts only, and full fine-tuning;
4. evaluates OVSeg on the val split with all 9 names, with each CLIP, and reports the IoU of
   the held-out colours (zero-shot) next to the seen ones.

Everything lands in ``work_dir`` and is reused on the next call.
"""
import json
import os
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from clipdense.toyworld.vocabulary import COLOUR_NAMES, SHAPE_NAMES, UNSEEN_COLOURS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
TOY_CONFIG = osp.join(REPO, 'configs/ovseg/ovseg_tiny-vit_toy-objects.py')
TOY_CLIP = osp.join(REPO, 'clipdense/assets/toy_clip_tiny-ViT.pt')
ADAPT_CONFIGS = {'mpt': osp.join(REPO, 'configs/ovseg/ovseg_maskclip_tiny-vit_mpt-only_toy-objects.py'),
                 'ft': osp.join(REPO, 'configs/ovseg/ovseg_maskclip_tiny-vit_full-ft_toy-objects.py')}
ALL_CLASSES = ('background',) + COLOUR_NAMES


@DATASETS.register_module()
class OVSegToyObjectsDataset(BaseSegDataset):
    """Toy object scenes with colour labels (0 background, i + 1 = ``COLOUR_NAMES[i]``).

    ``metainfo=dict(classes=subset)`` remaps the label ids to the subset (mmseg's label map), e.g.
    the seen colours for training.
    """
    METAINFO = dict(classes=ALL_CLASSES)

    def __init__(self, **kwargs):
        super().__init__(img_suffix='.png', seg_map_suffix='.png', **kwargs)


def _require_toy_clip():
    if not osp.isfile(TOY_CLIP):
        raise FileNotFoundError(f'toy CLIP weights {TOY_CLIP} not found; create them with '
                                'tools/pretrain_toy_clip.py')


def _train(config: str, work_dir: str, options: Optional[dict] = None) -> str:
    """Train ``config`` with MMEngine's Runner (once); returns the last checkpoint."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(dict(options or {}, work_dir=work_dir))
    cfg.visualizer.name = f'ovseg_toy_{osp.basename(work_dir)}'
    last = osp.join(work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')
    if not osp.isfile(last):
        Runner.from_cfg(cfg).train()
    return last


def train_toy_proposals(root: str, work_dir: str, seed: int = 0) -> str:
    """The toy proposal generator (seen colours only), trained with ``seed``; returns its checkpoint."""
    _require_toy_clip()
    from clipdense.toyworld import ensure_toy_world
    ensure_toy_world(root, parts=['objects'], verbose=False)
    opts = {f'{k}.dataset.data_root': osp.join(root, 'objects') for k in ('train_dataloader', 'val_dataloader',
                                                                           'test_dataloader')}
    return _train(TOY_CONFIG, osp.join(work_dir, 'proposals'), dict(opts, **{'randomness.seed': seed}))


def mine_toy_pairs(root: str, proposals: str, out: str) -> str:
    """Pairs from the train split's captions (colour and shape nouns); returns the JSON path."""
    if osp.isfile(out):
        return out
    from .inference import inference_pipeline, init_ovseg
    from .pair_mining import NounMatcher, mine_image, pairs_json, read_captions
    folder = osp.join(root, 'objects')
    images, captions = read_captions(osp.join(folder, 'annotations', 'captions_train.json'), num_captions=1)
    vocab = list(COLOUR_NAMES) + list(SHAPE_NAMES)
    model, cfg = init_ovseg(TOY_CONFIG, proposals)
    pipeline, matcher, pairs = inference_pipeline(cfg), NounMatcher(vocab), []
    for image_id in sorted(captions):
        nouns = sorted({n for c in captions[image_id] for n in matcher(c)})
        path = osp.join(folder, 'images', images[image_id]['file_name'])
        pairs += [(image_id, nouns[k], m, s) for k, m, s in mine_image(model, pipeline, path, nouns, 0.5)]
    with open(out, 'w') as f:
        json.dump(pairs_json(list(images.values()), pairs, vocab, source='toy captions_train'), f)
    return out


@torch.no_grad()
def evaluate_toy(root: str, proposals: str, adapted: Optional[str] = None, mask_prompt_depth=0,
                 clip_weight: float = 0.7, limit: Optional[int] = None) -> Dict[str, float]:
    """Per-class IoU (%) on the val split with all 9 names; ``adapted`` = fine-tuned CLIP weights."""
    from PIL import Image
    from .inference import inference_pipeline, init_ovseg, segment_image
    model, cfg = init_ovseg(TOY_CONFIG, proposals, clip_weight=clip_weight, clip_classifier=dict(
        checkpoint=TOY_CLIP, adapted_checkpoint=adapted, mask_prompt_depth=mask_prompt_depth))
    pipeline = inference_pipeline(cfg)
    folder = osp.join(root, 'objects')
    names = sorted(os.listdir(osp.join(folder, 'images', 'val')))[:limit]
    K = len(ALL_CLASSES)
    conf = np.zeros((K, K), np.int64)
    for name in names:
        pred = segment_image(model, pipeline, osp.join(folder, 'images', 'val', name))
        gt = np.array(Image.open(osp.join(folder, 'labels_colour', 'val', name)))
        conf += np.bincount(gt.ravel() * K + pred.ravel(), minlength=K * K).reshape(K, K)
    iou = np.diag(conf) / np.maximum(conf.sum(0) + conf.sum(1) - np.diag(conf), 1)
    out = {c: 100 * float(v) for c, v in zip(ALL_CLASSES, iou)}
    out['mIoU(unseen)'] = float(np.mean([out[c] for c in UNSEEN_COLOURS]))
    out['mIoU(seen)'] = float(np.mean([out[c] for c in ALL_CLASSES if c not in UNSEEN_COLOURS]))
    return out


def run_toy_comparison(root: str = 'data/toyworld', work_dir: str = 'work_dirs/ovseg_toy',
                       limit: Optional[int] = None, seed: int = 0,
                       clip_weights: Sequence[float] = (0.7,)) -> Dict[Tuple[str, float], Dict[str, float]]:
    """Plain CLIP crops vs mask-adapted CLIPs on held-out colours (see the module docstring).

    Every training (proposals, both adaptations) runs with ``randomness.seed = seed``; results are
    keyed ``(CLIP, lambda)``. ``lambda = 0`` (proposal classifier alone) is scored once, for the
    plain CLIP, since CLIP does not enter it.
    """
    work_dir = osp.join(work_dir, f'seed{seed}')
    proposals = train_toy_proposals(root, work_dir, seed)
    pairs = mine_toy_pairs(root, proposals, osp.join(work_dir, 'pairs.json'))
    clips = {'plain CLIP': (None, 0)}
    for mode, depth in (('mpt', 3), ('ft', 0)):
        clips[{'mpt': 'mask prompts only (depth 3)', 'ft': 'full fine-tuning'}[mode]] = (_train(
            ADAPT_CONFIGS[mode], osp.join(work_dir, f'clip_{mode}'),
            {'train_dataloader.dataset.ann_file': osp.abspath(pairs),
             'train_dataloader.dataset.data_root': osp.join(root, 'objects'), 'randomness.seed': seed}),
            depth)
    results = {}
    for lam in clip_weights:
        for label, (ckpt, depth) in clips.items():
            if lam > 0 or ckpt is None:
                results[label, lam] = evaluate_toy(root, proposals, ckpt, depth, clip_weight=lam,
                                                   limit=limit)
    return results


def toy_demo_defaults(root: str = 'data/toyworld', work_dir: str = 'work_dirs/ovseg_toy', seed: int = 0):
    """Config, proposal checkpoint (trained on first use; shared with :func:`run_toy_comparison`'s
    ``seed<S>`` cache), toy CLIP and vocabulary for the demo."""
    proposals = train_toy_proposals(root, osp.join(work_dir, f'seed{seed}'), seed)
    return TOY_CONFIG, proposals, TOY_CLIP, ','.join(ALL_CLASSES)
