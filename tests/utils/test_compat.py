import io
import os
import socket

import numpy as np
import pytest
import torch
import torch.distributed as dist
from mmengine.logging import HistoryBuffer

import clipdense  # noqa: F401  (applies the patches)
from clipdense.utils import compat


def test_weights_only_load_accepts_mmengine_message_hub_objects():
    buf = HistoryBuffer()
    buf.update(1.5)
    buf.update(np.float64(2.0))
    state = {'message_hub': {'log_scalars': {'train/loss': buf},
                             'runtime_info': {'iter': np.int64(4), 'arr': np.arange(3)}},
             'meta': {'seed': np.int64(0), 'lr': np.float32(0.1)}}
    f = io.BytesIO()
    torch.save(state, f)
    f.seek(0)
    out = torch.load(f, weights_only=True)
    assert out['message_hub']['log_scalars']['train/loss'].mean() == pytest.approx(1.75)
    assert out['message_hub']['runtime_info']['iter'] == 4


class _Arbitrary:
    pass


def test_weights_only_still_rejects_arbitrary_objects():
    f = io.BytesIO()
    torch.save({'x': _Arbitrary()}, f)
    f.seek(0)
    with pytest.raises(Exception, match='weights_only|Unsupported global'):
        torch.load(f, weights_only=True)


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the CPU-only path')
def test_pytorch_launcher_and_ddp_on_cpu(monkeypatch):
    from mmengine.dist import init_dist
    from mmengine.model import MMDistributedDataParallel
    monkeypatch.setenv('RANK', '0')
    monkeypatch.setenv('LOCAL_RANK', '0')
    monkeypatch.setenv('WORLD_SIZE', '1')
    monkeypatch.setenv('MASTER_ADDR', '127.0.0.1')
    monkeypatch.setenv('MASTER_PORT', str(_free_port()))
    init_dist('pytorch', backend='nccl')        # what a config's dist_cfg asks for
    try:
        assert dist.get_backend() == 'gloo'
        model = MMDistributedDataParallel(module=torch.nn.Linear(3, 2), device_ids=[0])
        assert model.device_ids is None
        model(torch.randn(4, 3)).sum().backward()
    finally:
        dist.destroy_process_group()


def test_patches_are_idempotent():
    import mmengine.dist.utils as du
    compat.apply_stack_patches()
    assert du._init_dist_pytorch is compat.init_dist_pytorch_any_device


def test_close_distributed_destroys_the_group_and_is_a_no_op_without_one(tmp_path):
    compat.close_distributed()                       # not distributed: nothing happens
    assert not dist.is_initialized()
    dist.init_process_group('gloo', init_method=f'file://{tmp_path}/store', rank=0, world_size=1)
    assert dist.is_initialized()
    compat.close_distributed()
    assert not dist.is_initialized()
