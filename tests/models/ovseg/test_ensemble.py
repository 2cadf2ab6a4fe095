"""Geometric ensemble of proposal-classifier and CLIP scores, and the semantic map."""
import pytest
import torch

from clipdense.models.ovseg import ensemble_class_scores, semantic_map


def test_geometric_ensemble_matches_hand_computation():
    p_seg = torch.tensor([[[0.6, 0.3], [0.2, 0.1]]])
    p_clip = torch.tensor([[[0.1, 0.9], [0.5, 0.5]]])
    valid = torch.tensor([[True, False]])
    out = ensemble_class_scores(p_seg, p_clip, valid, clip_weight=0.7)
    expected = torch.tensor([[[0.6 ** 0.3 * 0.1 ** 0.7, 0.3 ** 0.3 * 0.9 ** 0.7],
                              [0.2 ** 0.3, 0.1 ** 0.3]]])          # empty proposal: p_clip := 1
    assert torch.allclose(out, expected)


def test_lambda_zero_and_one_select_one_branch():
    p_seg, p_clip = torch.rand(1, 3, 4), torch.rand(1, 3, 4)
    valid = torch.ones(1, 3, dtype=torch.bool)
    assert torch.allclose(ensemble_class_scores(p_seg, p_clip, valid, 0.0), p_seg)
    assert torch.allclose(ensemble_class_scores(p_seg, p_clip, valid, 1.0), p_clip)


def test_class_agnostic_objectness_weights_clip_scores():
    obj = torch.tensor([[[0.5], [0.9]]])
    p_clip = torch.tensor([[[0.2, 0.8], [0.6, 0.4]]])
    out = ensemble_class_scores(obj, p_clip, torch.tensor([[True, False]]), 0.7)
    assert torch.allclose(out, torch.tensor([[[0.1, 0.4], [0.0, 0.0]]]))


def test_bad_lambda_and_mismatched_classes_are_one_line_errors():
    with pytest.raises(ValueError, match='lambda'):
        ensemble_class_scores(torch.rand(1, 2, 3), torch.rand(1, 2, 3), torch.ones(1, 2, dtype=torch.bool), 1.5)
    with pytest.raises(ValueError, match='same classes'):
        ensemble_class_scores(torch.rand(1, 2, 3), torch.rand(1, 2, 4), torch.ones(1, 2, dtype=torch.bool), 0.5)


def test_semantic_map_sums_mask_probabilities_weighted_by_class_scores():
    scores = torch.tensor([[[1.0, 0.0], [0.25, 0.5]]])       # [B=1, Q=2, K=2]
    masks = torch.tensor([[[[1.0, 0.0]], [[0.5, 1.0]]]])     # [1, 2, 1, 2]
    out = semantic_map(scores, masks)
    assert torch.allclose(out, torch.tensor([[[[1.125, 0.25]], [[0.25, 0.5]]]]))


def test_clip_only_leaves_unclassified_proposals_out_of_the_semantic_map():
    # Released semantic_inference, CLIP-only branch: keep the valid proposals and their masks only.
    p_seg = torch.tensor([[[0.6, 0.3], [0.2, 0.1], [0.5, 0.4]]])
    p_clip = torch.tensor([[[0.1, 0.9], [0.5, 0.5], [0.7, 0.3]]])
    valid = torch.tensor([[True, False, True]])
    masks = torch.tensor([[[[1.0, 0.0]], [[0.4, 0.4]], [[0.0, 0.8]]]])   # [1, Q=3, 1, 2]
    scores = ensemble_class_scores(p_seg, p_clip, valid, clip_weight=1.0)
    assert torch.equal(scores, torch.tensor([[[0.1, 0.9], [0.0, 0.0], [0.7, 0.3]]]))
    # by hand: pixel 0 = 1.0 * q0, pixel 1 = 0.8 * q2; q1 (invalid) contributes nothing
    expected = torch.tensor([[[[0.1, 0.56]], [[0.9, 0.24]]]])
    assert torch.allclose(semantic_map(scores, masks), expected)
    # same map as dropping the invalid proposal outright
    dropped = semantic_map(p_clip[:, [0, 2]], masks[:, [0, 2]])
    assert torch.allclose(semantic_map(scores, masks), dropped)
    # and the same argmax as the released ensemble branch evaluated at lambda = 1 (p = 1 for
    # every class of an invalid proposal adds the same amount to every class at each pixel)
    ones_rows = torch.where(valid.unsqueeze(-1), p_clip, torch.ones_like(p_clip))
    assert torch.equal(semantic_map(ones_rows, masks).argmax(1), semantic_map(scores, masks).argmax(1))


def test_clip_only_unclassified_proposals_cannot_push_one_class_vocabulary_over_threshold():
    p_clip = torch.ones(1, 3, 1)                              # 1-class vocabulary: softmax = 1
    p_seg = torch.tensor([[[0.9], [0.8], [0.8]]])
    valid = torch.tensor([[True, False, False]])
    masks = torch.tensor([[[[0.9, 0.0]], [[0.3, 0.3]], [[0.3, 0.3]]]])   # q1, q2 below 0.5
    seg = semantic_map(ensemble_class_scores(p_seg, p_clip, valid, 1.0), masks)
    assert torch.allclose(seg, torch.tensor([[[[0.9, 0.0]]]]))
    assert (seg > 0.5).tolist() == [[[[True, False]]]]       # pixel 1: background, not the class


def test_below_one_lambda_keeps_unclassified_proposals_with_p_seg_power():
    # Released ensemble branch (0 < lambda < 1): p_clip := 1 for invalid proposals.
    p_seg = torch.tensor([[[0.25, 0.04]]])
    p_clip = torch.tensor([[[0.3, 0.7]]])
    out = ensemble_class_scores(p_seg, p_clip, torch.tensor([[False]]), clip_weight=0.5)
    assert torch.allclose(out, torch.tensor([[[0.5, 0.2]]]))
