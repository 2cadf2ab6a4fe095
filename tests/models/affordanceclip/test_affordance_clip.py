"""AffordanceCLIP segmentor on a tiny CLIP: loss, gradients only in the FPN/projector, a loss that
falls, heat-map and label-map prediction at the original image size."""
import pytest
import torch
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmengine.structures import PixelData

import clipdense  # noqa: F401
from mmseg.utils import register_all_modules

register_all_modules()  # default scope mmseg, as in the configs


def build(arch='tiny-RN', **kw):
    cfg = dict(type='AffordanceCLIP',
               data_preprocessor=dict(type='SegDataPreProcessor', mean=[0, 0, 0], std=[1, 1, 1]),
               clip=dict(type='FrozenCLIP', arch=arch, vit_levels=(1, 2)),
               neck=dict(type='GlobalConditionedFPN', channels=(16, 24, 32)),
               projector=dict(type='PixelEmbeddingProjector', channels=16), **kw)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def batch(texts, size=64):
    """Images with a bright square; the square is the referred region of every text."""
    imgs = torch.rand(len(texts), 3, size, size) * 0.2
    samples = []
    for i, t in enumerate(texts):
        y = 8 + 16 * (i % 2)
        imgs[i, :, y:y + 24, 8:32] += 0.8
        mask = torch.zeros(1, size, size, dtype=torch.long)
        mask[:, y:y + 24, 8:32] = 1
        samples.append(SegDataSample(gt_sem_seg=PixelData(data=mask),
                                     metainfo=dict(text=t, ori_shape=(size, size),
                                                   img_shape=(size, size))))
    return imgs, samples


def test_loss_trains_only_fpn_and_projector_and_falls():
    model = build().train()
    imgs, samples = batch(['the bright square', 'a box'])
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert trainable and all(not p.requires_grad for p in model.clip.parameters())
    opt = torch.optim.Adam(trainable, lr=1e-3)
    losses = []
    for _ in range(15):
        loss = model.loss(imgs, samples)['loss_ptc']
        opt.zero_grad()
        loss.backward()
        losses.append(loss.item())
        opt.step()
    assert all(p.grad is None for p in model.clip.parameters())
    assert model.neck.proj5.conv.weight.grad is not None
    assert losses[-1] < 0.5 * losses[0], losses


def test_predict_with_a_text_gives_a_heatmap_at_the_original_size():
    model = build().eval()
    imgs, samples = batch(['peel', 'cut with'])
    for s in samples:
        s.set_metainfo(dict(ori_shape=(30, 50)))
    out = model.predict(imgs, samples)
    heat = out[0].pred_heatmap.data
    assert heat.shape == (1, 30, 50) and 0 <= heat.min() and heat.max() <= 1
    assert torch.equal(out[0].pred_sem_seg.data, (out[0].seg_logits.data > 0).long())


def test_predict_with_class_prompts_scores_background_by_a_constant():
    model = build(class_prompts=[None, 'hold', 'cut'], background_logit=-1e4).eval()
    imgs, samples = batch(['x'])
    samples[0].set_metainfo(dict(text=None))
    out = model.predict(imgs, samples)[0]
    assert out.seg_logits.data.shape == (3, 64, 64)
    assert torch.all(out.seg_logits.data[0] == -1e4)
    assert out.pred_sem_seg.data.min() >= 1                       # background never wins


def test_encode_decode_matches_an_explicit_dot_product():
    model = build(arch='tiny-ViT').eval()
    imgs, samples = batch(['hold'])
    pixels = model.extract_feat(imgs)
    text = model.clip.encode_texts(['hold'])
    expected = (pixels * text[0][None, :, None, None]).sum(1, keepdim=True)
    expected = torch.nn.functional.interpolate(expected, size=(64, 64), mode='bilinear')
    got = model.encode_decode(imgs, [s.metainfo for s in samples])
    assert torch.allclose(got, expected, atol=1e-5)


def test_restore_removes_padding_and_undoes_flip():
    model = build().eval()
    logit = torch.arange(24.).reshape(1, 4, 6)
    meta = dict(padding_size=[0, 2, 0, 1], ori_shape=(3, 4), flip=True, flip_direction='horizontal')
    assert torch.equal(model._restore(logit, meta), logit[:, :3, :4].flip(-1))


def test_missing_texts_are_explained():
    model = build().eval()
    imgs, samples = batch(['x'])
    samples[0].set_metainfo(dict(text=None))
    with pytest.raises(ValueError, match='class_prompts'):
        model.predict(imgs, samples)
    with pytest.raises(ValueError, match='"text"'):
        model.train().loss(imgs, samples)
