"""DenseCLIPSegmentor: losses, identity-head wiring, whole/slide inference, learning on a batch."""
import pytest
import torch
import torch.nn.functional as F

from .tiny import SEG_RN50, SHAPES, build_model, load_tiny_config, seg_batch


def _model(**extra):
    return build_model(load_tiny_config(SEG_RN50, class_names=SHAPES, **extra))


@pytest.fixture(scope='module')
def model():
    return _model()


def test_losses_and_which_parameters_learn(model):
    model.train()
    inputs, samples = seg_batch()
    losses = model.loss(inputs, samples)
    assert set(losses) == {'decode.loss_ce', 'decode.acc_seg', 'aux_identity.loss_ce',
                           'aux_identity.acc_seg'}
    model.zero_grad(set_to_none=True)
    (losses['decode.loss_ce'] + losses['aux_identity.loss_ce']).backward()
    learn = ['text_encoder.context', 'gamma', 'context_decoder.out_proj.1.weight',
             'backbone.encoder.visual.attnpool.q_proj.weight', 'neck.lateral_convs.3.conv.weight']
    params = dict(model.named_parameters())
    assert all(params[n].grad is not None and params[n].grad.abs().sum() > 0 for n in learn)
    assert all(p.grad is None for p in model.text_encoder.text.parameters())
    assert model.neck.lateral_convs[3].conv.in_channels == 256 + 4


def test_identity_loss_is_the_identity_head_on_score_over_tau(model):
    model.eval()                                      # no dropout: one deterministic score map
    inputs, samples = seg_batch()
    with torch.no_grad():
        losses = model.loss(inputs, samples)
        _, score = model.extract_feat_and_score_map(inputs)
        expected = model.identity_head.loss(score / 0.07, samples, None)['loss_ce']
    torch.testing.assert_close(losses['aux_identity.loss_ce'], expected)
    assert model.identity_head.loss_decode.loss_weight == 0.4 and model.tau == 0.07


def test_whole_and_slide_inference(model):
    model.eval()
    inputs, samples = seg_batch(size=(64, 96), batch=1)
    with torch.no_grad():
        model.test_cfg.mode = 'whole'
        whole = model.predict(inputs, samples)[0]
        logits = model.encode_decode(inputs, [samples[0].metainfo])
        model.test_cfg.update(mode='slide', crop_size=(64, 96), stride=(32, 32))
        slide_one_crop = model.predict(inputs, samples)[0]
        model.test_cfg.update(crop_size=(64, 64), stride=(32, 32))
        slide = model.inference(inputs, [samples[0].metainfo])
        crop_meta = [dict(samples[0].metainfo, img_shape=torch.Size((64, 64)))]  # as slide sets it
        crops = [model.encode_decode(inputs[..., x:x + 64], crop_meta) for x in (0, 32)]
    assert whole.pred_sem_seg.data.shape == (1, 64, 96) and logits.shape == (1, 4, 64, 96)
    torch.testing.assert_close(whole.seg_logits.data, logits[0])
    torch.testing.assert_close(slide_one_crop.seg_logits.data, whole.seg_logits.data)
    count = torch.ones(96)
    count[32:64] = 2
    manual = (F.pad(crops[0], (0, 32)) + F.pad(crops[1], (32, 0))) / count
    torch.testing.assert_close(slide, manual, rtol=1e-5, atol=1e-5)
    model.test_cfg.update(mode='whole')


def test_forward_modes(model):
    model.eval()
    inputs, samples = seg_batch()
    with torch.no_grad():
        out = model(inputs, samples, mode='tensor')
        preds = model(inputs, samples, mode='predict')
    assert out.shape == (2, 4, 16, 24) and len(preds) == 2


def test_loss_falls_when_fitting_one_batch():
    model = _model().train()
    inputs, samples = seg_batch(num_classes=4, size=(64, 64), learnable=True)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=3e-3)
    first = last = None
    for _ in range(12):
        loss = sum(v for k, v in model.loss(inputs, samples).items() if 'loss' in k)
        opt.zero_grad()
        loss.backward()
        opt.step()
        first = loss.item() if first is None else first
        last = loss.item()
    assert last < 0.7 * first, (first, last)


def test_class_count_mismatch_is_a_one_line_error():
    with pytest.raises(ValueError, match='num_classes'):
        _model(**{'model.decode_head.num_classes': 5})
