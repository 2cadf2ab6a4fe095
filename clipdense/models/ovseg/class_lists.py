"""Class vocabularies for open-vocabulary segmentation: a list, a comma-separated string or a file.

A class-list *file* has one class per line (blank lines and lines starting with ``#`` are
skipped); commas inside a line belong to the name (ADE20K-847 names such as
``building, edifice`` are single classes). A *string* is split at commas, as typed on a
command line: ``'dog,cat,traffic light'``.
"""
import os.path as osp
from typing import List, Optional, Sequence, Union

from clipdense.clip import validate_class_names

CLASS_LIST_DIR = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))),
                          'configs', 'ovseg', 'class_lists')


def read_class_file(path: str) -> List[str]:
    """Names from a one-class-per-line text file (UTF-8)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'class list file {path} not found; write one class name per line '
                                f'(the benchmark lists live in {CLASS_LIST_DIR})')
    with open(path, encoding='utf-8') as f:
        lines = [line.strip() for line in f]
    return [line for line in lines if line and not line.startswith('#')]


def load_class_names(spec: Union[str, Sequence[str]], expected: Optional[int] = None) -> List[str]:
    """Resolve ``spec`` to a validated list of class names.

    Args:
        spec: a list/tuple of names, a path to a ``.txt`` class-list file, or a
            comma-separated string.
        expected: if given, the number of names the list must have (e.g. 847 for ADE20K-847).
    """
    source = None
    if isinstance(spec, str):
        if spec.endswith('.txt') or osp.isfile(spec):
            source = spec
            names = read_class_file(spec)
        else:
            names = spec.split(',')
    elif isinstance(spec, (list, tuple)):
        names = list(spec)
    else:
        raise TypeError(f'class names must be a list, a comma-separated string or a .txt file, '
                        f'got {type(spec).__name__}')
    names = validate_class_names(names, source=source)
    if expected is not None and len(names) != expected:
        where = source or 'the given class list'
        raise ValueError(f'{where} has {len(names)} classes but {expected} are needed; '
                         f'use the dataset\'s official list, one class per line')
    return names
