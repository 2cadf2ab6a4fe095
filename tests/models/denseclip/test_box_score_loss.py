"""Box-supervised score-map loss of the DenseCLIP detectors."""
import torch
import torch.nn.functional as F

from clipdense.models.denseclip.box_score_loss import box_score_map_loss, box_targets


def test_box_targets_hand_case():
    # 16x24 px -> 4x6 grid at stride 4. Box A (class 0) covers cells y 0..1, x 0..2;
    # box B (class 1) from (9, 5) to (23.9, 30): x 2..4 (end cell 5 exclusive), y 1..2 (end 7 clamps to 3).
    boxes = torch.tensor([[0., 0., 12., 8.], [9., 5., 23.9, 30.]])
    target, covered = box_targets(boxes, torch.tensor([0, 1]), num_classes=3, size=(4, 6))
    expected_a = torch.zeros(4, 6)
    expected_a[0:2, 0:3] = 1
    expected_b = torch.zeros(4, 6)
    expected_b[1:3, 2:5] = 1
    torch.testing.assert_close(target[0], expected_a)
    torch.testing.assert_close(target[1], expected_b)
    assert target[2].sum() == 0
    torch.testing.assert_close(covered, torch.maximum(expected_a, expected_b))


def test_same_class_boxes_merge_and_no_boxes_give_zeros():
    boxes = torch.tensor([[0., 0., 8., 8.], [4., 4., 12., 12.]])
    target, _ = box_targets(boxes, torch.tensor([2, 2]), num_classes=3, size=(4, 4))
    assert target.max() == 1 and target[2].sum() == 4 + 4 - 1
    target, covered = box_targets(torch.zeros(0, 4), torch.zeros(0, dtype=torch.long), 3, (4, 4))
    assert target.shape == (3, 4, 4) and target.sum() == 0 and covered.sum() == 0


def test_loss_is_bce_averaged_over_classes_at_covered_cells():
    logits = torch.randn(2, 3, 2, 3)               # score / tau at stride 32 of a 16x24 batch
    boxes = [torch.tensor([[0., 0., 12., 8.]]), torch.zeros(0, 4)]
    labels = [torch.tensor([1]), torch.zeros(0, dtype=torch.long)]
    loss = box_score_map_loss(logits, boxes, labels, input_size=(16, 24))
    up = F.interpolate(logits, size=(4, 6), mode='bilinear', align_corners=False)
    cells = up[0, :, 0:2, 0:3]                     # only image 0, only its box's cells count
    target = torch.zeros_like(cells)
    target[1] = 1
    explicit = F.binary_cross_entropy(torch.sigmoid(cells), target, reduction='mean')
    torch.testing.assert_close(loss, explicit)


def test_no_boxes_anywhere_gives_zero_not_nan():
    loss = box_score_map_loss(torch.randn(1, 2, 1, 1, requires_grad=True), [torch.zeros(0, 4)],
                              [torch.zeros(0, dtype=torch.long)], input_size=(32, 32))
    assert loss.item() == 0.0
