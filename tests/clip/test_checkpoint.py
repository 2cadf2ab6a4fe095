import pytest
import torch
from safetensors.torch import save_file

from clipdense.clip import CLIPCheckpointError, build_clip, read_state_dict, resolve_checkpoint
from clipdense.clip.eva_clip_keys import convert_eva_clip_state_dict, eva_to_timm_key

from .checkpoint_formats import (save_eva_clip, save_open_clip_training_checkpoint,
                                 save_openai_state_dict, save_openai_torchscript)


def _outputs(model):
    g = torch.Generator().manual_seed(1)
    img = torch.randn(2, 3, 64, 64, generator=g)
    txt = torch.randint(1, 49000, (2, 16), generator=g)
    with torch.no_grad():
        return model.encode_image(img), model.encode_text(txt)


def _assert_same(a, b):
    for x, y in zip(_outputs(a), _outputs(b)):
        torch.testing.assert_close(x, y, rtol=0, atol=0)


@pytest.mark.parametrize('writer,name,openai', [
    (save_openai_torchscript, 'tiny-ViT.pt', True),
    (save_openai_state_dict, 'tiny-ViT.pt', True),
    (save_open_clip_training_checkpoint, 'epoch_3.pt', False),
])
def test_vit_formats_reproduce_saved_model(tmp_path, writer, name, openai):
    src = build_clip('tiny-ViT', quick_gelu=openai)     # OpenAI's weights use QuickGELU
    path = tmp_path / name
    writer(src, str(path))
    loaded = build_clip('tiny-ViT', str(path))
    act = type(loaded.visual.transformer.resblocks[0].mlp.gelu).__name__
    assert act == ('QuickGELU' if openai else 'GELU')
    _assert_same(src, loaded)


def test_resnet_openai_torchscript(tmp_path):
    src = build_clip('tiny-RN', quick_gelu=True)
    save_openai_torchscript(src, str(tmp_path / 'tiny-RN.pt'))
    _assert_same(src, build_clip('tiny-RN', str(tmp_path)))   # found by name in the folder


def test_open_clip_safetensors_in_arch_subfolder(tmp_path):
    src = build_clip('tiny-RN')
    (tmp_path / 'tiny-RN').mkdir()
    save_file({k: v.contiguous() for k, v in src.state_dict().items()},
              str(tmp_path / 'tiny-RN' / 'open_clip_model.safetensors'))
    _assert_same(src, build_clip('tiny-RN', str(tmp_path)))


def test_eva_clip_checkpoint(tmp_path):
    src = build_clip('tiny-EVA02')
    save_eva_clip(src, str(tmp_path / 'eva.pt'))
    raw = torch.load(str(tmp_path / 'eva.pt'))
    assert 'visual.blocks.0.attn.q_bias' in raw and 'visual.blocks.0.mlp.w3.weight' in raw
    _assert_same(src, build_clip('tiny-EVA02', str(tmp_path / 'eva.pt')))


def test_eva_key_names():
    assert eva_to_timm_key('blocks.3.mlp.w1.weight') == 'blocks.3.mlp.fc1_g.weight'
    assert eva_to_timm_key('blocks.3.mlp.w2.bias') == 'blocks.3.mlp.fc1_x.bias'
    assert eva_to_timm_key('blocks.3.mlp.ffn_ln.weight') == 'blocks.3.mlp.norm.weight'
    assert eva_to_timm_key('blocks.0.attn.inner_attn_ln.bias') == 'blocks.0.attn.norm.bias'
    out = convert_eva_clip_state_dict({'visual.pos_embed': 1, 'visual.blocks.0.attn.v_bias': 2,
                                       'visual.rope.freqs_cos': 3, 'text.ln_final.weight': 4})
    assert out == {'visual.trunk.pos_embed': 1, 'visual.trunk.blocks.0.attn.v_proj.bias': 2,
                   'text.ln_final.weight': 4}


def test_larger_position_grid_is_resampled(tmp_path):
    src = build_clip('tiny-ViT')
    sd = dict(src.state_dict())
    pos = sd['visual.positional_embedding']                      # [1 + 8*8, C]
    grid = pos[1:].reshape(1, 8, 8, -1).permute(0, 3, 1, 2)
    big = torch.nn.functional.interpolate(grid, size=(12, 12), mode='bicubic')
    sd['visual.positional_embedding'] = torch.cat([pos[:1], big.permute(0, 2, 3, 1).reshape(144, -1)])
    torch.save(sd, tmp_path / 'big.pt')
    model = build_clip('tiny-ViT', str(tmp_path / 'big.pt'))
    loaded = model.visual.positional_embedding.detach()
    assert loaded.shape == pos.shape
    torch.testing.assert_close(loaded[:1], pos[:1], rtol=0, atol=0)   # class token kept as is
    # the 12x12 grid is resampled back to 8x8 exactly as open_clip's own loader does
    from open_clip.model import resize_pos_embed
    ref = {'visual.positional_embedding': sd['visual.positional_embedding']}
    resize_pos_embed(ref, build_clip('tiny-ViT'))
    torch.testing.assert_close(loaded, ref['visual.positional_embedding'], rtol=0, atol=0)
    assert not torch.allclose(loaded[1:], sd['visual.positional_embedding'][1:65])  # not a truncation


def test_wrong_architecture_names_missing_keys(tmp_path):
    save_openai_state_dict(build_clip('tiny-RN'), str(tmp_path / 'rn.pt'))
    with pytest.raises(CLIPCheckpointError, match=r'does not fit CLIP tiny-ViT: \d+ missing .*e\.g\. '):
        build_clip('tiny-ViT', str(tmp_path / 'rn.pt'))


def test_missing_and_corrupt_files(tmp_path):
    with pytest.raises(CLIPCheckpointError, match=r"put one of \['ViT-B-16.pt'"):
        resolve_checkpoint('ViT-B-16', str(tmp_path))
    bad = tmp_path / 'bad.pt'
    bad.write_bytes(b'not a checkpoint')
    with pytest.raises(CLIPCheckpointError, match='cannot read CLIP checkpoint'):
        read_state_dict(str(bad))
