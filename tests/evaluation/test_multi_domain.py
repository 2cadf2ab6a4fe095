"""Multi-domain val/test loops: splitting the ConcatDataset config, the summary maths, and a
Runner run with an oracle model whose per-domain, mean and pooled mIoU are known exactly."""
import glob
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.structures import PixelData
from PIL import Image

import clipdense  # noqa: F401
from clipdense.evaluation.multi_domain import split_domains, summarize_domains

CLASSES = ('c0', 'c1', 'c2', 'c3')
PIPE = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'), dict(type='PackSegInputs')]


def write_domain(root, labels):
    for i, label in enumerate(labels):
        for sub, arr in (('img', np.zeros(label.shape + (3,), np.uint8)), ('ann', label)):
            os.makedirs(osp.join(root, sub), exist_ok=True)
            Image.fromarray(arr).save(osp.join(root, sub, f'{i}.png'))
    return dict(type='BaseSegDataset', data_root=root, metainfo=dict(classes=CLASSES),
                img_suffix='.png', seg_map_suffix='.png',
                data_prefix=dict(img_path='img', seg_map_path='ann'), pipeline=PIPE)


class OracleOnDomainA(BaseModel):
    """Predicts the ground truth on images under ``domain_a``, class 0 everywhere else."""

    def __init__(self):
        super().__init__()
        self.dummy = torch.nn.Linear(1, 1)

    def forward(self, *args, **kwargs):
        raise NotImplementedError

    def _predict(self, data):
        for s in data['data_samples']:
            gt = s.gt_sem_seg.data
            s.pred_sem_seg = PixelData(data=gt if 'domain_a' in s.img_path else torch.zeros_like(gt))
        return data['data_samples']

    val_step = test_step = _predict


@pytest.fixture(scope='module')
def domains(tmp_path_factory):
    root = tmp_path_factory.mktemp('domains')
    half = np.zeros((8, 8), np.uint8)
    half[:, 4:] = 2                     # domain a: 32 px of class 0, 32 px of class 2
    other = np.zeros((8, 8), np.uint8)
    other[4:] = 1                       # domain b: 32 px of class 0, 32 px of class 1
    return write_domain(str(root / 'domain_a'), [half]), write_domain(str(root / 'domain_b'), [other])


def test_split_domains_reads_concat_members_and_overrides_pipeline(domains):
    loader = dict(batch_size=1, dataset=dict(type='ConcatDataset', datasets=list(domains), pipeline=['tta']))
    parts = split_domains(loader, ['a', 'b'])
    assert [n for n, _ in parts] == ['a', 'b']
    assert parts[1][1]['dataset']['data_root'] == domains[1]['data_root']
    assert all(p['dataset']['pipeline'] == ['tta'] and p['batch_size'] == 1 for _, p in parts)
    assert [n for n, _ in split_domains(dict(dataset=dict(type='GTA5Dataset')))] == ['gta5']
    with pytest.raises(ValueError, match='must name each of the 2 datasets'):
        split_domains(loader, ['a'])


def test_summary_is_the_mean_over_domains():
    per = {'cs': {'mIoU': 60.0, 'aAcc': 90.0}, 'bdd': {'mIoU': 50.0, 'aAcc': 80.0},
           'map': {'mIoU': 70.0, 'aAcc': 85.0}}
    out = summarize_domains(per)
    assert out['mIoU'] == pytest.approx(60.0) and out['aAcc'] == pytest.approx(85.0)
    assert out['bdd/mIoU'] == 50.0 and out['map/aAcc'] == 85.0
    assert summarize_domains(per, ['cs', 'bdd'])['mIoU'] == pytest.approx(55.0)
    with pytest.raises(ValueError, match=r"unknown domains \['acdc'\]"):
        summarize_domains(per, ['acdc'])


def run(tmp_path, domains, stage):
    loader = dict(batch_size=1, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=False),
                  dataset=dict(type='ConcatDataset', datasets=list(domains)))
    loop = dict(type=f'MultiDomain{stage.capitalize()}Loop', domain_names=['a', 'b'], pooled_name='all')
    evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
    runner = Runner(model=OracleOnDomainA(), work_dir=str(tmp_path), default_scope='mmseg',
                    experiment_name=f'multi_domain_{stage}_{id(tmp_path)}',
                    **{f'{stage}_dataloader': loader, f'{stage}_cfg': loop, f'{stage}_evaluator': evaluator})
    return getattr(runner, stage)()


@pytest.mark.parametrize('stage', ['test', 'val'])
def test_runner_reports_each_domain_the_mean_and_the_pool(domains, tmp_path, stage):
    m = run(tmp_path, domains, stage)
    assert m['a/mIoU'] == pytest.approx(100.0) and m['a/aAcc'] == pytest.approx(100.0)
    assert m['b/mIoU'] == pytest.approx(25.0)    # IoU(c0) = 32/64, IoU(c1) = 0
    assert m['b/aAcc'] == pytest.approx(50.0)
    assert m['mIoU'] == pytest.approx(62.5) and m['aAcc'] == pytest.approx(75.0)
    # pooled: IoU(c0) = 64/96, IoU(c1) = 0, IoU(c2) = 1 (c3 absent)
    assert m['all/mIoU'] == pytest.approx(100 * (64 / 96 + 0 + 1) / 3, abs=0.01)
    log = open(sorted(glob.glob(osp.join(str(tmp_path), '*', '*.log')))[-1]).read()
    table = log[log.index('results per domain'):]
    rows = [line.split('|')[1].strip() for line in table.splitlines() if line.startswith('|')]
    assert rows[:5] == ['Domain', 'a', 'b', 'all', 'mean']
