"""Shared by the AffordanceCLIP tool/demo tests: the real config shrunk by --cfg-options to a
tiny random-init CLIP at 64 px, and tiny RefCOCO / AGD20K trees in the released layouts."""
import os.path as osp

from clipdense.models.affordanceclip.refcoco_writer import square_samples, write_refcoco

from ...datasets.test_agd20k import write_agd20k

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
CONFIG = osp.join(ROOT, 'configs/affordanceclip/affordanceclip_rn101_refcocog-416_agd20k-seen.py')
MODEL_OPTIONS = [
    'model.clip.arch=tiny-RN', 'model.clip.checkpoint=None', 'model.neck.channels=(16,24,32)',
    'model.projector.channels=16', 'model.data_preprocessor.size=(64,64)',
    'model.data_preprocessor.test_cfg.size=(64,64)',
]


def data_options(refcoco_root, agd20k_root):
    opts = [f'train_dataloader.dataset.data_root={refcoco_root}', 'train_dataloader.batch_size=4',
            'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
            'train_dataloader.dataset.pipeline.2.scale=(64,64)']
    for loader in ('val_dataloader', 'test_dataloader'):
        opts += [f'{loader}.dataset.data_root={agd20k_root}', f'{loader}.num_workers=0',
                 f'{loader}.persistent_workers=False', f'{loader}.dataset.pipeline.1.scale=(64,64)']
    return opts


def write_trees(tmp):
    """RefCOCOg-layout squares (24 train images, 2 refs each) and a tiny AGD20K Seen tree."""
    refcoco = osp.join(tmp, 'refcoco')
    write_refcoco(refcoco, square_samples(24, split='train') + square_samples(4, split='val', seed=1))
    agd20k, _ = write_agd20k(osp.join(tmp, 'AGD20K'))
    return refcoco, agd20k
