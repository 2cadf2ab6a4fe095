"""The DINO-style timm ViT that ReCo co-segments with (clipdense.models.reco.vit_encoder)."""
import pytest
import torch

from clipdense.models.reco.vit_encoder import DenseViTEncoder

TINY = dict(depth=2)  # real architecture widths, two blocks: fast on CPU


def test_dense_map_shape_for_any_size():
    enc = DenseViTEncoder('vit_small_patch16_224', **TINY)
    out = enc(torch.rand(2, 3, 48, 80) * 255)
    assert out.shape == (2, 384, 3, 5)
    assert enc.patch_size == 16 and enc.embed_dim == 384
    assert not any(p.requires_grad for p in enc.parameters())


def test_tokens_are_final_norm_patch_tokens():
    enc = DenseViTEncoder('deit_small_distilled_patch16_224', **TINY)
    x = torch.rand(1, 3, 32, 48) * 255
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1) * 255
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1) * 255
    tokens = enc.vit.forward_features((x - mean) / std)          # cls + dist + 2*3 patches
    assert torch.allclose(enc(x).flatten(2).transpose(1, 2), tokens[:, 2:], atol=1e-5)


@pytest.mark.parametrize('layout', ['dino', 'deit', 'plain'])
def test_checkpoint_layouts_load(tmp_path, layout):
    src = DenseViTEncoder('vit_small_patch16_224', **TINY)
    state = src.vit.state_dict()
    if layout == 'dino':      # DINO training checkpoint: teacher weights under 'backbone.'
        data = {'teacher': {f'backbone.{k}': v for k, v in state.items()}, 'epoch': 100}
    elif layout == 'deit':
        data = {'model': {**state, 'head.weight': torch.zeros(1000, 384)}}
    else:
        data = state
    torch.save(data, tmp_path / 'w.pth')
    torch.manual_seed(123)
    dst = DenseViTEncoder('vit_small_patch16_224', checkpoint=str(tmp_path / 'w.pth'), **TINY)
    x = torch.rand(1, 3, 32, 32) * 255
    assert torch.allclose(dst(x), src(x))


def test_bad_checkpoints_give_one_line_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='deit_s_sin_dist.pth'):
        DenseViTEncoder('vit_small_patch16_224', checkpoint=str(tmp_path / 'missing.pth'), **TINY)
    torch.save({'model': {'foo': torch.zeros(1)}}, tmp_path / 'other.pth')
    with pytest.raises(ValueError, match='does not fit'):
        DenseViTEncoder('vit_small_patch16_224', checkpoint=str(tmp_path / 'other.pth'), **TINY)
