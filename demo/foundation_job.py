"""The smaller end-to-end job `make demo` runs until the toy world's demo/main_job.py is present.

Writes a tiny shapes segmentation dataset, trains the tiny CLIP-backbone segmentor of
configs/examples/tiny_clip_fcn_shapes.py for 40 iterations through tools/train.py, evaluates it
with tools/test.py and prints mIoU. Outputs land in one folder, named in the last line.

    .venv/bin/python demo/foundation_job.py [--out outputs/foundation_job]
"""
import argparse
import os.path as osp
import subprocess
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)
DEFAULT_OUT = osp.join(ROOT, 'outputs', 'foundation_job')


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description='Train a tiny CLIP-backbone segmentor on a tiny shapes dataset for 40 iterations '
                    '(tools/train.py) and evaluate it (tools/test.py).')
    p.add_argument('--out', default=DEFAULT_OUT,
                   help='output folder: data/, work/ (checkpoints, logs) and test/ (default: %(default)s)')
    return p.parse_args(argv)


def _run_tool(cmd):
    """Run an OpenMMLab tool of this checkout; a failure ends the job on one line (the tool has
    already printed why), not with a traceback of this script."""
    rc = subprocess.run([sys.executable, osp.join(ROOT, cmd[0]), *cmd[1:]]).returncode
    if rc != 0:
        raise SystemExit(f'error: {cmd[0]} failed (exit status {rc}); see its output above')


def main(argv=None):
    args = parse_args(argv)
    out_dir = osp.abspath(args.out)
    if osp.exists(out_dir) and not osp.isdir(out_dir):
        raise NotADirectoryError(f'--out {args.out} is a file, not a folder; pass a folder path')
    from tests.helpers import write_shapes_dataset
    data = osp.join(out_dir, 'data')
    if not osp.isdir(osp.join(data, 'img_dir')):
        print(f'[1/3] writing a tiny shapes dataset to {data}', flush=True)
        write_shapes_dataset(data, n_train=24, n_val=6)
    cfg = osp.join(ROOT, 'configs/examples/tiny_clip_fcn_shapes.py')
    opts = [f'{k}.dataset.data_root={data}' for k in ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    work = osp.join(out_dir, 'work')
    print('[2/3] training a tiny CLIP-backbone segmentor for 40 iterations (tools/train.py)', flush=True)
    _run_tool(['tools/train.py', cfg, '--work-dir', work, '--cfg-options', *opts])
    print('[3/3] evaluating the last checkpoint (tools/test.py)', flush=True)
    _run_tool(['tools/test.py', cfg, osp.join(work, 'iter_40.pth'), '--work-dir', osp.join(out_dir, 'test'),
               '--cfg-options', *opts])
    print(f'outputs: {out_dir}')
    return out_dir


if __name__ == '__main__':
    from clipdense.utils.cli import run_cli
    run_cli(main)
