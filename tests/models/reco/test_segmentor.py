"""The registered ReCo segmentor (clipdense.models.reco.segmentor)."""
import os

import pytest
import torch
from mmengine.runner import load_checkpoint
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import clipdense  # noqa: F401
from clipdense.models.reco.inference import group_scores, reference_scores, text_attention
from clipdense.models.reco.retrieval import normalize_images

from .conftest import tiny_reco_cfg


@pytest.fixture(scope='module')
def built(pool, tmp_path_factory):
    """A tiny ReCo whose references were built lazily on its first forward, and its index file."""
    index_file = str(tmp_path_factory.mktemp('reco') / 'index.pth')
    torch.manual_seed(0)
    model = MODELS.build(tiny_reco_cfg(index_file, pool)).eval()
    model.encode_decode(torch.rand(1, 3, 32, 32) * 255)
    return model, index_file


def test_references_are_built_from_the_index_on_first_use(built):
    model, index_file = built
    assert os.path.isfile(index_file)
    assert model.references.shape == (3, 384) and int(model.references_key) != 0
    assert torch.allclose(model.references.norm(dim=1), torch.ones(3))


def test_prediction_is_the_fused_reco_score(built, shape_batch):
    model, _ = built
    imgs, _ = shape_batch
    scores = model.encode_decode(imgs)
    ref = reference_scores(model.encoder(imgs), model.references, imgs.shape[-2:])
    text = model.dense_text.embed(['red', 'green', 'blue'])
    att = text_attention(model.dense_clip(normalize_images(imgs))['dense_embed'], text, 10.0, imgs.shape[-2:])
    assert scores.shape == (2, 3, 48, 64) and torch.allclose(scores, ref * att, atol=1e-6)

    samples = [SegDataSample(metainfo=dict(ori_shape=(24, 32), img_shape=(48, 64))) for _ in range(2)]
    out = model.predict(imgs, samples)
    assert out[0].pred_sem_seg.data.shape == (1, 24, 32)
    assert out[0].seg_logits.data.shape == (3, 24, 32)


def test_concepts_sharing_a_label_are_merged(built, shape_batch, pool):
    model, index_file = built
    imgs, _ = shape_batch
    cfg = tiny_reco_cfg(index_file, pool, concept_labels=(1, 0, 1))
    grouped = MODELS.build(cfg).eval()
    grouped.load_state_dict(model.state_dict())
    scores = model.encode_decode(imgs)
    assert torch.allclose(grouped.encode_decode(imgs), group_scores(scores, torch.tensor([1, 0, 1]), 2))


def test_checkpoint_holds_only_references_and_reloads_without_the_index(built, shape_batch, tmp_path, pool):
    model, _ = built
    imgs, _ = shape_batch
    assert sorted(model.state_dict()) == ['references', 'references_key']
    assert not list(model.parameters())
    ckpt = str(tmp_path / 'refs.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    fresh = MODELS.build(tiny_reco_cfg(str(tmp_path / 'absent.pth'), None)).eval()
    fresh._towers['encoder'].load_state_dict(model.encoder.state_dict())
    fresh._towers['clip'].load_state_dict(model._towers['clip'].state_dict())
    load_checkpoint(fresh, ckpt, strict=True)
    assert torch.allclose(fresh.encode_decode(imgs), model.encode_decode(imgs))   # no index needed

    stale = MODELS.build(tiny_reco_cfg(None, None, class_names=('cat', 'dog', 'sky'))).eval()
    load_checkpoint(stale, ckpt, strict=True)
    with pytest.raises(ValueError, match='other class_names'):
        stale.encode_decode(imgs)


def test_frozen_towers_follow_dtype_and_device_moves(pool, tmp_path):
    model = MODELS.build(tiny_reco_cfg(str(tmp_path / 'i.pth'), pool))
    model.double()
    assert next(model.encoder.parameters()).dtype == torch.float64
    assert next(model.dense_clip.parameters()).dtype == torch.float64
    assert model.references.dtype == torch.float64


def test_bad_configs_give_one_line_errors(pool, tmp_path):
    with pytest.raises(ValueError, match='at least two'):
        MODELS.build(tiny_reco_cfg(None, pool, class_names=('cat',)))
    with pytest.raises(ValueError, match='one label per concept'):
        MODELS.build(tiny_reco_cfg(None, pool, concept_labels=(0, 1)))
    model = MODELS.build(tiny_reco_cfg(None, None))
    with pytest.raises(ValueError, match='index needs file='):
        model.encode_decode(torch.rand(1, 3, 32, 32))
    with pytest.raises(RuntimeError, match='training-free'):
        model.loss(torch.rand(1, 3, 32, 32), [])


def test_index_of_another_clip_is_refused(built, pool):
    _, index_file = built
    model = MODELS.build(tiny_reco_cfg(index_file, None, retrieval_clip=dict(arch='tiny-RN')))
    with pytest.raises(ValueError, match='tiny-ViT embeddings'):
        model.load_index()
