"""Mask-adapted CLIP: batched proposal classification equals the per-mask computation, cached
text embeddings, arbitrary vocabularies, and loading fine-tuned weights."""
import pytest
import torch
import torch.nn.functional as F

from clipdense.clip import build_clip
from clipdense.models.ovseg import MaskAdaptedCLIP, VILD_TEMPLATES


def _proposals(B=2, Q=5, H=48, W=40):
    g = torch.Generator().manual_seed(1)
    images = torch.rand(B, 3, H, W, generator=g) * 255
    yy, xx = torch.meshgrid(torch.arange(H), torch.arange(W), indexing='ij')
    probs = torch.zeros(B, Q, H, W)
    for b in range(B):
        for q in range(Q - 1):                           # the last proposal stays empty
            cy, cx, r = 6 + 7 * q, 5 + 6 * q + 3 * b, 4 + 2 * q
            probs[b, q] = torch.sigmoid((r * r - (yy - cy) ** 2 - (xx - cx) ** 2) / 8.0)
    return images, probs


@pytest.mark.parametrize('depth', [0, 3])
def test_batched_classification_equals_per_mask_loop(depth):
    clip = MaskAdaptedCLIP(arch='tiny-ViT', crop_size=64, mask_prompt_depth=depth, region_batch_size=3).eval()
    images, probs = _proposals()
    names = ['red circle', 'sky', 'dog']
    with torch.no_grad():
        logits, valid = clip.classify_proposals(images, probs, names)
        assert valid.tolist() == [[True] * 4 + [False]] * 2
        assert (logits[~valid] == 0).all()
        for b in range(2):
            for q in range(4):                             # one CLIP forward per mask
                single, _ = clip.classify_proposals(images[b:b + 1], probs[b:b + 1, q:q + 1], names)
                assert torch.allclose(logits[b, q], single[0, 0], atol=1e-4)


def test_without_prompts_the_region_encoder_is_clip_image_encoding():
    clip = MaskAdaptedCLIP(arch='tiny-ViT', crop_size=64).eval()
    ref = build_clip('tiny-ViT').eval()
    ref.visual.load_state_dict(clip.visual.state_dict())
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(clip.encode_regions(x), F.normalize(ref.encode_image(x), dim=-1), atol=1e-5)


def test_logits_are_temperature_times_cosine_to_prompt_ensembled_names():
    clip = MaskAdaptedCLIP(arch='tiny-ViT', crop_size=64, templates='vild').eval()
    images, probs = _proposals(B=1, Q=2)
    names = ['cat', 'tree']
    with torch.no_grad():
        logits, valid = clip.classify_proposals(images, probs, names)
        tokens = clip.text.tokenize([t.format(n) for n in names for t in VILD_TEMPLATES])
        text = F.normalize(clip.text(tokens), dim=-1).view(2, len(VILD_TEMPLATES), -1).mean(1)
        text = F.normalize(text, dim=-1)
        crops_embeds = clip.encode_masked(clip.normalize(images), probs.flatten(0, 1), torch.tensor([0]),
                                          torch.tensor([0]))
    assert torch.allclose(logits[0, 0], 100.0 * crops_embeds[0] @ text.t(), atol=1e-3)


def test_text_embeddings_are_computed_once_per_class_list():
    clip = MaskAdaptedCLIP(arch='tiny-ViT', crop_size=64).eval()
    calls = []
    hook = clip.text.transformer.register_forward_hook(lambda *a: calls.append(1))
    images, probs = _proposals(B=1, Q=2)
    with torch.no_grad():
        for _ in range(3):
            clip.classify_proposals(images, probs, ['a', 'b'])
    hook.remove()
    assert len(calls) == 1


@pytest.mark.parametrize('names', [
    ['zebra'],
    [f'class number {i}' for i in range(500)],
    ['café', 'Straße', '猫', 'ёжик', 'naïve piñata 🎉'],
])
def test_arbitrary_vocabularies(names):
    clip = MaskAdaptedCLIP(arch='tiny-ViT', crop_size=64, templates='single').eval()
    images, probs = _proposals(B=1, Q=3)
    K = len(names)
    perm = torch.randperm(K, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        logits, valid = clip.classify_proposals(images, probs, names)
        # independent computation: single template, L2-normalised text and region embeddings
        tokens = clip.text.tokenize([f'a photo of a {n}.' for n in names])
        text = F.normalize(clip.text(tokens).float(), dim=-1)
        regions = clip.encode_masked(clip.normalize(images), probs.flatten(0, 1), torch.tensor([0, 1]),
                                     torch.tensor([0, 0]))
        permuted, _ = clip.classify_proposals(images, probs, [names[i] for i in perm])
        extra, extra_valid = clip.classify_proposals(images, probs, names + ['an extra class'])
    assert logits.shape == (1, 3, K) and torch.isfinite(logits).all()
    assert valid.tolist() == [[True, True, False]] and (logits[0, 2] == 0).all()
    cos = regions @ text.t()
    assert cos.abs().max() <= 1 + 1e-5
    torch.testing.assert_close(logits[0, :2], 100.0 * cos, atol=1e-3, rtol=1e-4)
    torch.testing.assert_close(logits[0, :2].softmax(-1), (100.0 * cos).softmax(-1), atol=1e-5, rtol=1e-4)
    # permuting the vocabulary permutes the scores
    torch.testing.assert_close(permuted, logits[..., perm], atol=1e-4, rtol=1e-5)
    # adding a class leaves the other logits alone; their probabilities only change normalisation
    assert extra.shape == (1, 3, K + 1) and torch.equal(extra_valid, valid)
    torch.testing.assert_close(extra[..., :K], logits, atol=1e-4, rtol=1e-5)
    log_old, log_new = logits[0, :2].log_softmax(-1), extra[0, :2].log_softmax(-1)
    shift = log_new[:, :K] - log_old                       # log p_new - log p_old: one constant per region
    torch.testing.assert_close(shift, shift[:, :1].expand_as(shift), atol=1e-3, rtol=0)
    torch.testing.assert_close(shift[:, 0].exp(), 1.0 - log_new[:, K].exp(), atol=1e-4, rtol=1e-4)


def test_fine_tuned_weights_round_trip_and_missing_file_error(tmp_path):
    src = MaskAdaptedCLIP(arch='tiny-ViT', crop_size=64, mask_prompt_depth=2)
    path = tmp_path / 'ft.pth'
    torch.save({'state_dict': {f'clip.{k}': v for k, v in src.state_dict().items()}}, path)
    dst = MaskAdaptedCLIP(arch='tiny-ViT', crop_size=64, mask_prompt_depth=2, adapted_checkpoint=str(path))
    assert torch.equal(dst.prompts.prompts, src.prompts.prompts)
    assert torch.equal(dst.visual.conv1.weight, src.visual.conv1.weight)
    with pytest.raises(FileNotFoundError, match='mask-adapted CLIP checkpoint'):
        MaskAdaptedCLIP(arch='tiny-ViT', crop_size=64, adapted_checkpoint=str(tmp_path / 'none.pth'))
    plain = tmp_path / 'plain.pth'                          # no prompts in the file, prompts requested
    torch.save({'state_dict': {f'clip.{k}': v for k, v in MaskAdaptedCLIP(arch='tiny-ViT').state_dict().items()}},
               plain)
    with pytest.raises(ValueError, match='does not match'):
        MaskAdaptedCLIP(arch='tiny-ViT', crop_size=64, mask_prompt_depth=2, adapted_checkpoint=str(plain))


def test_resnet_clip_classifies_but_rejects_mask_prompts():
    clip = MaskAdaptedCLIP(arch='tiny-RN', crop_size=64).eval()
    images, probs = _proposals(B=1, Q=2)
    with torch.no_grad():
        logits, _ = clip.classify_proposals(images, probs, ['a', 'b'])
    assert logits.shape == (1, 2, 2)
    with pytest.raises(ValueError, match='needs a ViT'):
        MaskAdaptedCLIP(arch='tiny-RN', mask_prompt_depth=1)
