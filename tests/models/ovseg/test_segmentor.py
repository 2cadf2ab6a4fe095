"""OVSeg segmentor: inference with any vocabulary, the ensemble, checkpoints, and training."""
import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from .tiny import SHAPES_CLASSES, tiny_ovseg_config


def _model(supervision='seen'):
    init_default_scope('mmseg')
    model = MODELS.build(tiny_ovseg_config(supervision=supervision).model)
    model.init_weights()
    return model.eval()


def _batch(B=1, H=48, W=64):
    return torch.randint(0, 256, (B, 3, H, W)).float()


@pytest.mark.parametrize('names', [['cat'], [f'thing {i}' for i in range(500)], ['café', '猫', 'Straße']])
def test_predict_with_any_vocabulary(names):
    model = _model()
    model.set_vocabulary(names)
    data = model.data_preprocessor(dict(inputs=list(_batch().byte())), False)
    with torch.no_grad():
        out = model.predict(data['inputs'])
    seg = out[0].pred_sem_seg.data
    assert seg.shape == (1, 48, 64)
    limit = 2 if len(names) == 1 else len(names)       # 1 class: label 1 = unlabelled
    assert seg.max() < limit and out[0].seg_logits.data.shape[0] == max(2, len(names))


def test_semantic_scores_are_the_ensemble_of_both_branches():
    model = _model()
    x = model.data_preprocessor(dict(inputs=list(_batch().byte())), False)['inputs']
    metas = [dict(img_shape=x.shape[2:], ori_shape=x.shape[2:])]
    with torch.no_grad():
        head = model.decode_head
        head.set_class_embeddings(model.clip_classifier.text_embeddings(SHAPES_CLASSES))
        cls, masks = head.predict_proposals(model.extract_feat(x), metas, x.shape[2:])
        p_seg = cls.softmax(-1)[..., :-1]
        logits, valid = model.clip_classifier.classify_proposals(model.raw_rgb(x), masks.sigmoid(), SHAPES_CLASSES)
        p_clip = logits.softmax(-1)
        p_clip[~valid] = 1.0
        expected = torch.einsum('bqk,bqhw->bkhw', p_seg ** 0.3 * p_clip ** 0.7, masks.sigmoid())
        assert torch.allclose(model.encode_decode(x, metas), expected, atol=1e-5)


def test_raw_rgb_undoes_the_preprocessor():
    model = _model()
    raw = _batch()
    x = model.data_preprocessor(dict(inputs=list(raw.byte())), False)['inputs']
    assert torch.allclose(model.raw_rgb(x), raw.byte().float().flip(1), atol=1e-3)  # BGR in, RGB out


def test_checkpoints_leave_out_the_frozen_clip_and_loading_keeps_it():
    model = _model()
    state = model.state_dict()
    assert not any(k.startswith('clip_classifier.') for k in state)
    other = _model()
    before = {k: v.clone() for k, v in other.clip_classifier.state_dict().items()}
    missing, unexpected = other.load_state_dict(state, strict=True)
    assert not missing and not unexpected
    assert all(torch.equal(v, other.clip_classifier.state_dict()[k]) for k, v in before.items())
    assert torch.equal(other.decode_head.void_embedding, model.decode_head.void_embedding)


def test_class_agnostic_generator_uses_objectness_times_clip():
    model = _model('agnostic')
    x = model.data_preprocessor(dict(inputs=list(_batch().byte())), False)['inputs']
    metas = [dict(img_shape=x.shape[2:], ori_shape=x.shape[2:])]
    with torch.no_grad():
        cls, masks = model.decode_head.predict_proposals(model.extract_feat(x), metas, x.shape[2:])
        assert cls.shape[-1] == 2                                 # object / no object
        objectness = cls.softmax(-1)[..., :1]
        logits, valid = model.clip_classifier.classify_proposals(model.raw_rgb(x), masks.sigmoid(), SHAPES_CLASSES)
        p_clip = logits.softmax(-1)
        p_clip[~valid] = 0.0                                      # proposals CLIP did not classify drop out
        expected = torch.einsum('bqk,bqhw->bkhw', objectness * p_clip, masks.sigmoid())
        torch.testing.assert_close(model.encode_decode(x, metas), expected, atol=1e-5, rtol=1e-4)
        out = model.predict(x)
    assert out[0].seg_logits.data.shape[0] == len(SHAPES_CLASSES)
    torch.testing.assert_close(out[0].seg_logits.data, expected[0], atol=1e-5, rtol=1e-4)


def test_loss_trains_only_the_proposal_generator():
    model = _model().train()
    from .test_mask_proposal_head import _samples
    data = model.data_preprocessor(dict(inputs=list(_batch(B=2, H=64, W=64).byte()), data_samples=_samples()),
                                   True)
    losses = model.loss(data['inputs'], data['data_samples'])
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    assert all(p.grad is None for p in model.clip_classifier.parameters())
    assert model.decode_head.cls_embed[0].weight.grad is not None
    assert any(p.grad is not None for p in model.backbone.parameters())


def test_missing_vocabulary_and_mismatched_class_count_are_clear_errors():
    cfg = tiny_ovseg_config().model
    cfg.test_class_names = None
    cfg.train_class_names = ['a', 'b']
    init_default_scope('mmseg')
    with pytest.raises(ValueError, match='num_classes=4'):
        MODELS.build(cfg)
