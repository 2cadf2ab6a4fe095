"""Evaluate a checkpoint with a config (mmseg's flags).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out DIR] [--show-dir DIR]
                         [--cfg-options k=v ...] [--launcher pytorch] [--tta]
"""
import argparse
import inspect
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import clipdense  # noqa: E402,F401
from clipdense.utils import close_distributed  # noqa: E402
from clipdense.utils.cli import check_checkpoint_file, run_cli  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from mmseg.registry import METRICS  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (and eval) a clipdense / mmseg model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='directory for the evaluation metrics')
    parser.add_argument('--out', type=str, help='directory to save the output prediction maps')
    parser.add_argument('--show', action='store_true', help='show prediction results')
    parser.add_argument('--show-dir', help='directory where painted images will be saved')
    parser.add_argument('--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings in the config')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--tta', action='store_true', help='test time augmentation')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def trigger_visualization_hook(cfg, args):
    default_hooks = cfg.default_hooks
    if 'visualization' in default_hooks:
        hook = default_hooks['visualization']
        hook['draw'] = True
        if args.show:
            hook['show'] = True
            hook['wait_time'] = args.wait_time
        if args.show_dir:
            cfg.visualizer['save_dir'] = args.show_dir
    else:
        raise ValueError('--show/--show-dir need a visualization hook in default_hooks of the config')
    return cfg


def set_output_dir(evaluator, out: str):
    """``--out``: make each evaluator save its predictions to ``out`` (mmseg's behaviour for
    ``IoUMetric``; clipdense's anomaly / affordance metrics save float maps)."""
    for ev in (evaluator if isinstance(evaluator, (list, tuple)) else [evaluator]):
        metric = METRICS.get(ev.get('type', ''))
        params = inspect.signature(metric).parameters if metric is not None else {}
        if 'output_dir' not in params:
            raise ValueError(f'--out: the evaluator {ev.get("type")} cannot save predictions; '
                             'drop --out (or use --show-dir for painted images)')
        ev['output_dir'] = out
        if 'keep_results' in params or any(p.kind == p.VAR_KEYWORD for p in params.values()):
            ev['keep_results'] = True  # as mmseg's tools/test.py sets for IoUMetric


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'config file not found: {args.config}')
    check_checkpoint_file(args.checkpoint)
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.show or args.show_dir:
        cfg = trigger_visualization_hook(cfg, args)
    if args.tta:
        if 'tta_pipeline' not in cfg or 'tta_model' not in cfg:
            raise ValueError(f'--tta: {args.config} defines no tta_pipeline/tta_model; drop --tta '
                             '(configs/vltseg/vltseg_cs.py shows how to add them)')
        cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
        cfg.tta_model.module = cfg.model
        cfg.model = cfg.tta_model
    if args.out is not None:
        set_output_dir(cfg.test_evaluator, args.out)
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    close_distributed()  # after a clean run only (see clipdense.utils.compat)
    return metrics


if __name__ == '__main__':
    run_cli(main)
