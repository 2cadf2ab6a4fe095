"""SlideMask2FormerHead: output-size rule, the mask-classification sum on hand-computed numbers,
and sliding-window inference on padded test batches (where mmseg's head fails)."""
import copy
import math

import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import clipdense  # noqa: F401
from clipdense.models.vltseg import mask_output_size

from .tiny import load_tiny_config


def tiny_segmentor(head_type='SlideMask2FormerHead', size_divisor=None):
    init_default_scope('mmseg')
    cfg = load_tiny_config()
    cfg.model.decode_head.type = head_type
    if size_divisor:
        cfg.model.data_preprocessor.test_cfg = dict(size_divisor=size_divisor)
    torch.manual_seed(0)
    return MODELS.build(cfg.model).eval()


def test_output_size_rule():
    assert mask_output_size({'img_shape': (40, 50), 'pad_shape': (64, 64)}) == (64, 64)       # whole
    assert mask_output_size({'img_shape': torch.Size([32, 32]), 'pad_shape': (64, 64)}) == (32, 32)  # window
    assert mask_output_size({'img_shape': (40, 50)}) == (40, 50)


def test_predict_sums_class_probabilities_times_mask_probabilities(monkeypatch):
    head = tiny_segmentor().decode_head
    cls = torch.tensor([[[0.0, 0.0, 0.0], [math.log(2.0), 0.0, 0.0]]])   # softmax: 1/3 each; 1/2,1/4,1/4
    masks = torch.tensor([0.0, 30.0]).view(1, 2, 1, 1)                     # sigmoid: 1/2 and ~1
    monkeypatch.setattr(type(head), 'forward', lambda self, x, samples: ([cls], [masks]))
    out = head.predict(None, [{'img_shape': (2, 3)}], None)
    assert out.shape[-2:] == (2, 3) and out.shape[1] == 2  # the no-object column is dropped
    assert torch.allclose(out[0, :, 0, 0], torch.tensor([1 / 3 * 0.5 + 0.5, 1 / 3 * 0.5 + 0.25]), atol=1e-6)


def padded_batch():
    img = torch.randint(0, 255, (3, 70, 100), dtype=torch.uint8)
    meta = dict(img_shape=(70, 100), ori_shape=(70, 100))
    return dict(inputs=[img], data_samples=[SegDataSample(metainfo=meta)])


def test_slide_inference_on_padded_batches():
    model = tiny_segmentor(size_divisor=32)                  # 70x100 -> padded to 96x128
    batch = padded_batch()
    assert tuple(model.test_cfg.crop_size) == (64, 64) and tuple(model.test_cfg.stride) == (48, 48)
    with torch.no_grad():
        out = model.test_step(copy.deepcopy(batch))
        data = model.data_preprocessor(copy.deepcopy(batch), False)
        inputs, meta = data['inputs'], data['data_samples'][0].metainfo
        assert inputs.shape[-2:] == (96, 128)
        slide = model.inference(inputs, [dict(meta)])
        # mmseg's windows on 96x128 with 64x64 crops, stride 48: rows [0,64) [32,96), cols [0,64) [48,112) [64,128)
        crop_meta = [dict(meta, img_shape=torch.Size((64, 64)))]          # as slide inference sets it
        total = torch.zeros(1, 19, 96, 128)
        count = torch.zeros(1, 1, 96, 128)
        for y in (0, 32):
            for x in (0, 48, 64):
                crop = model.encode_decode(inputs[..., y:y + 64, x:x + 64], crop_meta)
                assert crop.shape == (1, 19, 64, 64)                    # each window sized to the window
                total[..., y:y + 64, x:x + 64] += crop
                count[..., y:y + 64, x:x + 64] += 1
    assert count.min() >= 1
    torch.testing.assert_close(slide, total / count, rtol=1e-5, atol=1e-5)
    assert out[0].pred_sem_seg.data.shape == (1, 70, 100)
    assert out[0].seg_logits.data.shape == (19, 70, 100)
    torch.testing.assert_close(out[0].seg_logits.data, slide[0, :, :70, :100], rtol=1e-5, atol=1e-5)  # padding cut
    torch.testing.assert_close(out[0].pred_sem_seg.data[0], slide[0, :, :70, :100].argmax(0))
    model.test_cfg.mode = 'whole'
    with torch.no_grad():
        assert model.test_step(copy.deepcopy(batch))[0].pred_sem_seg.data.shape == (1, 70, 100)


def test_mmseg_head_fails_where_ours_works():
    model = tiny_segmentor('Mask2FormerHead', size_divisor=32)
    with pytest.raises(RuntimeError), torch.no_grad():
        model.test_step(padded_batch())
