# The paper's "RN50-CLIP" baseline: the same CLIP RN50 + Semantic FPN and recipe as
# denseclip_fpn_rn50_8xb4-80k_ade20k-512x512.py, without language guidance (no text encoder,
# context decoder, score maps or identity-head loss).
_base_ = ['./denseclip_fpn_rn50_8xb4-80k_ade20k-512x512.py']

model = dict(
    _delete_=True,
    type='EncoderDecoder',
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone=dict(type='DenseCLIPVisionBackbone', arch={{_base_.clip_arch}},
                  checkpoint={{_base_.clip_checkpoint}}, output_embeddings=False),
    neck=dict(type='FPN', in_channels=[256, 512, 1024, 2048], out_channels=256, num_outs=4),
    decode_head={{_base_.model.decode_head}},
    train_cfg=dict(),
    test_cfg={{_base_.model.test_cfg}})
