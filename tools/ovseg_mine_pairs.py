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


def main(argv=None):
    args = parse_args(argv)
    import clipdense  # noqa: F401  (registers the OVSeg modules)
    from clipdense.models.ovseg import load_class_names
    from clipdense.models.ovseg.inference import inference_pipeline, init_ovseg
    from clipdense.models.ovseg.pair_mining import NounMatcher, mine_image, pairs_json, read_captions

    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'error: proposal generator weights {args.checkpoint} not found; train them with '
                         'a configs/ovseg/*_proposal_* config')
    try:
        vocab = load_class_names(args.vocab)
        images, captions = read_captions(args.captions, args.num_captions)
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f'error: {err}')
    matcher = NounMatcher(vocab)
    model, cfg = init_ovseg(args.config, args.checkpoint, args.device)
    pipeline = inference_pipeline(cfg)
    ids = sorted(captions)[:args.max_images] if args.max_images else sorted(captions)
    mined, pairs = [], []
    for n_done, image_id in enumerate(ids):
        im = images.get(image_id)
        nouns = sorted({n for c in captions[image_id] for n in matcher(c)})
        if im is None or not nouns:
            continue
        path = osp.join(args.img_dir, im['file_name'])
        if not osp.isfile(path):
            print(f'warning: image {path} not found; skipped', file=sys.stderr)
            continue
        found = mine_image(model, pipeline, path, nouns, args.min_objectness)
        pairs += [(image_id, nouns[k], mask, score) for k, mask, score in found]
        mined.append(dict(id=image_id, file_name=im['file_name'], height=im['height'], width=im['width']))
        if (n_done + 1) % 100 == 0:
            print(f'{n_done + 1}/{len(ids)} images, {len(pairs)} pairs', flush=True)
    data = pairs_json(mined, pairs, vocab, source=args.captions)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w', encoding='utf-8') as f:
        json.dump(data, f, ensure_ascii=False)
    print(f'wrote {len(pairs)} pairs of {len(data["categories"])} nouns from {len(data["images"])} '
          f'images to {args.out}')


if __name__ == '__main__':
    main()
