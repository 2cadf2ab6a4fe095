"""ReCo end to end through the tools on a tiny Cityscapes-27 tree and the real configs:
index -> references (retrieve + co-segment) -> tools/test.py -> pseudo-labels -> ReCo+ student
trained a few iterations by tools/train.py."""
import glob
import json
import os
import re
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from clipdense.clip import build_clip
from clipdense.models.reco.vit_encoder import DenseViTEncoder

from ...helpers import shapes_sample
from .conftest import write_pool

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
sys.path.insert(0, osp.join(ROOT, 'tools'))
import reco_build_index  # noqa: E402
import reco_pseudo_labels  # noqa: E402

RECO = osp.join(ROOT, 'configs/reco/reco_cityscapes27.py')
STUDENT = osp.join(ROOT, 'configs/reco/reco_plus_deeplabv3plus_r101_cityscapes27.py')
SHAPE_TO_LABEL_ID = np.array([23, 26, 21, 7], np.uint8)   # background sky, red car, green vegetation, blue road


def write_cityscapes27(root, n_train=3, n_val=2):
    rng = np.random.default_rng(3)
    for split, n in (('train', n_train), ('val', n_val)):
        for i in range(n):
            img, label = shapes_sample(rng, (48, 64))
            name = f'city_{i:06d}_000019'
            for path, arr in ((f'{root}/leftImg8bit/{split}/city/{name}_leftImg8bit.png', img),
                              (f'{root}/gtFine/{split}/city/{name}_gtFine_labelIds.png', SHAPE_TO_LABEL_ID[label])):
                os.makedirs(osp.dirname(path), exist_ok=True)
                Image.fromarray(arr).save(path)
    return root


def _run(cmd):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''), OMP_NUM_THREADS='1')
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    return proc.stdout + proc.stderr


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('reco_e2e')
    torch.manual_seed(0)
    clip_file, vit_file = str(tmp / 'tiny_clip.pt'), str(tmp / 'tiny_vit.pth')
    torch.save(build_clip('tiny-ViT').state_dict(), clip_file)
    torch.save(DenseViTEncoder('vit_small_patch16_224', depth=1).vit.state_dict(), vit_file)
    data = write_cityscapes27(str(tmp / 'cityscapes'))
    pool = write_pool(str(tmp / 'pool'))
    tiny = [f'model.{m}.arch=tiny-ViT' for m in ('clip', 'retrieval_clip')] + \
           [f'model.{m}.checkpoint={clip_file}' for m in ('clip', 'retrieval_clip')] + [
        'model.encoder.arch=vit_small_patch16_224', f'model.encoder.checkpoint={vit_file}',
        'model.encoder.depth=1', f'model.index.file={tmp}/index.pth', 'model.index.num_workers=0',
        'model.co_segmentation.k=3', 'model.co_segmentation.image_size=32', 'model.templates=single']
    loaders = ('val_dataloader', 'test_dataloader', 'pseudo_label_dataloader')
    data_opts = [f'{k}.dataset.data_root={data}' for k in loaders] + [f'{k}.num_workers=0' for k in loaders]
    small = [f'{k}.dataset.pipeline.2.scale=32' for k in loaders[:2]] + \
        [f'{k}.dataset.pipeline.3.crop_size=32' for k in loaders[:2]] + ['pseudo_label_dataloader.dataset.pipeline.1.scale=32']
    return dict(tmp=str(tmp), data=data, pool=pool, clip=clip_file, opts=tiny + data_opts + small)


def test_index_references_test_pseudo_labels_and_student(world):
    tmp, opts = world['tmp'], world['opts']
    index = reco_build_index.main(['--images', world['pool'], '--out', f'{tmp}/index.pth', '--clip-arch',
                                   'tiny-ViT', '--clip-checkpoint', world['clip'], '--workers', '0'])
    assert len(index) == 12

    refs_file = f'{tmp}/references.pth'
    refs = reco_build_index.main([RECO, '--out', refs_file, '--cfg-options', *opts])
    assert refs.shape == (27, 384)
    assert sorted(torch.load(refs_file, weights_only=True)['state_dict']) == ['references', 'references_key']

    out = _run([sys.executable, 'tools/test.py', RECO, refs_file, '--work-dir', f'{tmp}/test',
                '--cfg-options', *opts])
    # random-init CLIP and ViT: the numbers carry no meaning (measured aAcc 0.39, mIoU 0.26, mAcc 1.14);
    # per class IoU <= accuracy (recall), and classes without ground truth add IoU 0 only
    found = re.findall(r'aAcc: ([\d.]+)\s+mIoU: ([\d.]+)\s+mAcc: ([\d.]+)', out)
    assert len(found) == 1, out[-2000:]
    a_acc, miou, macc = map(float, found[0])
    assert 0 <= miou <= macc <= 100 and 0 <= a_acc <= 100

    pseudo_dir = reco_pseudo_labels.main([RECO, refs_file, '--cfg-options', *opts])
    labels = sorted(glob.glob(f'{pseudo_dir}/city/*.png'))
    assert pseudo_dir == osp.join(world['data'], 'reco_pseudo_labels/train') and len(labels) == 3
    first = np.asarray(Image.open(labels[0]))
    assert first.shape == (48, 64) and first.max() < 27          # full-size labels, 27 classes

    student = [
        f'train_dataloader.dataset.data_root={world["data"]}', f'val_dataloader.dataset.data_root={world["data"]}',
        f'test_dataloader.dataset.data_root={world["data"]}', 'train_dataloader.batch_size=2',
        'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0', 'model.backbone.depth=18', 'model.backbone.stem_channels=16',
        'model.backbone.base_channels=16', 'model.backbone.init_cfg=None', 'model.decode_head.in_channels=128',
        'model.decode_head.c1_in_channels=16', 'model.decode_head.channels=16',
        'model.decode_head.c1_channels=8', 'train_cfg.max_iters=4', 'train_cfg.val_interval=4',
        'param_scheduler.0.end=4', 'default_hooks.checkpoint.interval=4', 'default_hooks.logger.interval=1',
        'model.data_preprocessor.size=(64,64)', 'train_dataloader.dataset.pipeline.2.scale=64',
        'train_dataloader.dataset.pipeline.3.crop_size=64', 'train_dataloader.dataset.pipeline.4.scale=(64,64)',
        'train_dataloader.dataset.pipeline.5.crop_size=(64,64)', 'val_dataloader.dataset.pipeline.2.scale=64',
        'val_dataloader.dataset.pipeline.3.crop_size=64']
    _run([sys.executable, 'tools/train.py', STUDENT, '--work-dir', f'{tmp}/student', '--cfg-options', *student])
    scalars = sorted(glob.glob(f'{tmp}/student/*/vis_data/scalars.json'))[-1]
    rows = [json.loads(line) for line in open(scalars)]
    losses = [r['loss'] for r in rows if 'loss' in r]
    # 4 iterations do not make the loss fall reliably: the student run is not seeded, and two runs
    # measured 3.31, 3.04, 3.13, 3.06 and 2.23, 2.76, 2.60, 2.77. Check that the logged loss is the
    # sum of its parts instead.
    assert len(losses) == 4 and all(np.isfinite(losses))
    for r in rows:
        if 'loss' in r:
            parts = [v for k, v in r.items() if k != 'loss' and k.split('.')[-1].startswith('loss')]
            assert parts and r['loss'] == pytest.approx(sum(parts), rel=1e-5), r
    assert any('mIoU' in r for r in rows) and osp.isfile(f'{tmp}/student/iter_4.pth')
