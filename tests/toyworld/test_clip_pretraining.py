"""Contrastive pretraining: the loss on hand-made cases and a short run that learns."""
import copy
import math

import numpy as np
import torch
import torch.nn.functional as F

from clipdense.clip import TextTower, build_clip
from clipdense.toyworld.clip_pretraining import (contrastive_loss, contrastive_loss_from_logits,
                                                 load_caption_corpus, patch_max_logits, pretrain_clip,
                                                 sample_texts, save_open_clip_fp16, upsample)


def test_contrastive_loss_hand_computed():
    emb = torch.eye(3)
    tokens = torch.tensor([[1, 2], [1, 3], [1, 4]])
    scale = torch.tensor(10.0)
    # matched pairs: -log softmax([10, 0, 0])[0]
    expected = -math.log(math.exp(10) / (math.exp(10) + 2))
    assert torch.isclose(contrastive_loss(emb, emb, scale, tokens), torch.tensor(expected), atol=1e-6)
    # images 0 and 1 have the same caption: each of the two texts is a positive for both images
    same = torch.tensor([[1, 2], [1, 2], [1, 4]])
    img = F.normalize(torch.tensor([[1.0, 0, 0], [1.0, 0, 0], [0, 0, 1.0]]), dim=-1)
    txt = img.clone()
    logits = 10 * img @ txt.t()
    tgt = torch.tensor([[.5, .5, 0], [.5, .5, 0], [0, 0, 1.]])
    manual = -(tgt * logits.log_softmax(1)).sum(1).mean()
    assert torch.isclose(contrastive_loss(img, txt, scale, same), manual, atol=1e-6)
    # duplicates are not negatives: equal scores for two identical captions are already optimal
    logits = torch.tensor([[10.0, 10, 0], [10, 10, 0], [0, 0, 10]], requires_grad=True)
    contrastive_loss_from_logits(logits, same).backward()
    assert logits.grad.abs().max() < 1e-3
    logits.grad = None
    contrastive_loss_from_logits(logits, tokens).backward()
    assert logits.grad.abs().max() > 0.1


def test_patch_max_logits_takes_the_best_patch():
    patches = F.normalize(torch.tensor([[[1.0, 0], [0, 1]], [[0.6, 0.8], [0.6, 0.8]]]), dim=-1)
    texts = torch.tensor([[1.0, 0], [0, 1]])
    expected = torch.tensor([[1.0, 1.0], [0.6, 0.8]]) * 2
    assert torch.allclose(patch_max_logits(patches, texts, torch.tensor(2.0)), expected)


def test_sample_texts_wraps_in_templates_only_when_it_fits():
    rng = np.random.default_rng(0)
    templates = [lambda c: f'a photo of a {c}.']
    short = sample_texts(rng, [['red']] * 50, templates, template_prob=1.0)
    assert set(short) == {'a photo of a red.'}
    long_caption = 'a red circle, a blue square and a green star on a dark floor'
    assert sample_texts(rng, [[long_caption]], templates, 1.0) == [long_caption]


def test_short_pretraining_lowers_the_loss_and_saves_fp16(toy_root, tmp_path):
    torch.manual_seed(0)
    images, captions = load_caption_corpus(f'{toy_root}/clip_pretrain')
    model = build_clip('tiny-ViT')
    hist = pretrain_clip(model, TextTower(model).tokenize, images, captions, steps=25, batch_size=16,
                         lr=2e-3, warmup=5, dense_weight=0.5, log=None)
    first, last = np.mean(hist['loss'][:5]), np.mean(hist['loss'][-5:])
    assert last < first - 0.4, (first, last)  # measured: 5.00 -> 4.17
    path = str(tmp_path / 'tiny.pt')
    save_open_clip_fp16(model, path)
    sd = torch.load(path, weights_only=True)
    assert all(v.dtype == torch.float16 for v in sd.values() if v.is_floating_point())
    reloaded = build_clip('tiny-ViT', path)
    x = torch.randn(2, 3, 64, 64)
    assert torch.allclose(reloaded.encode_image(x), model.encode_image(x), atol=5e-2)


def test_upsample_scales_the_grid_and_keeps_scale_one_exact():
    x = torch.randn(2, 3, 8, 8)
    assert upsample(x, 1) is x
    up = upsample(x, 4)
    assert up.shape == (2, 3, 32, 32)
    assert torch.allclose(up.mean((2, 3)), x.mean((2, 3)), atol=1e-5)  # bilinear keeps the mean


def test_pretraining_a_resnet_at_an_input_scale_with_the_attention_readout(toy_root):
    """``input_scale`` feeds the upsampled images; ``dense_mode`` picks the trained readout."""
    torch.manual_seed(0)
    images, captions = load_caption_corpus(f'{toy_root}/clip_pretrain', limit=16)
    model = build_clip('tiny-RN')  # stride 32: a 4x4 attention-pool grid at 2 x 64 px
    twin = copy.deepcopy(model)
    seen, grids = [], []
    model.visual.conv1.register_forward_pre_hook(lambda m, a: seen.append(tuple(a[0].shape[-2:])))
    model.visual.layer4.register_forward_hook(lambda m, a, out: grids.append(tuple(out.shape[-2:])))
    hist = pretrain_clip(model, TextTower(model).tokenize, images, captions, steps=2, batch_size=8,
                         warmup=1, dense_weight=0.5, log=None, input_scale=2, dense_mode='attention')
    assert np.isfinite(hist['loss']).all() and len(hist['loss']) == 2
    assert set(seen) == {(128, 128)} and set(grids) == {(4, 4)}
    assert next(model.parameters()).device.type == 'cpu' and not model.training
    # same weights, batches and seed: only the dense readout differs, so the first loss does
    value = pretrain_clip(twin, TextTower(twin).tokenize, images, captions, steps=1, batch_size=8,
                          warmup=1, dense_weight=0.5, log=None, input_scale=2, dense_mode='value')
    assert abs(value['loss'][0] - hist['loss'][0]) > 1e-4
