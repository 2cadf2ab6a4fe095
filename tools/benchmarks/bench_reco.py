"""ReCo speed on this machine (random-init weights of the paper's architectures; speed only).

1. Index building: CLIP image embeddings of an unlabelled folder, in images/s (decode + resize +
   crop + CLIP forward), for the retrieval CLIP (paper: ViT-L/14) and ViT-B/16.
2. Co-segmentation: seconds per concept for an archive of k images (DeiT-S/16 + dense CLIP
   language guidance + the k*h*w affinity), i.e. the one-off cost of a new concept.
3. Inference: seconds per image of the ReCo segmentor (DeiT-S/16 features + ViT-B/16 value-path
   CLIP, 27 concepts) at 320x320, references precomputed.

    python tools/benchmarks/bench_reco.py [--images 32] [--k 50] [--threads 2]

Toy world (``--toy``): concepts named at inference (the 8 colours, then the 6 shapes of the toy
object scenes, held-out names included) are retrieved from the unlabelled ``pool/`` with the
pretrained toy CLIP and co-segmented with its block features (the toy world has no
self-supervised ViT); scored on the foreground pixels of ``objects/val`` against the plain CLIP
value-path (MaskCLIP) prediction of the same CLIP::

    python tools/benchmarks/bench_reco.py --toy [--toy-k 16] [--toy-layer 2]
"""
import argparse
import json
import os
import os.path as osp
import sys
import tempfile
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402


def write_folder(folder, n, size=(375, 500)):
    rng = np.random.default_rng(0)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8)).save(f'{folder}/{i:05d}.jpg')
    return folder


def best_of(fn, repeats):
    """Fastest of ``repeats`` runs: (wall seconds, CPU seconds of this process)."""
    times = []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(times)


def bench_index(folder, n, arch, batch_size):
    from clipdense.clip import build_clip
    from clipdense.models.reco import build_image_index
    clip = build_clip(arch)
    sub = osp.join(osp.dirname(folder), f'index_{arch}')
    os.makedirs(sub)
    for i in range(n):
        os.link(osp.join(folder, f'{i:05d}.jpg'), osp.join(sub, f'{i:05d}.jpg'))
    wall, cpu = best_of(lambda: build_image_index(sub, clip, None, dict(arch=arch), batch_size,
                                                  log=lambda m: None), 1)
    return dict(step='index', arch=arch, images=n, seconds=round(wall, 2), images_per_s=round(n / wall, 2),
                cpu_seconds=round(cpu, 2))


def bench_cosegmentation(folder, k):
    from clipdense.clip import ClassEmbeddingCache, TextTower, build_clip, build_dense_encoder
    from clipdense.models.reco import ConceptReferences, DenseViTEncoder, ImageIndex, list_images
    clip = build_clip('ViT-B-16')
    root, paths = list_images(folder)   # retrieval is not timed here: random index embeddings
    index = ImageIndex(root, paths, torch.nn.functional.normalize(torch.randn(len(paths), 512), dim=1),
                       dict(arch='ViT-B-16'))
    text = ClassEmbeddingCache(TextTower(clip), 'single')
    bank = ConceptReferences(index, text, DenseViTEncoder('deit_small_distilled_patch16_224'),
                             build_dense_encoder(clip, dense_mode='value'), text, k=k, context_concepts=(),
                             log=lambda m: None)
    paths = bank.retrieve(['car'])[0]
    wall, cpu = best_of(lambda: bank.co_segment('car', paths, None), 1)
    return dict(step='co-segmentation', k=k, image_size=224, seconds_per_concept=round(wall, 2),
                cpu_seconds=round(cpu, 2))


def bench_inference(repeats):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS
    cfg = Config.fromfile(osp.join(osp.dirname(__file__), '../../configs/reco/reco_cityscapes27.py'))
    init_default_scope(cfg.default_scope)
    for key in ('clip', 'retrieval_clip', 'encoder'):
        cfg.model[key].checkpoint = None
    model = MODELS.build(cfg.model).eval()
    model.references.copy_(torch.nn.functional.normalize(torch.randn_like(model.references), dim=1))
    model.references_key.fill_(model._class_key)
    x = torch.rand(1, 3, 320, 320) * 255
    model.encode_decode(x)
    wall, cpu = best_of(lambda: model.encode_decode(x), repeats)
    return dict(step='inference', size='320x320', concepts=len(model.class_names),
                seconds_per_image=round(wall, 3), cpu_seconds=round(cpu, 3))


def fg_scores(pred, label, k):
    """Pixel accuracy, mean class accuracy and mIoU over foreground pixels (label 0 = background)."""
    fg = label > 0
    p, t = pred[fg], label[fg] - 1
    conf = np.bincount(t * k + p, minlength=k * k).reshape(k, k).astype(np.float64)
    present = conf.sum(1) > 0
    acc = np.diag(conf)[present] / conf.sum(1)[present]
    iou = np.diag(conf)[present] / (conf.sum(1) + conf.sum(0) - np.diag(conf))[present]
    return dict(pixel_acc=float(np.diag(conf).sum() / conf.sum()), mean_class_acc=float(acc.mean()),
                miou=float(iou.mean()), per_class_acc=[round(float(a), 3) for a in acc])


def toy_world_comparison(root, checkpoint, k, layer, index_file):
    """ReCo vs the plain CLIP value-path prediction on the toy object scenes (foreground pixels)."""
    import torch.nn.functional as F
    from clipdense.models.reco import ReCoSegmentor
    from clipdense.models.reco.inference import cosine_maps
    from clipdense.models.reco.retrieval import normalize_images
    from clipdense.toyworld import COLOUR_NAMES, SHAPE_NAMES, TOY_TEMPLATES, ensure_toy_world
    from clipdense.toyworld.clip_quality import load_object_split
    ensure_toy_world(root, parts=['objects', 'pool'], verbose=False)
    images, colours, shapes, _ = load_object_split(root, 'val')
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float()
    x = F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)   # 16x16 patch grid
    clip = dict(arch='tiny-ViT', checkpoint=checkpoint)
    rows = []
    for kind, names, labels in (('colour', COLOUR_NAMES, colours), ('shape', SHAPE_NAMES, shapes)):
        torch.manual_seed(0)
        model = ReCoSegmentor(
            class_names=names, clip=clip, retrieval_clip=clip,
            encoder=dict(source='clip', arch='tiny-ViT', checkpoint=checkpoint, layer=layer),
            index=dict(file=index_file, images=osp.join(root, 'pool')),
            co_segmentation=dict(k=k, image_size=128, context_concepts=()),
            templates=list(TOY_TEMPLATES)).eval()
        text = model.dense_text.embed(list(names))
        preds = {m: [] for m in ('MaskCLIP value path (baseline)', 'ReCo reference map only',
                                 'ReCo (reference x CLIP attention)')}
        for chunk in x.split(50):
            dense = model.dense_clip(normalize_images(chunk))['dense_embed']
            base = F.interpolate(cosine_maps(dense, text), size=chunk.shape[-2:], mode='bilinear')
            model.dense_clip_inference = False
            ref_only = model.encode_decode(chunk)
            model.dense_clip_inference = True
            fused = model.encode_decode(chunk)
            for name, scores in zip(preds, (base, ref_only, fused)):
                preds[name].append(F.interpolate(scores, size=images.shape[1:3], mode='bilinear').argmax(1))
        for name, chunks in preds.items():
            scores = fg_scores(torch.cat(chunks).numpy(), labels.astype(np.int64), len(names))
            rows.append(dict(step='toy-world', concepts=kind, method=name, k=k, layer=layer,
                             **{m: round(100 * v, 1) for m, v in scores.items() if m != 'per_class_acc'},
                             per_class_acc=dict(zip(names, scores['per_class_acc']))))
            print(json.dumps(rows[-1]), flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--images', type=int, default=32, help='images indexed with ViT-B-16')
    parser.add_argument('--images-large', type=int, default=8, help='images indexed with ViT-L-14')
    parser.add_argument('--k', type=int, default=50, help='archive size for co-segmentation')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--steps', default='index,coseg,inference', help='comma-separated speed steps to run')
    parser.add_argument('--toy', action='store_true', help='toy-world quality comparison instead of speed')
    parser.add_argument('--toy-root', default='data/toyworld')
    parser.add_argument('--toy-clip', default='clipdense/assets/toy_clip_tiny-ViT.pt')
    parser.add_argument('--toy-k', type=int, default=16, help='archive size (the pool has 300 images)')
    parser.add_argument('--toy-layer', type=int, default=2, help='CLIP block used for co-segmentation')
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    import clipdense  # noqa: F401
    if args.toy:
        if not osp.isfile(args.toy_clip):
            raise SystemExit(f'toy CLIP {args.toy_clip} not found; train it with tools/pretrain_toy_clip.py')
        with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
            return toy_world_comparison(args.toy_root, args.toy_clip, args.toy_k, args.toy_layer,
                                        osp.join(tmp, 'pool_index.pth'))
    results, steps = [], args.steps.split(',')
    with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
        folder = osp.join(tmp, 'images')
        os.makedirs(folder)
        write_folder(folder, max(args.images, args.images_large, args.k))
        if 'index' in steps:
            for arch, n in (('ViT-B-16', args.images), ('ViT-L-14', args.images_large)):
                results.append(bench_index(folder, n, arch, 16))
                print(json.dumps(results[-1]), flush=True)
        if 'coseg' in steps:
            results.append(bench_cosegmentation(folder, args.k))
            print(json.dumps(results[-1]), flush=True)
    if 'inference' in steps:
        results.append(bench_inference(args.repeats))
        print(json.dumps(results[-1]), flush=True)
    print(json.dumps(dict(device='cpu', threads=args.threads, torch=torch.__version__,
                          cpu_count=os.cpu_count(), load_average=os.getloadavg())))
    return results


if __name__ == '__main__':
    main()
