import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread():
    """These tiny models run faster on one thread than on two contended ones (OpenMP waits)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
