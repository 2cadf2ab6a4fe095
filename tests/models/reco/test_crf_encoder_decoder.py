"""CRFEncoderDecoder: EncoderDecoder whose test scores are refined by the dense CRF."""
import torch
from mmengine.config import ConfigDict
from mmengine.registry import init_default_scope
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS

import clipdense  # noqa: F401


def build(crf):
    init_default_scope('mmseg')
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='CRFEncoderDecoder', crf=crf,
        data_preprocessor=dict(type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53],
                               std=[58.395, 57.12, 57.375], bgr_to_rgb=True),
        backbone=dict(type='ResNetV1c', depth=18, stem_channels=8, base_channels=8, out_indices=(3,)),
        decode_head=dict(type='FCNHead', in_channels=64, channels=8, num_convs=1, num_classes=3,
                         in_index=0, concat_input=False),
        test_cfg=ConfigDict(mode='whole'))).eval()


def test_scores_are_crf_log_probabilities_and_training_is_unchanged():
    plain, refined = build(None), build(dict(iters=5, max_pixels=256))
    refined.load_state_dict(plain.state_dict())
    x = torch.rand(2, 3, 40, 48) * 255
    batch = plain.data_preprocessor(dict(inputs=list(x.to(torch.uint8))), False)['inputs']
    metas = [dict(ori_shape=(40, 48), img_shape=(40, 48), pad_shape=(40, 48), padding_size=[0] * 4)] * 2
    with torch.no_grad():
        base, out = plain.inference(batch, metas), refined.inference(batch, metas)
    assert out.shape == base.shape == (2, 3, 40, 48)
    assert torch.allclose(out.exp().sum(1), torch.ones(2, 40, 48), atol=1e-4)
    rgb = refined.rgb_images(batch)
    assert torch.allclose(rgb, x.to(torch.uint8).float().flip(1), atol=1e-3)  # BGR in, RGB back
    assert not torch.allclose(out, base.log_softmax(1), atol=1e-3)           # the CRF changed them
    preds = refined.predict(batch)
    assert preds[0].pred_sem_seg.data.shape == (1, 40, 48)


def test_bad_crf_settings_fail_at_build_time():
    import pytest
    with pytest.raises(ValueError, match="unexpected keyword argument 'bi_rgb_sd'"):
        build(dict(bi_rgb_sd=3))


def test_padded_pixels_keep_their_plain_scores():
    model = build(dict(iters=3, max_pixels=256))
    x = torch.rand(1, 3, 32, 40) * 255
    batch = model.data_preprocessor(dict(inputs=list(x.to(torch.uint8))), False)['inputs']
    meta = [dict(ori_shape=(24, 40), img_shape=(24, 40), pad_shape=(32, 40), padding_size=[0, 0, 0, 8])]
    with torch.no_grad():
        base = EncoderDecoder.inference(model, batch, meta)
        out = model.inference(batch, meta)
    assert torch.allclose(out[..., 24:, :], base[..., 24:, :].log_softmax(1), atol=1e-5)
    assert not torch.allclose(out[..., :24, :], base[..., :24, :].log_softmax(1), atol=1e-3)
