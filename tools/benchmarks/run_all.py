"""Run every ``tools/benchmarks/bench_*.py`` in turn (``make bench``); each prints its own table.

    python tools/benchmarks/run_all.py [NAME ...]     # e.g. denseclip anovl
"""
import glob
import os.path as osp
import subprocess
import sys
import time


def main(names):
    here = osp.dirname(osp.abspath(__file__))
    scripts = sorted(glob.glob(osp.join(here, 'bench_*.py')))
    if names:
        scripts = [s for s in scripts if osp.basename(s)[len('bench_'):-3] in names]
        if not scripts:
            raise SystemExit(f'no benchmark named {names}; available: '
                             f'{[osp.basename(s)[6:-3] for s in glob.glob(osp.join(here, "bench_*.py"))]}')
    failed = []
    for script in scripts:
        print(f'=== {osp.basename(script)} ===', flush=True)
        start = time.time()
        rc = subprocess.call([sys.executable, script])
        print(f'--- {osp.basename(script)}: exit {rc}, {time.time() - start:.0f} s', flush=True)
        if rc:
            failed.append(osp.basename(script))
    if failed:
        raise SystemExit(f'benchmarks failed: {failed}')


if __name__ == '__main__':
    main(sys.argv[1:])
