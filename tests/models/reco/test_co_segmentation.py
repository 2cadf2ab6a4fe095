"""Seed selection by cross-image affinity and the reference embedding (clipdense.models.reco.co_segmentation)."""
import torch
import torch.nn.functional as F

from clipdense.models.reco.co_segmentation import reference_embedding, seed_scores, select_seeds


def explicit_scores(features, weights=None):
    """The paper's procedure written out: full affinity matrix, per-image block max, mean."""
    n, c, h, w = features.shape
    pix = F.normalize(features.permute(0, 2, 3, 1).reshape(-1, c), dim=1)
    A = pix @ pix.t()
    if weights is not None:
        A = A * weights.reshape(1, -1)
    hw = h * w
    out = torch.empty(n * hw)
    for p in range(n * hw):
        per_image = [A[p, j * hw:(j + 1) * hw].max() for j in range(n)]
        out[p] = torch.stack(per_image).mean()
    return out.view(n, h, w)


def test_hand_computed_two_images():
    # image 0: pixels a=(1,0), b=(0,1); image 1: c=(2,0), d=(-1,0)  (1 x 2 maps, 2 channels)
    feats = torch.tensor([[[[1.0, 0.0]], [[0.0, 1.0]]],
                          [[[2.0, -1.0]], [[0.0, 0.0]]]])
    s = seed_scores(feats)
    # s(a) = mean(max(1, 0), max(1, -1)) = 1; s(b) = mean(max(0, 1), max(0, 0)) = 0.5
    # s(c) = mean(max(1, 0), max(1, -1)) = 1; s(d) = mean(max(-1, 0), max(-1, 1)) = 0.5
    assert torch.allclose(s, torch.tensor([[[1.0, 0.5]], [[1.0, 0.5]]]))
    ref, seeds = reference_embedding(feats)
    assert seeds.tolist() == [0, 0]
    # mean of the *un-normalised* seed features (1,0) and (2,0), then L2-normalised
    assert torch.allclose(ref, torch.tensor([1.0, 0.0]))


def test_weights_scale_the_target_pixels():
    feats = torch.tensor([[[[1.0, 0.0]], [[0.0, 1.0]]],
                          [[[2.0, -1.0]], [[0.0, 0.0]]]])
    weights = torch.tensor([[[1.0, 1.0]], [[0.2, 1.0]]])   # damp pixel c
    s = seed_scores(feats, weights)
    # s(a) = mean(max(1, 0), max(0.2, -1)) = 0.6; s(b) = mean(1, max(0, 0)) = 0.5
    assert torch.allclose(s[0, 0], torch.tensor([0.6, 0.5]))


def test_matches_explicit_affinity_computation_with_chunks():
    g = torch.Generator().manual_seed(0)
    feats = torch.randn(4, 6, 3, 5, generator=g)
    weights = torch.rand(4, 3, 5, generator=g)
    for w in (None, weights):
        expected = explicit_scores(feats, w)
        for chunk in (7, 16, 4096):        # row chunking must not change the result
            assert torch.allclose(seed_scores(feats, w, chunk=chunk), expected, atol=1e-6)


def test_seeds_and_reference_from_explicit_scores():
    g = torch.Generator().manual_seed(1)
    feats = torch.randn(5, 8, 4, 4, generator=g)
    weights = torch.rand(5, 4, 4, generator=g)
    scores = explicit_scores(feats, weights)
    seeds = select_seeds(scores)
    for i in range(5):
        assert scores[i].flatten()[seeds[i]] == scores[i].max()
    ref, got_seeds = reference_embedding(feats, weights, chunk=9)
    assert torch.equal(got_seeds, seeds)
    seed_feats = torch.stack([feats[i].flatten(1)[:, seeds[i]] for i in range(5)])
    assert torch.allclose(ref, F.normalize(seed_feats.mean(0), dim=0), atol=1e-6)
    assert torch.isclose(ref.norm(), torch.tensor(1.0))


def test_shared_concept_is_found_across_images():
    # every image holds one 'concept' pixel (shared direction + noise) among random clutter
    g = torch.Generator().manual_seed(2)
    concept = F.normalize(torch.randn(16, generator=g), dim=0)
    feats = torch.randn(6, 16, 4, 4, generator=g)
    where = torch.randint(0, 16, (6,), generator=g)
    for i in range(6):
        feats[i].view(16, -1)[:, where[i]] = 4 * concept + 0.1 * torch.randn(16, generator=g)
    ref, seeds = reference_embedding(feats)
    assert torch.equal(seeds, where)
    assert F.cosine_similarity(ref, concept, dim=0) > 0.99
