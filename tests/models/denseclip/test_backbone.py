"""DenseCLIP vision backbone: four levels plus global/dense embeddings, for ResNet and ViT CLIPs."""
import pytest
import torch

from clipdense.clip import CLIPCheckpointError
from clipdense.models.denseclip.backbone import DenseCLIPVisionBackbone


def test_resnet_levels_and_attention_pool_embeddings():
    bb = DenseCLIPVisionBackbone('tiny-RN').eval()
    x = torch.randn(2, 3, 64, 96)
    *feats, (g, z) = bb(x)
    assert [tuple(f.shape) for f in feats] == [(2, c, 64 // s, 96 // s) for c, s in
                                              zip(bb.out_channels, (4, 8, 16, 32))]
    assert bb.out_channels == [32, 64, 128, 256] and bb.embed_stride == 32
    assert g.shape == (2, 64) and z.shape == (2, 64, 2, 3)
    # the dense map comes from DenseCLIP's modified attention pool of the last stage
    g2, z2 = bb.encoder.attnpool(feats[3])
    torch.testing.assert_close(g, g2)
    torch.testing.assert_close(z, z2)
    assert bb.encoder.dense_mode == 'attention'


def test_vit_pyramid_levels_and_projected_patch_tokens():
    bb = DenseCLIPVisionBackbone('tiny-ViT', out_indices=(0, 1, 2, 3),
                                 pyramid_norm_cfg=dict(type='BN')).eval()
    *feats, (g, z) = bb(torch.randn(1, 3, 64, 128))
    assert [tuple(f.shape[-2:]) for f in feats] == [(16, 32), (8, 16), (4, 8), (2, 4)]
    assert bb.out_channels == [128] * 4 and bb.embed_stride == 8
    assert g.shape == (1, 64) and z.shape == (1, 64, 8, 16)


@pytest.mark.parametrize('arch', ['tiny-RN', 'tiny-ViT'])
def test_without_embeddings_it_is_a_plain_backbone_whose_trainable_params_all_learn(arch):
    bb = DenseCLIPVisionBackbone(arch, out_indices=(0, 1, 2, 3), output_embeddings=False,
                                 pyramid_norm_cfg=dict(type='BN'))
    out = bb(torch.randn(2, 3, 64, 64))
    assert len(out) == 4 and all(isinstance(o, torch.Tensor) for o in out)
    sum(o.mean() for o in out).backward()
    trainable = [n for n, p in bb.named_parameters() if p.requires_grad]
    assert trainable and all(bb.get_parameter(n).grad is not None for n in trainable)


def test_missing_weights_name_the_file_and_the_folder(tmp_path):
    with pytest.raises(CLIPCheckpointError, match='tiny-RN.pt'):
        DenseCLIPVisionBackbone('tiny-RN', checkpoint=str(tmp_path))
