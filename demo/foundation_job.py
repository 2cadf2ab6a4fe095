"""The smaller end-to-end job `make demo` runs until the toy world's demo/main_job.py is present.

Writes a tiny shapes segmentation dataset, trains the tiny CLIP-backbone segmentor of
configs/examples/tiny_clip_fcn_shapes.py for 40 iterations through tools/train.py, evaluates it
with tools/test.py and prints mIoU. Outputs land in one folder, named in the last line.
"""
import os
import os.path as osp
import subprocess
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)


def main(out_dir=osp.join(ROOT, 'outputs', 'foundation_job')):
    from tests.helpers import write_shapes_dataset
    data = osp.join(out_dir, 'data')
    if not osp.isdir(osp.join(data, 'img_dir')):
        print(f'[1/3] writing a tiny shapes dataset to {data}', flush=True)
        write_shapes_dataset(data, n_train=24, n_val=6)
    cfg = osp.join(ROOT, 'configs/examples/tiny_clip_fcn_shapes.py')
    opts = [f'{k}.dataset.data_root={data}' for k in ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    work = osp.join(out_dir, 'work')
    print('[2/3] training a tiny CLIP-backbone segmentor for 40 iterations (tools/train.py)', flush=True)
    subprocess.run([sys.executable, osp.join(ROOT, 'tools/train.py'), cfg, '--work-dir', work,
                    '--cfg-options', *opts], check=True)
    print('[3/3] evaluating the last checkpoint (tools/test.py)', flush=True)
    subprocess.run([sys.executable, osp.join(ROOT, 'tools/test.py'), cfg, osp.join(work, 'iter_40.pth'),
                    '--work-dir', osp.join(out_dir, 'test'), '--cfg-options', *opts], check=True)
    print(f'outputs: {out_dir}')


if __name__ == '__main__':
    main()
