"""DenseCLIP's auxiliary score-map loss for detectors, supervised by ground-truth boxes.

Targets live on the stride-4 grid of the (padded) batch: ``h = H // 4``, ``w = W // 4``. Box
``(x1, y1, x2, y2)`` of class ``c`` covers the cells ``floor(y1/4) <= y < floor(y2/4)`` and
``floor(x1/4) <= x < floor(x2/4)`` (corners clamped to the grid), where ``target[c] = 1``.
The loss is the binary cross-entropy of ``sigmoid(logits)`` against the targets, summed over
all classes at cells covered by any box and divided by the number of summed terms
(``K * covered cells``); cells outside every box are ignored. ``logits`` are the score map
divided by ``tau``, bilinearly up-sampled to the stride-4 grid.
"""
from typing import Sequence

import torch
import torch.nn.functional as F


def box_targets(bboxes: torch.Tensor, labels: torch.Tensor, num_classes: int, size: Sequence[int],
                stride: int = 4):
    """Rasterise boxes ``[N, 4]`` (xyxy, pixels) with labels ``[N]`` on an ``(h, w)`` grid.

    Returns ``target [K, h, w]`` (1 inside boxes of class k) and ``covered [h, w]`` (any box).
    """
    h, w = size
    cells = torch.div(bboxes, stride, rounding_mode='floor').long()
    x1, x2 = cells[:, 0].clamp(0, w - 1), cells[:, 2].clamp(0, w - 1)
    y1, y2 = cells[:, 1].clamp(0, h - 1), cells[:, 3].clamp(0, h - 1)
    ys = torch.arange(h, device=bboxes.device)
    xs = torch.arange(w, device=bboxes.device)
    in_y = (ys[None] >= y1[:, None]) & (ys[None] < y2[:, None])              # [N, h]
    in_x = (xs[None] >= x1[:, None]) & (xs[None] < x2[:, None])              # [N, w]
    box_masks = (in_y[:, :, None] & in_x[:, None, :]).float()                # [N, h, w]
    onehot = F.one_hot(labels.long(), num_classes).float()                   # [N, K]
    target = torch.einsum('nk,nhw->khw', onehot, box_masks).clamp_(max=1)
    return target, box_masks.amax(dim=0) if len(bboxes) else box_masks.new_zeros(h, w)


def box_score_map_loss(score_logits: torch.Tensor, batch_bboxes: Sequence[torch.Tensor],
                       batch_labels: Sequence[torch.Tensor], input_size: Sequence[int],
                       stride: int = 4) -> torch.Tensor:
    """Args:
        score_logits: ``[B, K, h', w']`` score map / tau (any resolution).
        batch_bboxes, batch_labels: per image ``[N_i, 4]`` xyxy boxes and ``[N_i]`` labels.
        input_size: ``(H, W)`` of the padded batch.
    Returns the scalar loss (0 when no image has a box).
    """
    B, K = score_logits.shape[:2]
    size = (input_size[0] // stride, input_size[1] // stride)
    logits = F.interpolate(score_logits, size=size, mode='bilinear', align_corners=False)
    targets, covered = zip(*(box_targets(b, l, K, size, stride)
                             for b, l in zip(batch_bboxes, batch_labels)))
    target, covered = torch.stack(targets), torch.stack(covered)[:, None]   # [B,K,h,w], [B,1,h,w]
    weight = covered.expand(-1, K, -1, -1)
    loss = F.binary_cross_entropy_with_logits(logits, target, weight=weight, reduction='sum')
    return loss / weight.sum().clamp(min=1.0)
