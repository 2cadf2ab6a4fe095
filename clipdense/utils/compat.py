"""Every work-around for known incompatibilities of the pinned stack lives here.

Applied once, when ``clipdense`` is imported (also through a config's ``custom_imports``).
Each patch is idempotent and leaves the patched library working exactly as before on
set-ups where the incompatibility does not arise.

1. ``--resume`` under torch >= 2.6: ``torch.load`` defaults to ``weights_only=True`` and
   rejects mmengine's ``HistoryBuffer`` and the numpy arrays/scalars that mmengine stores in
   ``message_hub``. We allow-list exactly those classes, plus ``getattr`` (HistoryBuffer pickles
   its statistics methods as ``getattr(buffer, 'mean')``). The unpickler stays restricted: it
   still only *calls* allow-listed functions, so ``getattr`` results cannot be invoked.
2. CPU-only distributed training: mmengine's ``pytorch`` launcher calls
   ``torch.cuda.set_device`` and initialises NCCL; its runner gives DDP ``device_ids``.
   Without CUDA we initialise gloo and build DDP without ``device_ids``. On GPUs nothing
   changes, so the same config trains with NCCL there.
3. Leaving a distributed run: mmengine never destroys its process group, and a gloo group left
   to the interpreter's exit can abort one rank ("terminate called without an active exception",
   SIGABRT) after the run finished, failing the whole launch (seen once in 2-process CPU runs on
   a loaded machine). ``tools/train.py`` / ``tools/test.py`` call :func:`close_distributed`
   after a clean run.
"""
import os

import numpy as np
import torch
import torch.distributed as torch_dist

_APPLIED = False


def resume_safe_globals():
    """Classes that mmengine checkpoints contain besides tensors (for ``weights_only`` loads)."""
    from mmengine.logging.history_buffer import HistoryBuffer
    from mmengine.logging.message_hub import MessageHub
    np_core = getattr(np, '_core', None) or np.core
    classes = [getattr, HistoryBuffer, MessageHub, np.ndarray, np.dtype,
               np_core.multiarray._reconstruct, np_core.multiarray.scalar]
    classes += [getattr(np.dtypes, name) for name in dir(np.dtypes) if name.endswith('DType')]
    return classes


def _allow_mmengine_objects_in_torch_load():
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:  # torch >= 2.4; older torch does not restrict torch.load
        add(resume_safe_globals())


def init_dist_pytorch_any_device(backend='nccl', init_backend='torch', **kwargs):
    """Drop-in for ``mmengine.dist.utils._init_dist_pytorch`` that also works without CUDA."""
    if torch.cuda.is_available():
        return _ORIGINAL_INIT_DIST_PYTORCH(backend, init_backend=init_backend, **kwargs)
    if init_backend != 'torch':
        raise RuntimeError(f'init_backend={init_backend!r} needs CUDA; use the default "torch" on CPU')
    if backend == 'nccl':
        backend = 'gloo'  # NCCL needs GPUs; gloo is torch's CPU collective backend
    torch_dist.init_process_group(
        backend=backend, rank=int(os.environ['RANK']),
        world_size=int(os.environ['WORLD_SIZE']), **kwargs)


_ORIGINAL_INIT_DIST_PYTORCH = None


def _patch_dist_launcher():
    global _ORIGINAL_INIT_DIST_PYTORCH
    import mmengine.dist.utils as dist_utils
    if _ORIGINAL_INIT_DIST_PYTORCH is None:
        _ORIGINAL_INIT_DIST_PYTORCH = dist_utils._init_dist_pytorch
        dist_utils._init_dist_pytorch = init_dist_pytorch_any_device


def _patch_ddp_device_ids():
    from mmengine.model import MMDistributedDataParallel
    original_init = MMDistributedDataParallel.__init__
    if getattr(original_init, '_clipdense_cpu_safe', False):
        return

    def __init__(self, module, detect_anomalous_params=False, **kwargs):
        first_param = next(module.parameters(), None)
        on_cpu = first_param is None or first_param.device.type == 'cpu'
        if on_cpu and kwargs.get('device_ids') is not None:
            kwargs['device_ids'] = None  # DDP on CPU modules must not be given device ids
        original_init(self, module, detect_anomalous_params=detect_anomalous_params, **kwargs)

    __init__._clipdense_cpu_safe = True
    MMDistributedDataParallel.__init__ = __init__


def close_distributed() -> None:
    """Destroy the default process group (no-op when not distributed). No barrier first: every
    rank that returns from a run has finished its collectives, and a rank whose peer failed must
    not wait for it."""
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.destroy_process_group()


def apply_stack_patches():
    """Apply all patches (idempotent)."""
    global _APPLIED
    if _APPLIED:
        return
    _allow_mmengine_objects_in_torch_load()
    _patch_dist_launcher()
    _patch_ddp_device_ids()
    _APPLIED = True
