"""Direct Python API: images of any size + object name -> maps and scores."""
import numpy as np
import pytest
import torch
from PIL import Image

from clipdense.models.anovl.api import AnomalyLocalizer, read_rgb

from .tiny import CONFIG, TINY_OPTIONS


@pytest.fixture(scope='module')
def ad():
    return AnomalyLocalizer(CONFIG, cfg_options=dict(TINY_OPTIONS))


def _images():
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, (40, 56, 3), dtype=np.uint8), rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)]


def test_maps_at_original_size_and_scores(ad):
    res = ad.predict(_images(), 'screw')
    assert [m.shape for m in res.maps] == [(40, 56), (64, 64)] and res.scores.shape == (2,)
    assert all(m.dtype == np.float32 and (m > 0).all() and (m < 1).all() for m in res.maps)
    small = ad.predict(_images(), 'screw', original_size=False, tta=False)
    assert [m.shape for m in small.maps] == [(64, 64)] * 2
    # the API runs the same model as tools/test.py on the same preprocessed input
    x = ad.preprocess(_images())
    ref = ad.model.localize(x, ['screw'] * 2, tta=False)
    np.testing.assert_allclose(np.stack(small.maps), ref['anomaly_map'].numpy(), atol=1e-6)
    np.testing.assert_allclose(small.scores, ref['image_score'].numpy(), atol=1e-6)
    np.testing.assert_allclose(np.stack(small.tfa_maps), np.stack(small.maps))


def test_inputs_paths_pil_and_tta_scopes(ad, tmp_path):
    img = _images()[1]
    Image.fromarray(img).save(tmp_path / 'a.png')
    one = ad.predict(str(tmp_path / 'a.png'), 'screw', tta=False)
    two = ad.predict(Image.fromarray(img), 'screw', tta=False)
    np.testing.assert_allclose(one.maps[0], two.maps[0])
    torch.manual_seed(0)
    per_set = ad.predict(_images(), 'screw', tta=True, tta_scope='set')
    assert len(per_set.maps) == 2 and not np.allclose(per_set.maps[1], per_set.tfa_maps[1])


def test_one_line_errors(ad, tmp_path):
    bad = tmp_path / 'broken.png'
    bad.write_bytes(b'not an image')
    with pytest.raises(ValueError, match='cannot read image .*broken.png: not a readable image'):
        ad.predict(str(bad), 'screw')
    with pytest.raises(ValueError, match='no such file'):
        read_rgb(str(tmp_path / 'missing.png'))
    with pytest.raises(ValueError, match='unknown object name'):
        ad.predict(_images()[0], '')
    with pytest.raises(ValueError, match='dtype float64'):
        read_rgb(np.zeros((4, 4, 3)))


def test_real_config_without_weights_names_where_to_put_them(tmp_path, monkeypatch):
    """AnoVL trains nothing, so the real config must not fall back to random CLIP weights."""
    from clipdense.clip.checkpoint import CLIPCheckpointError
    monkeypatch.setenv('HOME', str(tmp_path))  # an empty ~/.cache/clipdense/clip
    opts = {k: v for k, v in TINY_OPTIONS.items() if k != 'model.localizer.checkpoint'}
    with pytest.raises(CLIPCheckpointError, match=r'no CLIP weights for tiny-ViT at .*\.cache/clipdense/clip'):
        AnomalyLocalizer(CONFIG, cfg_options=opts)
