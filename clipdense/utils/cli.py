"""Command-line plumbing shared by ``tools/`` and ``demo/``: user errors end in one line.

A script's ``main`` raises ordinary exceptions; :func:`run_cli` turns the ones that describe bad
input (a missing or corrupt file, an unknown name, wrong weights) into ``error: <message>`` on
stderr and exit status 1, instead of a traceback. ``CLIPDENSE_DEBUG=1`` re-raises them with the
full traceback. Programming errors (``TypeError``, ``AttributeError``, ...) always keep theirs.
"""
import os
import os.path as osp
import pickle
import sys
import zipfile
from typing import Callable, Optional, Sequence

from PIL import UnidentifiedImageError

from clipdense.clip.checkpoint import CLIPCheckpointError

USER_ERRORS = (CLIPCheckpointError, FileNotFoundError, NotADirectoryError, IsADirectoryError,
               UnidentifiedImageError, pickle.UnpicklingError, ValueError, KeyError)


def error_line(err: BaseException) -> str:
    """``error: <message>`` for a user error (a ``KeyError``'s message without its quotes)."""
    msg = err.args[0] if isinstance(err, KeyError) and err.args else err
    return f'error: {msg}'


def run_cli(main: Callable[[Optional[Sequence[str]]], object],
            argv: Optional[Sequence[str]] = None):
    """Run ``main(argv)``; a user error becomes one ``error: ...`` line and exit status 1."""
    try:
        return main(argv)
    except USER_ERRORS as err:
        if os.environ.get('CLIPDENSE_DEBUG'):
            raise
        print(error_line(err), file=sys.stderr)
        raise SystemExit(1) from None


def check_checkpoint_file(path: str, what: str = 'checkpoint') -> None:
    """Raise ``FileNotFoundError``/``ValueError`` unless ``path`` looks like a PyTorch checkpoint.

    Cheap: a zip archive (``torch.save`` since 1.6) or a pickle stream (legacy format), checked
    from the first bytes, before a runner spends minutes building a model around it.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} not found: {path}')
    if zipfile.is_zipfile(path):
        return
    with open(path, 'rb') as f:
        head = f.read(2)
    if len(head) < 2 or head[0] != 0x80:  # pickle protocol >= 2 starts with PROTO (0x80)
        raise ValueError(f'{what} {path} is not a PyTorch checkpoint (neither a torch.save zip '
                         'archive nor a pickle); point to the .pth file that training wrote')
