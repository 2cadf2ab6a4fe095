"""Evaluate one model on several target domains in one ``tools/test.py`` (or validation) run.

The config lists the domains as an MMEngine ``ConcatDataset`` (so it stays a valid config for
the plain loops too, which would pool everything); these loops build one dataloader and one
evaluator per member dataset, print each domain's per-class table (``IoUMetric``'s), then a
summary table with every domain and the mean over domains::

    test_dataloader = dict(batch_size=1, sampler=dict(type='DefaultSampler', shuffle=False),
                           dataset=dict(type='ConcatDataset', datasets=[cityscapes, bdd, mapillary]))
    test_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
    test_cfg = dict(type='MultiDomainTestLoop', domain_names=['cityscapes', 'bdd100k', 'mapillary'])

Returned metrics: ``'<domain>/<key>'`` for every domain, ``'<key>'`` = the mean over the
``mean_over`` domains (all by default; so ``save_best='mIoU'`` tracks the mean), and with
``pooled_name`` also ``'<pooled_name>/<key>'`` from one evaluator fed with every sample
(e.g. all ACDC conditions together, next to the per-condition results). A ``pipeline`` set on
the ``ConcatDataset`` itself (as ``tools/test.py --tta`` does) replaces every member's pipeline.
"""
import copy
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.logging import print_log
from mmengine.runner import TestLoop, ValLoop
from mmengine.runner.amp import autocast
from mmengine.runner.base_loop import BaseLoop
from mmseg.registry import LOOPS
from prettytable import PrettyTable

CONCAT_TYPES = ('ConcatDataset', 'mmengine.ConcatDataset')


def split_domains(dataloader_cfg: dict, domain_names: Optional[Sequence[str]] = None) -> List[tuple]:
    """``[(name, dataloader cfg of one member dataset), ...]`` from a dataloader config whose
    dataset is a ``ConcatDataset`` (or a single dataset = one domain)."""
    if not isinstance(dataloader_cfg, dict):
        raise TypeError('multi-domain loops need the dataloader as a config dict, '
                        f'got {type(dataloader_cfg).__name__}')
    dataset = copy.deepcopy(dataloader_cfg['dataset'])
    if dataset.get('type') in CONCAT_TYPES:
        members = dataset['datasets']
        if 'pipeline' in dataset:  # e.g. tools/test.py --tta
            members = [dict(m, pipeline=dataset['pipeline']) for m in members]
    else:
        members = [dataset]
    if domain_names is None:
        domain_names = [str(m.get('type', 'domain')).lower().replace('dataset', '') or f'domain{i}'
                        for i, m in enumerate(members)]
    if len(domain_names) != len(members) or len(set(domain_names)) != len(domain_names):
        raise ValueError(f'domain_names {list(domain_names)} must name each of the {len(members)} '
                         'datasets of the ConcatDataset once')
    return [(name, dict(copy.deepcopy(dataloader_cfg), dataset=m))
            for name, m in zip(domain_names, members)]


def summarize_domains(per_domain: Dict[str, Dict[str, float]],
                      mean_over: Optional[Sequence[str]] = None) -> Dict[str, float]:
    """Flatten ``{domain: {key: value}}`` to ``{'domain/key': value}`` plus ``{key: mean}``
    over the ``mean_over`` domains (keys every one of them reports)."""
    mean_over = list(per_domain) if mean_over is None else list(mean_over)
    unknown = [d for d in mean_over if d not in per_domain]
    if unknown:
        raise ValueError(f'mean_over names unknown domains {unknown}; domains: {list(per_domain)}')
    out = {f'{d}/{k}': v for d, m in per_domain.items() for k, v in m.items()}
    keys = set.intersection(*(set(per_domain[d]) for d in mean_over)) if mean_over else set()
    for k in sorted(keys):
        out[k] = sum(float(per_domain[d][k]) for d in mean_over) / len(mean_over)
    return out


def domain_table(per_domain: Dict[str, Dict[str, float]], sizes: Dict[str, int],
                 summary: Dict[str, float]) -> str:
    """Text table: one row per domain (images and metrics) and a ``mean`` row."""
    keys = sorted({k for m in per_domain.values() for k in m})
    table = PrettyTable(['Domain', 'images'] + keys)
    for d, m in per_domain.items():
        table.add_row([d, sizes.get(d, '')] + [f'{m[k]:.2f}' if k in m else '' for k in keys])
    table.add_row(['mean', ''] + [f'{summary[k]:.2f}' if k in summary else '' for k in keys])
    return table.get_string()


class MultiDomainLoopMixin:
    """Shared machinery of :class:`MultiDomainValLoop` and :class:`MultiDomainTestLoop`."""
    stage = 'val'

    def _setup(self, runner, dataloader, evaluator, domain_names, mean_over, pooled_name, fp16):
        if not isinstance(evaluator, (dict, list)):
            raise TypeError('multi-domain loops need the evaluator as a config (dict or list)')
        self.domains = []
        for name, loader_cfg in split_domains(dataloader, domain_names):
            BaseLoop.__init__(self, runner, loader_cfg)
            ev = runner.build_evaluator(copy.deepcopy(evaluator))
            ev.dataset_meta = self.dataloader.dataset.metainfo
            self.domains.append((name, self.dataloader, ev))
        self.dataloader, self.evaluator = self.domains[0][1], self.domains[0][2]
        self.pooled_name, self.pooled = pooled_name, None
        if pooled_name is not None:
            self.pooled = runner.build_evaluator(copy.deepcopy(evaluator))
            self.pooled.dataset_meta = self.dataloader.dataset.metainfo
        self.mean_over, self.fp16 = mean_over, fp16
        runner.visualizer.dataset_meta = self.dataloader.dataset.metainfo

    def run(self) -> dict:
        self.runner.call_hook(f'before_{self.stage}')
        self.runner.call_hook(f'before_{self.stage}_epoch')
        self.runner.model.eval()
        per_domain, sizes = {}, {}
        for name, dataloader, evaluator in self.domains:
            self.dataloader, self.evaluator = dataloader, evaluator
            self.runner.visualizer.dataset_meta = dataloader.dataset.metainfo
            for idx, data_batch in enumerate(dataloader):
                self.run_iter(idx, data_batch)
            sizes[name] = len(dataloader.dataset)
            print_log(f'{self.stage} domain "{name}" ({sizes[name]} images):', logger='current')
            per_domain[name] = evaluator.evaluate(sizes[name])
        metrics = summarize_domains(per_domain, self.mean_over)
        rows, row_sizes = dict(per_domain), dict(sizes)
        if self.pooled is not None:
            print_log(f'{self.stage} pooled "{self.pooled_name}" (all domains together):',
                      logger='current')
            rows[self.pooled_name] = self.pooled.evaluate(sum(sizes.values()))
            row_sizes[self.pooled_name] = sum(sizes.values())
            metrics.update({f'{self.pooled_name}/{k}': v for k, v in rows[self.pooled_name].items()})
        print_log(f'{self.stage} results per domain; mean over {list(self.mean_over or per_domain)}:\n'
                  + domain_table(rows, row_sizes, metrics), logger='current')
        self.runner.call_hook(f'after_{self.stage}_epoch', metrics=metrics)
        self.runner.call_hook(f'after_{self.stage}')
        return metrics

    @torch.no_grad()
    def run_iter(self, idx, data_batch: Sequence[dict]) -> None:
        self.runner.call_hook(f'before_{self.stage}_iter', batch_idx=idx, data_batch=data_batch)
        with autocast(enabled=self.fp16):
            step = self.runner.model.val_step if self.stage == 'val' else self.runner.model.test_step
            outputs = step(data_batch)
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        if self.pooled is not None:
            self.pooled.process(data_samples=outputs, data_batch=data_batch)
        self.runner.call_hook(f'after_{self.stage}_iter', batch_idx=idx, data_batch=data_batch,
                              outputs=outputs)


@LOOPS.register_module()
class MultiDomainValLoop(MultiDomainLoopMixin, ValLoop):
    """Validation on every dataset of a ``ConcatDataset``; see the module docstring.

    Args:
        domain_names: one name per member dataset (default: from the dataset types).
        mean_over: domains averaged into the plain metric keys (default: all).
        pooled_name: also report all samples pooled under this name (default: off).
    """
    stage = 'val'

    def __init__(self, runner, dataloader, evaluator, domain_names: Optional[Sequence[str]] = None,
                 mean_over: Optional[Sequence[str]] = None, pooled_name: Optional[str] = None,
                 fp16: bool = False):
        self._setup(runner, dataloader, evaluator, domain_names, mean_over, pooled_name, fp16)
        self.val_loss = dict()


@LOOPS.register_module()
class MultiDomainTestLoop(MultiDomainLoopMixin, TestLoop):
    """Test on every dataset of a ``ConcatDataset``; arguments as :class:`MultiDomainValLoop`."""
    stage = 'test'

    def __init__(self, runner, dataloader, evaluator, domain_names: Optional[Sequence[str]] = None,
                 mean_over: Optional[Sequence[str]] = None, pooled_name: Optional[str] = None,
                 fp16: bool = False):
        self._setup(runner, dataloader, evaluator, domain_names, mean_over, pooled_name, fp16)
        self.test_loss = dict()
