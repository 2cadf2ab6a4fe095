"""tools/reco_build_index.py and tools/reco_pseudo_labels.py: one-line errors for bad input.

(The full ReCo pipeline through both tools is tested in tests/models/reco/test_pipeline_e2e.py.)
"""
import os.path as osp
import sys

import numpy as np
import pytest
from PIL import Image

from clipdense.utils.cli import run_cli

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools'))
import reco_build_index  # noqa: E402
import reco_pseudo_labels  # noqa: E402

RECO = osp.join(ROOT, 'configs/reco/reco_cityscapes27.py')


def test_missing_config_is_checked_first(tmp_path, capsys):
    missing = str(tmp_path / 'nope.py')
    with pytest.raises(FileNotFoundError, match='config not found: .*nope.py; give the path of a ReCo config'):
        reco_build_index.main([missing, '--out', str(tmp_path / 'refs.pth')])
    with pytest.raises(FileNotFoundError, match='config not found: .*nope.py'):
        reco_pseudo_labels.main([missing, str(tmp_path / 'also_missing.pth')])
    with pytest.raises(SystemExit) as exc:
        run_cli(reco_pseudo_labels.main, [missing])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith('error: config not found') and err.count('\n') == 1


def test_pseudo_labels_checks_the_checkpoint_before_the_data(tmp_path):
    # the config's data (data/cityscapes) is absent here: the checkpoint must be reported first
    with pytest.raises(FileNotFoundError, match='checkpoint not found: .*refs.pth; build ReCo references'):
        reco_pseudo_labels.main([RECO, str(tmp_path / 'refs.pth')])
    bad = tmp_path / 'bad.pth'
    bad.write_text('not a checkpoint')
    with pytest.raises(ValueError, match='is not a PyTorch checkpoint'):
        reco_pseudo_labels.main([RECO, str(bad)])


@pytest.mark.parametrize('workers', [0, 1])  # 1: the error comes back from a DataLoader worker
def test_corrupt_image_while_building_a_new_index(tmp_path, capsys, workers):
    images = tmp_path / 'pool'
    images.mkdir()
    rng = np.random.default_rng(0)
    for i in range(2):
        Image.fromarray(rng.integers(0, 256, (32, 40, 3), dtype=np.uint8)).save(images / f'{i}.png')
    (images / 'broken.png').write_bytes(b'\x89PNG garbage')
    out = tmp_path / 'index.pth'
    argv = ['--images', str(images), '--out', str(out), '--clip-arch', 'tiny-ViT', '--workers', str(workers),
            '--device', 'cpu']
    with pytest.raises(SystemExit) as exc:
        run_cli(reco_build_index.main, argv)
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith('error: cannot read image ') and 'broken.png' in err
    assert 'remove or replace' in err and 'restore' not in err
    assert not out.exists()


def test_build_index_argument_checks(tmp_path):
    with pytest.raises(FileNotFoundError, match='unlabelled image collection .*missing not found'):
        reco_build_index.main(['--images', str(tmp_path / 'missing'), '--out', str(tmp_path / 'i.pth')])
    (tmp_path / 'pool').mkdir()
    with pytest.raises(ValueError, match='--out .* is a folder'):
        reco_build_index.main(['--images', str(tmp_path / 'pool'), '--out', str(tmp_path)])


class _FakeSegmentor:
    """``test_step`` returns fixed scores as MMSeg does (``seg_logits``, arg-max ``pred_sem_seg``);
    with ``concept_labels`` set, concepts are grouped by their max into labels (ReCoSegmentor)."""

    def __init__(self, scores, paths, concept_labels=None):
        self.scores, self.paths, self.concept_labels = scores, paths, concept_labels
        self.calls = []

    def test_step(self, batch):
        import torch
        from mmengine.structures import PixelData
        from mmseg.structures import SegDataSample
        self.calls.append(self.concept_labels is None)
        out = []
        for scores, path in zip(self.scores, self.paths):
            if self.concept_labels is not None:
                n = int(self.concept_labels.max()) + 1
                scores = torch.stack([scores[self.concept_labels == i].amax(0) for i in range(n)])
            sample = SegDataSample(metainfo=dict(img_path=path))
            sample.seg_logits = PixelData(data=scores)
            sample.pred_sem_seg = PixelData(data=scores.argmax(0, keepdim=True))
            out.append(sample)
        return out


def _two_region_world(tmp_path, n=2):
    """Images whose left / right halves differ in colour, and noisy [0, 1] scores (as ReCo's)
    that agree with the halves except for a few weakly wrong pixels."""
    import torch
    gen = torch.Generator().manual_seed(0)
    paths, scores = [], []
    for i in range(n):
        img = np.zeros((12, 16, 3), dtype=np.uint8)
        img[:, 8:] = (200, 220, 40)
        path = tmp_path / 'imgs' / f'{i}.png'
        path.parent.mkdir(exist_ok=True)
        Image.fromarray(img).save(path)
        s = torch.full((3, 12, 16), 0.2)
        s[0, :, :8], s[1, :, 8:] = 0.6, 0.6
        s += 0.05 * torch.rand(3, 12, 16, generator=gen)
        s[2, 3, 2] = s[2, 7, 12] = 0.8                               # isolated wrong pixels
        paths.append(str(path))
        scores.append(s)
    return paths, scores


def test_pseudo_labels_are_the_crf_refined_arg_max(tmp_path):
    import torch
    from clipdense.models.reco.dense_crf import dense_crf
    paths, scores = _two_region_world(tmp_path)
    model = _FakeSegmentor(scores, paths)
    img_dir, out = str(tmp_path / 'imgs'), tmp_path / 'out'
    assert reco_pseudo_labels.write_labels(model, None, str(out / 'crf'), img_dir, '.png', {}) == 2
    assert reco_pseudo_labels.write_labels(model, None, str(out / 'raw'), img_dir, '.png', None) == 2
    for i, (path, s) in enumerate(zip(paths, scores)):
        image = torch.from_numpy(np.asarray(Image.open(path), dtype=np.float32)).permute(2, 0, 1)
        want = dense_crf(image, s).argmax(0).numpy()
        got = np.asarray(Image.open(out / 'crf' / f'{i}.png'))
        raw = np.asarray(Image.open(out / 'raw' / f'{i}.png'))
        assert np.array_equal(got, want)                      # the CRF function's labels
        assert np.array_equal(raw, s.argmax(0).numpy())       # --no-crf: the plain arg-max
        assert raw[3, 2] == raw[7, 12] == 2 and got[3, 2] == 0 and got[7, 12] == 1   # CRF cleans them
    # settings from the config reach the CRF (0 iterations: softmax of the scores, i.e. the arg-max)
    reco_pseudo_labels.write_labels(model, None, str(out / 'it0'), img_dir, '.png', dict(iters=0))
    assert np.array_equal(np.asarray(Image.open(out / 'it0' / '0.png')), scores[0].argmax(0).numpy())


def test_pseudo_label_crf_runs_over_fine_concepts(tmp_path):
    """COCO-Stuff's 171 -> 27: the CRF refines the fine concepts' scores, then concepts map to labels."""
    import torch
    from clipdense.models.reco.dense_crf import dense_crf
    paths, scores = _two_region_world(tmp_path, n=1)
    table = torch.tensor([1, 0, 1])
    model = _FakeSegmentor(scores, paths, concept_labels=table)
    reco_pseudo_labels.write_labels(model, None, str(tmp_path / 'out'), str(tmp_path / 'imgs'), '.png', {})
    assert model.calls == [True] and model.concept_labels is table    # fine scores, then restored
    image = torch.from_numpy(np.asarray(Image.open(paths[0]), dtype=np.float32)).permute(2, 0, 1)
    want = table[dense_crf(image, scores[0]).argmax(0)].numpy()
    assert np.array_equal(np.asarray(Image.open(tmp_path / 'out' / '0.png')), want)
    reco_pseudo_labels.write_labels(model, None, str(tmp_path / 'raw'), str(tmp_path / 'imgs'), '.png', None)
    assert model.calls == [True, False]                               # --no-crf: grouped scores
    assert np.array_equal(np.asarray(Image.open(tmp_path / 'raw' / '0.png')), table[scores[0].argmax(0)].numpy())


def test_crf_flag_and_settings():
    from mmengine.config import Config
    assert reco_pseudo_labels.parse_args([RECO]).crf is True
    assert reco_pseudo_labels.parse_args([RECO, '--no-crf']).crf is False
    assert reco_pseudo_labels.crf_settings(Config(dict())) == {}
    assert reco_pseudo_labels.crf_settings(Config(dict(pseudo_label_crf=dict(iters=5)))) == dict(iters=5)
    with pytest.raises(ValueError, match='pseudo_label_crf: .*valid keys'):
        reco_pseudo_labels.crf_settings(Config(dict(pseudo_label_crf=dict(iterations=5))))
