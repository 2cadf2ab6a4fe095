"""Mask prompt tuning: which patches are blank, exact token replacement, shallow/deep levels."""
import pytest
import torch

from clipdense.models.ovseg import MaskAdaptedCLIP, MaskPromptTuning


def test_patch_keep_marks_patches_with_any_mask_pixel():
    mpt = MaskPromptTuning(num_layers=4, grid=(2, 3), width=5, patch_size=4, depth=1)
    mask = torch.zeros(1, 8, 12, dtype=torch.bool)
    mask[0, 0, 0] = True          # patch (0, 0): one pixel
    mask[0, 5:8, 9:12] = True     # patch (1, 2): a corner block
    keep = mpt.patch_keep(mask)
    assert keep.shape == (1, 6, 1)
    assert keep[0, :, 0].tolist() == [True, False, False, False, False, True]


def test_replace_swaps_exactly_the_blank_tokens():
    mpt = MaskPromptTuning(num_layers=4, grid=(2, 2), width=3, patch_size=2, depth='deep')
    tokens = torch.randn(2, 4, 3)
    keep = torch.tensor([[1, 0, 1, 0], [0, 0, 0, 1]], dtype=torch.bool)[..., None]
    out = mpt.replace(tokens, keep, level=2)
    for n in range(2):
        for j in range(4):
            expected = tokens[n, j] if keep[n, j, 0] else mpt.prompts[2, j]
            assert torch.equal(out[n, j], expected)


@pytest.mark.parametrize('depth, expected', [('shallow', 1), ('deep', 4), (3, 3)])
def test_depth_names(depth, expected):
    assert MaskPromptTuning(4, (2, 2), 3, 2, depth).prompts.shape == (expected, 4, 3)


@pytest.mark.parametrize('depth', [0, 5, 'medium', True])
def test_bad_depth_is_a_one_line_error(depth):
    with pytest.raises(ValueError, match='mask prompt depth'):
        MaskPromptTuning(4, (2, 2), 3, 2, depth)


def _clip(depth):
    return MaskAdaptedCLIP(arch='tiny-ViT', mask_prompt_depth=depth, crop_size=64).eval()


def _crops_and_masks():
    crops = torch.randn(3, 3, 64, 64)
    masks = torch.zeros(3, 64, 64, dtype=torch.bool)
    masks[0, 10:30, 5:50] = True
    masks[1, 40:64, 40:64] = True
    masks[2, 0:8, 0:8] = True
    return crops, masks


@pytest.mark.parametrize('depth', ['shallow', 2, 'deep'])
def test_tokens_entering_each_prompted_block_are_prompts_exactly_where_blank(depth):
    clip = _clip(depth)
    crops, masks = _crops_and_masks()
    seen = {}
    hooks = [blk.register_forward_pre_hook(lambda m, args, i=i: seen.__setitem__(i, args[0].detach()))
             for i, blk in enumerate(clip.visual.transformer.resblocks)]
    clip.encode_regions(crops, masks)
    for h in hooks:
        h.remove()
    keep = clip.prompts.patch_keep(masks)[..., 0]                        # [N, 64]
    assert keep.any(1).all() and (~keep).any(1).all()
    for i in range(1, clip.prompts.depth):                                  # deep levels, exactly
        patches = seen[i][:, 1:]
        prompt = clip.prompts.prompts[i].expand_as(patches)
        assert torch.equal(patches[~keep], prompt[~keep])
        assert not torch.isclose(patches[keep], prompt[keep]).all(-1).any()
    if clip.prompts.depth < 4:                                              # beyond the depth: no replacement
        patches = seen[clip.prompts.depth][:, 1:]
        last = clip.prompts.prompts[clip.prompts.depth - 1].expand_as(patches)
        assert not torch.isclose(patches[~keep], last[~keep]).all(-1).any()


def test_level0_prompts_replace_the_patch_embeddings_so_blank_pixels_do_not_matter():
    clip = _clip('shallow')
    crops, masks = _crops_and_masks()
    keep = clip.prompts.patch_keep(masks)[..., 0].view(3, 8, 8)
    blank_pixels = (~keep).repeat_interleave(8, 1).repeat_interleave(8, 2)  # [N, 64, 64]
    noisy = torch.where(blank_pixels[:, None], torch.randn_like(crops) * 5, crops)
    with torch.no_grad():
        a, b = clip.encode_regions(crops, masks), clip.encode_regions(noisy, masks)
        plain = MaskAdaptedCLIP(arch='tiny-ViT', mask_prompt_depth=0, crop_size=64).eval()
        plain.load_state_dict({k: v for k, v in clip.state_dict().items() if not k.startswith('prompts.')})
        c, d = plain.encode_regions(crops, masks), plain.encode_regions(noisy, masks)
    assert torch.allclose(a, b, atol=1e-6)                 # blank content replaced by the prompts
    assert not torch.allclose(c, d, atol=1e-3)              # without prompts it leaks through


def test_every_level_of_deep_prompts_gets_gradient():
    clip = MaskAdaptedCLIP(arch='tiny-ViT', mask_prompt_depth='deep', crop_size=64, trainable='prompt')
    crops, masks = _crops_and_masks()
    clip.encode_regions(crops, masks).sum().backward()
    grad = clip.prompts.prompts.grad
    assert grad.shape[0] == 4 and (grad.abs().flatten(1).sum(1) > 0).all()
    assert all(p.grad is None for n, p in clip.named_parameters() if not n.startswith('prompts.'))
