import pytest
import torch
import torch.nn.functional as F

from clipdense.clip import build_clip, build_dense_encoder
from clipdense.clip.pos_embed import PRESETS, PosEmbedResampling


def test_open_clip_preset_equals_open_clip_resize_pos_embed():
    from open_clip.model import resize_pos_embed
    model = build_clip('tiny-ViT')            # 8x8 grid
    table = torch.randn(1 + 5 * 5, 128)
    sd = {'visual.positional_embedding': table}
    resize_pos_embed(sd, model)               # open_clip's own load-time resize (to 8x8)
    ours = PosEmbedResampling.build('open_clip').resample(table, (8, 8))
    assert torch.equal(ours, sd['visual.positional_embedding'])


def test_timm_preset_equals_timm_resample_abs_pos_embed():
    from timm.layers import resample_abs_pos_embed
    table = torch.randn(1, 1 + 14 * 14, 32)
    ref = resample_abs_pos_embed(table, [20, 30], num_prefix_tokens=1)
    assert torch.equal(PosEmbedResampling.build('timm').resample(table, (20, 30)), ref)


def test_antialiased_bicubic_differs_from_plain_even_when_upsampling():
    table = torch.randn(1 + 7 * 7, 16)
    plain = PosEmbedResampling.build('bicubic').resample(table, (20, 30))
    anti = PosEmbedResampling.build('open_clip').resample(table, (20, 30))
    grid = table[1:].reshape(1, 7, 7, 16).permute(0, 3, 1, 2)
    ref = F.interpolate(grid, size=(20, 30), mode='bicubic', align_corners=False)
    assert torch.equal(plain[1:], ref.permute(0, 2, 3, 1).reshape(600, 16))
    assert (plain - anti).abs().max() > 1e-3
    assert torch.equal(plain[0], table[0]) and torch.equal(anti[0], table[0])


def test_load_resizes_once_into_a_trainable_table_then_resamples_bilinearly():
    model = build_clip('tiny-ViT')
    old = model.visual.positional_embedding.detach().clone()          # [65, 128], 8x8
    enc = build_dense_encoder(model, out_indices=(3,),
                              pos_embed=dict(preset='denseclip', grid=(6, 10)))
    table = model.visual.positional_embedding
    assert isinstance(table, torch.nn.Parameter) and table.requires_grad
    assert table.shape == (1 + 60, 128) and enc.table_grid == (6, 10)
    grid = old[1:].reshape(1, 8, 8, 128).permute(0, 3, 1, 2)
    exp = F.interpolate(grid, size=(6, 10), mode='bilinear', align_corners=False)
    torch.testing.assert_close(table[1:].detach(), exp.permute(0, 2, 3, 1).reshape(60, 128), rtol=0, atol=0)
    # at another grid the kept (non-square) table is resampled bilinearly again
    again = enc.pos_resampling.for_grid(table.detach(), (3, 4), src_grid=enc.table_grid)
    exp2 = F.interpolate(table[1:].detach().reshape(1, 6, 10, 128).permute(0, 3, 1, 2), size=(3, 4),
                         mode='bilinear', align_corners=False)
    assert torch.equal(again[1:], exp2.permute(0, 2, 3, 1).reshape(12, 128))
    out = enc(torch.randn(1, 3, 48, 80))                              # the table's own grid
    assert out['features'][0].shape == (1, 128, 6, 10)
    out['global_embed'].sum().backward()
    assert table.grad is not None and table.grad.abs().sum() > 0


def test_crop_takes_the_top_left_of_the_loaded_table():
    r = PosEmbedResampling.build(dict(preset='denseclip_det', grid=(5, 6)))
    table = torch.randn(1 + 30, 4)
    out = r.for_grid(table, (2, 3), src_grid=(5, 6))
    exp = table[1:].reshape(5, 6, 4)[:2, :3].reshape(6, 4)
    assert torch.equal(out[1:], exp) and torch.equal(out[0], table[0])
    with pytest.raises(ValueError, match='exceeds'):
        r.for_grid(table, (6, 6), src_grid=(5, 6))


def test_resnet_attention_pool_table_follows_the_setting():
    model = build_clip('tiny-RN')
    enc = build_dense_encoder(model, pos_embed=dict(preset='denseclip', grid=(3, 3)))
    assert model.visual.attnpool.positional_embedding.shape[0] == 1 + 9
    out = enc(torch.randn(1, 3, 96, 96))                               # 3x3 at stride 32
    assert out['dense_embed'].shape[-2:] == (3, 3)


def test_bad_settings_are_one_line_errors():
    with pytest.raises(ValueError, match='unknown pos_embed preset'):
        PosEmbedResampling.build('bicubik')
    with pytest.raises(ValueError, match='needs grid'):
        PosEmbedResampling.build(dict(mode='bilinear', when='load'))
    with pytest.raises(ValueError, match='choose one of'):
        PosEmbedResampling.build(dict(when='sometimes'))
    assert set(PRESETS) >= {'open_clip', 'timm', 'bicubic', 'denseclip', 'denseclip_det'}
