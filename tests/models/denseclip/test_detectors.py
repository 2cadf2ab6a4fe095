"""DenseCLIP RetinaNet and Mask R-CNN built from the real configs (tiny CLIP): losses,
one forward/backward, which parameters learn, predict, and the auxiliary score-map loss."""
import pytest
import torch

from clipdense.models.denseclip.box_score_loss import box_score_map_loss

from .tiny import DET_MASK_RCNN, DET_RETINANET, build_model, det_batch, load_tiny_config


def _build(name):
    return build_model(load_tiny_config(name))


@pytest.mark.parametrize('name,masks', [(DET_RETINANET, False), (DET_MASK_RCNN, True)])
def test_losses_backward_and_predict(name, masks):
    model = _build(name).train()
    inputs, samples = det_batch(with_masks=masks)
    losses = model.loss(inputs, samples)
    assert 'loss_aux_seg' in losses and model._score_logits is None
    heads = {'loss_cls', 'loss_bbox'} if not masks else {'loss_rpn_cls', 'loss_cls', 'loss_mask'}
    assert heads <= set(losses)
    total = sum(v if isinstance(v, torch.Tensor) else sum(v) for k, v in losses.items() if 'loss' in k)
    total.backward()
    assert model.text_encoder.context.grad.abs().sum() > 0 and model.gamma.grad is not None
    assert all(p.grad is None for p in model.text_encoder.text.parameters())
    model.eval()
    with torch.no_grad():
        preds = model.predict(inputs, samples)
    assert len(preds) == 2 and 'bboxes' in preds[0].pred_instances


def test_aux_loss_is_box_loss_on_score_over_tau_and_features_carry_it():
    model = _build(DET_RETINANET).eval()
    inputs, samples = det_batch()
    with torch.no_grad():
        model.training = True                          # keep dropout off, but stash the logits
        model.extract_feat(inputs)
        logits = model._score_logits
        model.training = False
        out = model.backbone(inputs)
        feats, score = model.language_guided_features(out, score_scale=1 / 0.07)
    torch.testing.assert_close(logits, score / 0.07)
    torch.testing.assert_close(feats[3][:, 256:], score / 0.07)
    loss = box_score_map_loss(logits, [s.gt_instances.bboxes for s in samples],
                              [s.gt_instances.labels for s in samples], inputs.shape[-2:])
    assert loss > 0 and model.class_names[:2] == ['person', 'bicycle']
