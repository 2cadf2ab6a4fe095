"""A small toy world, generated once per test session (a few seconds), and single-threaded
torch for these tests: their tiny batches gain nothing from a second thread, and on a shared,
loaded CPU two spinning OpenMP threads make them many times slower."""
import pytest
import torch

SMALL_SIZES = {
    'objects': dict(counts=dict(train=24, val=100)),
    'clip_pretrain': dict(n_images=64),
    'gta5': dict(n_images=72, n_val=12),
    'cityscapes': dict(counts=dict(train=6, val=24)),
    'mvtec': dict(n_train=3, n_test_good=4, n_per_defect=3),
    'umd': dict(n_instances=1, n_frames=3),
    'pool': dict(n_images=12),
}


@pytest.fixture(scope='session')
def toy_root(tmp_path_factory):
    from clipdense.toyworld import ensure_toy_world
    return ensure_toy_world(str(tmp_path_factory.mktemp('toyworld')), sizes=SMALL_SIZES, verbose=False)


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
