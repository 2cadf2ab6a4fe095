"""Retrieve + co-segment concepts into reference embeddings (clipdense.models.reco.references)."""
import pytest
import torch

from clipdense.clip import ClassEmbeddingCache, TextTower, build_clip, build_dense_encoder
from clipdense.models.reco.co_segmentation import reference_embedding
from clipdense.models.reco.inference import context_weights, text_attention
from clipdense.models.reco.references import RECO_TEMPLATES, ConceptReferences
from clipdense.models.reco.retrieval import build_image_index, normalize_images
from clipdense.models.reco.vit_encoder import DenseViTEncoder

from .conftest import TINY_ENCODER


@pytest.fixture(scope='module')
def parts(pool):
    torch.manual_seed(0)
    clip = build_clip('tiny-ViT')
    index = build_image_index(pool, clip, None, dict(arch='tiny-ViT'), log=lambda m: None)
    text = ClassEmbeddingCache(TextTower(clip), 'single')
    enc_cfg = dict(TINY_ENCODER)
    encoder = DenseViTEncoder(enc_cfg.pop('arch'), **enc_cfg)
    dense = build_dense_encoder(clip, dense_mode='value')
    return index, text, encoder, dense


def make_bank(parts, **kw):
    index, text, encoder, dense = parts
    args = dict(k=4, image_size=32, context_concepts=('sky', 'road'), batch_size=3, log=lambda m: None)
    args.update(kw)
    return ConceptReferences(index, text, encoder, dense, text, **args)


def test_retrieval_is_the_top_k_of_the_index(parts):
    index, text = parts[0], parts[1]
    bank = make_bank(parts)
    paths = bank.retrieve(['red', 'blue'])
    _, idx = index.rank(text.embed(['red', 'blue']), 4)
    assert paths == [[f'{index.root}/{index.paths[i]}' for i in row] for row in idx.tolist()]


def test_co_segmentation_equals_explicit_composition(parts):
    index, text, encoder, dense = parts
    bank = make_bank(parts)
    ctx = bank.context_references()
    assert ctx.shape == (2, encoder.embed_dim)
    paths = bank.retrieve(['green'])[0]
    ref = bank.co_segment('green', paths, ctx)

    images = bank.load_archive(paths)
    assert images.shape == (4, 3, 32, 32)
    feats = encoder(images)
    att = text_attention(dense(normalize_images(images))['dense_embed'], text.embed(['green']), 10.0,
                         feats.shape[-2:])[:, 0]
    want, seeds = reference_embedding(feats, att * context_weights(feats, ctx))
    assert torch.allclose(ref, want, atol=1e-6) and torch.equal(bank.seeds['green'], seeds)


def test_context_concepts_are_eliminated_against_the_previous_ones(parts, monkeypatch):
    """Context concept i is co-segmented with elimination of concepts 0..i-1 (the released
    ReCo.__init__): 'sky' without elimination, 'road' against 'sky', 'tree' against both."""
    from clipdense.models.reco import references as module
    index, text, encoder, dense = parts
    bank = make_bank(parts, context_concepts=('sky', 'road', 'tree'))
    seen = {}
    original = module.reference_embedding

    def spy(feats, weights, *args):
        seen[len(seen)] = weights.clone()
        return original(feats, weights, *args)

    monkeypatch.setattr(module, 'reference_embedding', spy)
    ctx = bank.context_references()
    monkeypatch.setattr(module, 'reference_embedding', original)
    assert ctx.shape == (3, encoder.embed_dim) and len(seen) == 3
    for i, name in enumerate(('sky', 'road', 'tree')):
        paths = bank.archives[name]
        images = bank.load_archive(paths)
        feats = encoder(images)
        att = text_attention(dense(normalize_images(images))['dense_embed'], text.embed([name]), 10.0,
                             feats.shape[-2:])[:, 0]
        want = att if i == 0 else att * context_weights(feats, ctx[:i])
        assert torch.allclose(seen[i], want, atol=1e-6), name
        if i:   # the weights really carry an elimination factor (< 1) from the earlier concepts
            assert not torch.allclose(seen[i], att, atol=1e-4)
        expected = bank.co_segment(name, paths, ctx[:i] if i else None)
        assert torch.allclose(ctx[i], expected, atol=1e-6), name


def test_without_guidance_or_context_the_weights_are_ones(parts):
    bank = make_bank(parts, use_text_attention=False, context_concepts=())
    refs = bank.build(['red'])
    feats = parts[2](bank.load_archive(bank.archives['red']))
    assert torch.allclose(refs[0], reference_embedding(feats)[0], atol=1e-6)


def test_context_concepts_aliases_and_cache(parts):
    encoder = parts[2]
    bank = make_bank(parts, context_aliases={'vegetation': 'road'})
    calls = []
    original = encoder.forward
    encoder.forward = lambda x: (calls.append(len(x)), original(x))[1]
    try:
        refs = bank.build(['red', 'sky', 'vegetation'])
        ctx = bank.context_references()
        assert torch.equal(refs[1], ctx[0]) and torch.equal(refs[2], ctx[1])
        assert sum(calls) == 3 * 4                      # sky, road (context) and red: k images each
        again = bank.build(['blue', 'red'])
        assert sum(calls) == 4 * 4 and torch.equal(again[1], refs[0])   # only 'blue' is new
    finally:
        del encoder.forward


def test_guidance_needs_a_dense_clip(parts):
    index, text, encoder, _ = parts
    with pytest.raises(ValueError, match='dense_clip'):
        ConceptReferences(index, text, encoder, None, None)
    with pytest.raises(ValueError, match='not context_concepts'):
        make_bank(parts, context_aliases={'vegetation': 'tree'})


def test_reco_prompt_set_has_85_templates():
    assert len(RECO_TEMPLATES) == 85
    assert RECO_TEMPLATES[-1]('car') == 'this is one car in the scene.'
