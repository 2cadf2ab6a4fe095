"""Every clipdense method on CUDA: the model deep-copied to the GPU gives the CPU's numbers.

Skipped without CUDA (CI). Each test builds a tiny random-init model (fixed seed, eval mode),
predicts a small fixed batch on CPU, deep-copies the model to ``cuda``, predicts the same batch
there (images and SegDataSamples moved by the model's own data_preprocessor) and asserts
* score maps equal within fp32 GPU tolerance (TF32 off; atol/rtol 1e-3),
* label maps agree on >= 99 % of the pixels,
and, where the method trains, one training step on CUDA gives a finite loss and finite, non-zero
gradients on the GPU. With an mmcv built without CUDA kernels (as on the H200 where this ran),
Mask2Former's MS-deformable attention and mmdet's focal loss take their pure-PyTorch paths.
Measured on one H200 (torch 2.11, CPU-only mmcv 2.1.0 build): DenseCLIP, VLTSeg, AnoVL and
AffordanceCLIP passed; OVSeg's CPU == CUDA predictions and ReCo's fused scores matched too.
OVSeg's training step then needed the focal-loss fallback, and the dense CRF's tolerance was
raised (largest CPU/GPU difference 6e-4); those two fixes, and the ReCo+ student check that comes
after the CRF one, have run on CPU only so far.
"""
import copy

import mmcv.ops.multi_scale_deform_attn as msda
import mmdet.models.losses.focal_loss as focal
import pytest
import torch
from mmcv.ops import get_compiling_cuda_version
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import clipdense  # noqa: F401  (registers the models)
from tests.models.denseclip.tiny import SEG_RN50, SHAPES, build_model, load_tiny_config, seg_batch

DEVICE = 'cuda'
pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA device')


def _py_sigmoid_focal_loss(pred, target, weight=None, gamma=2.0, alpha=0.25, reduction='mean',
                           avg_factor=None):
    """mmdet's pure-PyTorch focal loss behind the signature of its mmcv-kernel variant."""
    n = pred.size(1)
    onehot = torch.nn.functional.one_hot(target, n + 1)[:, :n].type_as(pred)
    return focal.py_sigmoid_focal_loss(pred, onehot, weight, gamma, alpha, reduction, avg_factor)


@pytest.fixture(autouse=True)
def _gpu_settings(monkeypatch):
    """mmseg scope, exact fp32 on the GPU (no TF32); with an mmcv built without CUDA kernels,
    the pure-PyTorch MS-deformable attention and focal loss (mmcv's kernels are not under test)."""
    init_default_scope('mmseg')
    if get_compiling_cuda_version() == 'not available':
        monkeypatch.setattr(msda, 'IS_CUDA_AVAILABLE', False)
        monkeypatch.setattr(focal, 'sigmoid_focal_loss', _py_sigmoid_focal_loss)
    tf32 = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = tf32


def _data(classes=4, size=64, batch=2, **meta):
    """uint8 images and SegDataSamples (random labels below ``classes``) from ``seg_batch``."""
    x, samples = seg_batch(num_classes=classes, size=(size, size), batch=batch)
    for s in samples:
        s.set_metainfo(meta)
    return dict(inputs=list((x * 50 + 128).clamp(0, 255).to(torch.uint8)), data_samples=samples)


def _predict(model, data):
    """``model.test_step``: data_preprocessor (moves data to the model's device) + predict."""
    torch.manual_seed(0)
    with torch.no_grad():
        return model.test_step(copy.deepcopy(data))


def _assert_same(cpu, gpu, atol=1e-3, probs=False):
    """Score maps allclose; ``pred_sem_seg`` >= 99 % equal; GPU outputs really on the GPU."""
    for c, g in zip(cpu, gpu):
        assert g.seg_logits.data.device.type == DEVICE
        a, b = c.seg_logits.data, g.seg_logits.data.cpu()
        if probs:
            a, b = a.exp(), b.exp()
        torch.testing.assert_close(b, a, atol=atol, rtol=1e-3)
        agree = (g.pred_sem_seg.data.cpu() == c.pred_sem_seg.data).float().mean().item()
        assert agree >= 0.99, agree


def _check(model, data, train=True, **tol):
    """CPU predict vs CUDA predict of a deep copy (+ one CUDA training step); the CUDA model."""
    model.eval()
    cpu = _predict(model, data)
    gpu_model = copy.deepcopy(model).to(DEVICE)
    _assert_same(cpu, _predict(gpu_model, data), **tol)
    if train:
        _train_step(gpu_model, data)
    return gpu_model


def _train_step(model, data):
    """loss dict -> parse_losses (sum of the ``loss*`` terms) -> backward, all on the device."""
    model.train()
    model.zero_grad(set_to_none=True)
    pre = model.data_preprocessor          # without size/size_divisor: same-size inputs stacked
    padded = getattr(pre, 'size', None) is not None or getattr(pre, 'size_divisor', None) is not None
    batch = pre(copy.deepcopy(data), padded)
    loss, _ = model.parse_losses(model(**batch, mode='loss'))
    loss.backward()
    assert loss.device.type == DEVICE and torch.isfinite(loss), loss
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads and all(g.device.type == DEVICE and torch.isfinite(g).all() for g in grads)
    assert any(g.abs().sum() > 0 for g in grads)


def test_denseclip_segmentor():
    """DenseCLIP (tiny-RN CLIP, FPN, identity head; slide test): CPU == CUDA, CUDA trains."""
    model = build_model(load_tiny_config(SEG_RN50, class_names=SHAPES))
    _check(model, _data())


def test_vltseg_segmentor():
    """VLTSeg (tiny EVA02 pyramid + Mask2Former with MS-deformable pixel decoder, slide test):
    CPU == CUDA, CUDA trains (Hungarian matching, point-sampled mask losses)."""
    from tests.models.vltseg.tiny import load_tiny_config as vltseg_config
    torch.manual_seed(0)
    model = MODELS.build(vltseg_config().model)
    _check(model, _data(classes=19))


def test_ovseg_segmentor():
    """OVSeg (tiny ResNet proposals + mask-adapted tiny CLIP classifier with torchvision
    roi_align crops, ensemble): CPU == CUDA, the proposal generator trains on CUDA."""
    from tests.models.ovseg.tiny import tiny_ovseg_config
    torch.manual_seed(0)
    model = MODELS.build(tiny_ovseg_config().model)
    model.init_weights()
    _check(model, _data())


def test_anovl_zero_shot_maps_and_tta():
    """AnoVL (tiny-ViT, training-free): anomaly maps, image scores and thresholded masks
    CPU == CUDA; test-time adaptation (AdamW on the GPU; noise off so both runs are equal)
    gives finite losses and the CPU's maps."""
    from mmengine.config import Config

    from tests.models.anovl.tiny import CONFIG, TINY_OPTIONS
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(TINY_OPTIONS)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.tta_enabled = False
    data = _data(object_name='bottle')
    data['data_samples'][1].set_metainfo(dict(object_name='wood'))
    cpu = _predict(model.eval(), data)
    gpu_model = copy.deepcopy(model).to(DEVICE)
    gpu = _predict(gpu_model, data)
    _assert_same(cpu, gpu)
    torch.testing.assert_close(torch.cat([g.pred_score.cpu() for g in gpu]),
                               torch.cat([c.pred_score for c in cpu]), atol=1e-3, rtol=1e-3)

    x = model.data_preprocessor(copy.deepcopy(data), False)['inputs']
    names = ['bottle', 'wood']
    model.tta.noise_std = gpu_model.tta.noise_std = 0.0
    outs = []
    for m, inputs in ((model, x), (gpu_model, x.to(DEVICE))):
        torch.manual_seed(0)                                   # adapter init: CPU generator
        outs.append(m.localize(inputs, names, tta=True))
    losses = [v for ls in outs[1]['tta_losses'].values() for v in ls]
    assert losses and all(torch.isfinite(torch.tensor(losses)))
    assert outs[1]['anomaly_map'].device.type == DEVICE
    torch.testing.assert_close(outs[1]['anomaly_map'].cpu(), outs[0]['anomaly_map'], atol=5e-3, rtol=1e-2)


def test_affordanceclip():
    """AffordanceCLIP (frozen tiny-RN CLIP, global-conditioned FPN, pixel projector) with a
    text per image: heat maps / masks CPU == CUDA; FPN + projector train on CUDA, CLIP frozen."""
    from tests.models.affordanceclip.test_affordance_clip import batch, build
    model = build()
    torch.manual_seed(0)
    imgs, samples = batch(['the bright square', 'cut with'])
    gpu_model = _check(model, dict(inputs=list(imgs), data_samples=samples))
    assert all(p.grad is None for p in gpu_model.clip.parameters())


def test_reco_segmentor_and_dense_crf(tmp_path):
    """ReCo (references retrieved + co-segmented on CPU, then carried in the deep copy):
    fused ReCo scores CPU == CUDA. The dense CRF alone and the ReCo+ student
    (CRFEncoderDecoder: CRF-refined probabilities) CPU == CUDA; the student trains on CUDA."""
    from tests.models.reco.conftest import tiny_reco_cfg, write_pool
    from tests.models.reco.test_crf_encoder_decoder import build as build_crf

    from clipdense.models.reco.dense_crf import dense_crf
    pool = write_pool(str(tmp_path / 'pool'), n=6)
    torch.manual_seed(0)
    reco = MODELS.build(tiny_reco_cfg(str(tmp_path / 'index.pth'), pool))
    _check(reco, _data(classes=3), train=False)

    g = torch.Generator().manual_seed(0)
    image, logits = torch.rand(3, 24, 32, generator=g) * 255, torch.randn(3, 24, 32, generator=g)
    kw = dict(iters=5, max_pixels=256)
    torch.testing.assert_close(dense_crf(image.to(DEVICE), logits.to(DEVICE), **kw).cpu(),
                               dense_crf(image, logits, **kw), atol=2e-3, rtol=1e-2)  # H200: 6e-4 max

    student = build_crf(dict(iters=5, max_pixels=256))
    _check(student, _data(classes=3), probs=True)
