"""OVSeg proposal head: CLIP-text classifier logits, seen / class-agnostic supervision, training."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmengine.structures import PixelData

from .tiny import tiny_ovseg_config


def _head(supervision='seen'):
    init_default_scope('mmseg')
    cfg = tiny_ovseg_config(supervision=supervision).model.decode_head
    head = MODELS.build(cfg)
    head.init_weights()
    return head


def _features(B=2):
    return [torch.randn(B, c, 64 // s, 64 // s) for c, s in zip([8, 16, 32, 64], [4, 8, 16, 32])]


def _samples(B=2):
    out = []
    for b in range(B):
        seg = torch.zeros(1, 64, 64, dtype=torch.long)
        seg[0, 10:30, 10:40] = 1 + b
        seg[0, 40:60, 5:25] = 3
        s = SegDataSample(metainfo=dict(img_shape=(64, 64), pad_shape=(64, 64), ori_shape=(64, 64)))
        s.gt_sem_seg = PixelData(data=seg)
        out.append(s)
    return out


def test_class_logits_are_temperature_cosine_to_text_and_void():
    head = _head()
    text = F.normalize(torch.randn(4, 64), dim=-1)
    head.set_class_embeddings(text)
    q = torch.randn(3, 64)
    logits = head.class_logits(q)
    weights = torch.cat([text, F.normalize(head.void_embedding, dim=-1)])
    assert logits.shape == (3, 5)
    assert torch.allclose(logits, 100.0 * F.normalize(q, dim=-1) @ weights.t(), atol=1e-4)


def test_any_vocabulary_size_at_inference():
    head = _head().eval()
    for k in (1, 7, 500):
        head.set_class_embeddings(F.normalize(torch.randn(k, 64), dim=-1))
        with torch.no_grad():
            cls, masks = head.predict_proposals(_features(), [dict(img_shape=(64, 64))] * 2, (64, 64))
        assert cls.shape == (2, 8, k + 1) and masks.shape == (2, 8, 64, 64)


def test_seen_head_without_class_embeddings_is_a_clear_error():
    head = _head()
    with pytest.raises(RuntimeError, match='no class embeddings'):
        head.class_logits(torch.randn(2, 64))


def test_agnostic_targets_are_all_object_and_logits_have_two_columns():
    head = _head('agnostic')
    gts, _ = head._seg_data_to_instance_data(_samples())
    assert all((g.labels == 0).all() and len(g.labels) == 3 for g in gts)
    assert head.class_logits(torch.randn(2, 64)).shape == (2, 2)
    assert head.class_weight == [1.0, 0.1]


@pytest.mark.parametrize('supervision', ['seen', 'agnostic'])
def test_losses_fall_when_fitting_one_batch(supervision):
    head = _head(supervision)
    head.set_class_embeddings(F.normalize(torch.randn(4, 64), dim=-1))
    feats, samples = _features(), _samples()
    opt = torch.optim.AdamW(head.parameters(), lr=2e-3)
    totals = []
    for _ in range(15):
        losses = head.loss(feats, samples, train_cfg=None)
        total = sum(v for v in losses.values())
        opt.zero_grad()
        total.backward()
        opt.step()
        totals.append(total.item())
    assert {'loss_cls', 'loss_mask', 'loss_dice', 'd0.loss_cls'} <= set(losses)
    assert totals[-1] < 0.7 * totals[0], totals
