"""Identity head: the score map is the logit map; its loss is weighted CE after resizing."""
import pytest
import torch
import torch.nn.functional as F
from mmseg.registry import MODELS

from .tiny import seg_batch


def _head(weight=0.4):
    return MODELS.build(dict(type='ScoreMapIdentityHead', num_classes=4, align_corners=False,
                             loss_decode=dict(type='CrossEntropyLoss', loss_weight=weight)))


def test_forward_is_identity_and_has_no_parameters():
    head = _head()
    s = torch.randn(2, 4, 3, 5)
    assert head(s) is s and not list(head.parameters())


def test_loss_equals_weighted_cross_entropy_of_resized_logits():
    head = _head(0.4)
    _, samples = seg_batch(num_classes=4, size=(16, 24))
    samples[0].gt_sem_seg.data[0, :2] = 255                           # ignored pixels
    logits = torch.randn(2, 4, 2, 3)
    loss = head.loss(logits, samples, train_cfg=None)['loss_ce']
    labels = torch.stack([s.gt_sem_seg.data[0] for s in samples])
    up = F.interpolate(logits, size=(16, 24), mode='bilinear', align_corners=False)
    # mmseg's CrossEntropyLoss (avg_non_ignore=False, as in DenseCLIP): ignored pixels count 0
    # but stay in the denominator
    explicit = 0.4 * F.cross_entropy(up, labels, ignore_index=255, reduction='sum') / labels.numel()
    torch.testing.assert_close(loss, explicit)


def test_wrong_channel_count_is_a_one_line_error():
    with pytest.raises(ValueError, match='num_classes'):
        _head()(torch.randn(1, 3, 2, 2))
