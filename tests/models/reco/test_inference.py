"""ReCo score maps, fusion, context elimination and label grouping (clipdense.models.reco.inference)."""
import math

import torch
import torch.nn.functional as F

from clipdense.models.reco.inference import (context_weights, cosine_maps, fuse, group_scores,
                                             reference_scores, text_attention)


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def test_cosine_maps_hand_values():
    feats = torch.tensor([[[[3.0]], [[4.0]]]])             # one pixel (3, 4)
    embeds = torch.tensor([[1.0, 0.0], [0.0, 2.0], [-4.0, 3.0]])
    cos = cosine_maps(feats, embeds)[0, :, 0, 0]
    assert torch.allclose(cos, torch.tensor([0.6, 0.8, 0.0]))


def test_reference_scores_and_text_attention():
    feats = torch.tensor([[[[3.0]], [[4.0]]]])
    refs = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    s = reference_scores(feats, refs)[0, :, 0, 0]
    assert torch.allclose(s, torch.tensor([sigmoid(0.6), sigmoid(0.8)]))
    a = text_attention(feats, refs, temperature=10.0)[0, :, 0, 0]
    assert torch.allclose(a, torch.tensor([sigmoid(6.0), sigmoid(8.0)]))
    big = reference_scores(feats, refs, size=(4, 6))
    assert big.shape == (1, 2, 4, 6) and torch.allclose(big[0, :, 2, 3], s)   # constant map stays constant


def test_context_weights_product_over_context_concepts():
    feats = torch.tensor([[[[1.0, 0.0]], [[0.0, 1.0]]]])   # pixels (1,0) and (0,1)
    ctx = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    w = context_weights(feats, ctx)[0, 0]
    c = 1 / math.sqrt(2)
    expected = [(1 - sigmoid(1.0)) * (1 - sigmoid(c)), (1 - sigmoid(0.0)) * (1 - sigmoid(c))]
    assert torch.allclose(w, torch.tensor(expected))
    assert torch.equal(context_weights(feats, torch.zeros(0, 2)), torch.ones(1, 1, 2))


def test_fuse_is_hadamard_product_at_reference_resolution():
    g = torch.Generator().manual_seed(0)
    ref = torch.rand(2, 3, 8, 8, generator=g)
    att = torch.rand(2, 3, 4, 4, generator=g)
    fused = fuse(ref, att)
    assert torch.allclose(fused, ref * F.interpolate(att, size=(8, 8), mode='bilinear', align_corners=False))
    assert fuse(ref, None) is ref


def test_group_scores_equals_mapping_the_argmax_concept():
    g = torch.Generator().manual_seed(1)
    scores = torch.rand(2, 6, 5, 5, generator=g)
    labels = torch.tensor([2, 0, 2, 1, 0, 2])
    grouped = group_scores(scores, labels, num_labels=4)
    assert grouped.shape == (2, 4, 5, 5)
    assert torch.equal(grouped.argmax(1), labels[scores.argmax(1)])
    assert torch.allclose(grouped[:, 0], torch.maximum(scores[:, 1], scores[:, 4]))
    assert torch.all(grouped[:, 3] == -1.0)                     # label without a concept never wins
