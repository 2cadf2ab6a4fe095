"""Mine mask-category pairs from an image-caption dataset for the mask-adapted CLIP (OVSeg, Sec. 3.2).

    python tools/ovseg_mine_pairs.py \
        --captions data/coco/annotations/captions_train2017.json --img-dir data/coco/train2017 \
        --config configs/ovseg/ovseg_r101c_vit-b16_proposal_8xb4-120k_coco-stuff171-512x512.py \
        --checkpoint work_dirs/<proposal run>/iter_120000.pth \
        --vocab nouns.txt --num-captions 1 --out data/coco/ovseg_pairs/coco_proposal_1cap.json

For every image: the nouns of its first ``--num-captions`` captions (COCO Captions'
``captions_*.json`` format) are found by matching caption words against ``--vocab`` (longest
match first, simple plural forms accepted; no NLP model is downloaded), the OVSeg proposal
generator of ``--config`` proposes masks, the config's CLIP scores every proposal crop against the
image's nouns in one batched pass, and each noun is paired with its best-scoring proposal (among
proposals whose objectness is at least ``--min-objectness``). The output is a COCO-style JSON
(RLE masks) that ``MaskCategoryPairsDataset`` reads.
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='mine OVSeg mask-category pairs from captions')
    p.add_argument('--captions', required=True, help='COCO Captions JSON (captions_train2017.json)')
    p.add_argument('--img-dir', required=True, help='folder of the images (train2017/)')
    p.add_argument('--config', required=True, help='OVSeg config whose proposal generator and CLIP are used')
    p.add_argument('--checkpoint', required=True, help='trained proposal generator (.pth)')
    p.add_argument('--vocab', required=True, help='noun vocabulary: .txt (one per line) or comma-separated')
    p.add_argument('--num-captions', type=int, default=1, help='captions per image (1 or 5 in the paper)')
    p.add_argument('--min-objectness', type=float, default=0.5, help='drop proposals below this objectness')
    p.add_argument('--max-images', type=int, default=None, help='stop after this many images')
    p.add_argument('--out', required=True, help='output pairs JSON')
    p.add_argument('--device', default='cpu')
    return p.parse_args(argv)


def _atomic_write_json(data, path):
    """Write ``data`` to ``path`` via a temp file in the same folder: never a truncated ``path``."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = osp.join(osp.dirname(osp.abspath(path)), f'.{osp.basename(path)}.{os.getpid()}.tmp')
    try:
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump(data, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'config {args.config} not found; pass an OVSeg config '
                                '(configs/ovseg/*_proposal_*.py)')
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'proposal generator weights {args.checkpoint} not found; train them with '
                                'a configs/ovseg/*_proposal_* config')
    if osp.isdir(args.out):
        raise IsADirectoryError(f'--out {args.out} is a folder; give the path of the pairs .json file')
    if not osp.isdir(args.img_dir):
        raise NotADirectoryError(f'--img-dir {args.img_dir} is not a folder; give the folder of the '
                                 'captioned images (e.g. data/coco/train2017)')
    import cv2
    import clipdense  # noqa: F401  (registers the OVSeg modules)
    from clipdense.models.ovseg import load_class_names
    from clipdense.models.ovseg.inference import inference_pipeline, init_ovseg
    from clipdense.models.ovseg.pair_mining import NounMatcher, mine_image, pairs_json, read_captions
    from clipdense.utils.cli import check_checkpoint_file

    check_checkpoint_file(args.checkpoint, 'proposal generator weights')
    vocab = load_class_names(args.vocab)
    try:
        images, captions = read_captions(args.captions, args.num_captions)
    except json.JSONDecodeError as err:
        raise ValueError(f'{args.captions} is not valid JSON ({err}); give COCO Captions\' '
                         'captions_train2017.json') from None
    matcher = NounMatcher(vocab)
    ids = sorted(captions)[:args.max_images] if args.max_images else sorted(captions)
    todo, missing = [], []                   # (image id, image dict, path, nouns) of the images to mine
    for image_id in ids:
        im = images.get(image_id)
        nouns = sorted({n for c in captions[image_id] for n in matcher(c)})
        if im is None or not nouns:
            continue
        path = osp.join(args.img_dir, im['file_name'])
        (todo if osp.isfile(path) else missing).append((image_id, im, path, nouns))
    if missing:
        if not todo:
            raise FileNotFoundError(f'none of the {len(missing)} captioned images was found in --img-dir '
                                    f'{args.img_dir} (e.g. {missing[0][2]}); give the folder that holds '
                                    f'the images of {args.captions}')
        print(f'warning: {len(missing)} of {len(missing) + len(todo)} images not found in {args.img_dir} '
              f'(e.g. {missing[0][2]}); skipped', file=sys.stderr)
    if not todo:
        raise ValueError(f'no caption of the {len(ids)} images in {args.captions} mentions a --vocab noun; '
                         'give a vocabulary of the nouns the captions use')
    model, cfg = init_ovseg(args.config, args.checkpoint, args.device)
    pipeline = inference_pipeline(cfg)
    mined, pairs, unreadable = [], [], 0
    for n_done, (image_id, im, path, nouns) in enumerate(todo):
        if cv2.imread(path, cv2.IMREAD_UNCHANGED) is None:
            print(f'warning: skipping {path}: not a readable image', file=sys.stderr)
            unreadable += 1
            continue
        found = mine_image(model, pipeline, path, nouns, args.min_objectness)
        pairs += [(image_id, nouns[k], mask, score) for k, mask, score in found]
        mined.append(dict(id=image_id, file_name=im['file_name'], height=im['height'], width=im['width']))
        if (n_done + 1) % 100 == 0:
            print(f'{n_done + 1}/{len(todo)} images, {len(pairs)} pairs', flush=True)
    if not pairs:
        why = (f'none of the {len(todo)} images is readable' if unreadable == len(todo) else
               f'no usable proposal in the {len(mined)} images at --min-objectness {args.min_objectness}')
        raise ValueError(f'no pairs mined ({why}); {args.out} was not written: check --img-dir, lower '
                         '--min-objectness or use better proposal weights')
    data = pairs_json(mined, pairs, vocab, source=args.captions)
    _atomic_write_json(data, args.out)
    print(f'wrote {len(pairs)} pairs of {len(data["categories"])} nouns from {len(data["images"])} '
          f'images to {args.out}')


if __name__ == '__main__':
    from clipdense.utils.cli import run_cli
    run_cli(main)
