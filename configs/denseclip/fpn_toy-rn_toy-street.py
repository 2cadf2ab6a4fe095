# Baseline for denseclip_fpn_toy-rn_toy-street.py: the same toy ResNet CLIP, FPN, FPN head, data and
# recipe, without language guidance.
_base_ = ['./denseclip_fpn_toy-rn_toy-street.py']

model = dict(
    _delete_=True,
    type='EncoderDecoder',
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone=dict(type='DenseCLIPVisionBackbone', arch={{_base_.clip_arch}},
                  checkpoint={{_base_.clip_checkpoint}}, out_indices=(0, 1, 2, 3),
                  output_embeddings=False),
    neck=dict(type='FPN', in_channels=[64, 128, 256, 512], out_channels=64, num_outs=4),
    decode_head={{_base_.model.decode_head}},
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
