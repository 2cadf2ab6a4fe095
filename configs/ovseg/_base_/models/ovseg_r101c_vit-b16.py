# OVSeg, small model: ResNet-101c MaskFormer proposal generator (100 queries) + CLIP ViT-B/16.
# Numbers from the released ovseg_R101c_vitB_bs32_120k config. Pretrained weights are local files:
#   checkpoints/resnet101_v1c.pth        ImageNet ResNet-101-c (mmseg "open-mmlab://resnet101_v1c")
#   ~/.cache/clipdense/clip/ViT-B-16.pt  OpenAI CLIP ViT-B/16 (or an open_clip file, see clipdense.clip)
data_preprocessor = dict(
    type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size=(512, 512))
model = dict(
    type='OVSeg',
    data_preprocessor=data_preprocessor,
    clip_weight=0.7,                                  # lambda of p_seg^(1-l) * p_clip^l
    backbone=dict(
        type='ResNetV1c', depth=101, num_stages=4, out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 1, 1), strides=(1, 2, 2, 2), multi_grid=(1, 2, 4),
        norm_cfg=dict(type='BN', requires_grad=False), norm_eval=True,   # frozen BN (detectron2)
        style='pytorch', contract_dilation=True,
        init_cfg=dict(type='Pretrained', checkpoint='checkpoints/resnet101_v1c.pth')),
    decode_head=dict(
        type='OVSegProposalHead',
        embed_dims=512,                               # CLIP ViT-B/16 joint embedding size
        num_classes=171, supervision='seen', no_object_weight=0.1,
        class_embed_hidden=1024, logit_temperature=100.0,
        in_channels=[256, 512, 1024, 2048], in_index=[0, 1, 2, 3],
        feat_channels=256, out_channels=256, num_queries=100,
        pixel_decoder=dict(type='mmdet.PixelDecoder', norm_cfg=dict(type='GN', num_groups=32),
                           act_cfg=dict(type='ReLU')),
        enforce_decoder_input_project=False,
        positional_encoding=dict(num_feats=128, normalize=True),
        transformer_decoder=dict(
            return_intermediate=True, num_layers=6,
            layer_cfg=dict(
                self_attn_cfg=dict(embed_dims=256, num_heads=8, attn_drop=0.1, proj_drop=0.1,
                                   dropout_layer=None, batch_first=True),
                cross_attn_cfg=dict(embed_dims=256, num_heads=8, attn_drop=0.1, proj_drop=0.1,
                                    dropout_layer=None, batch_first=True),
                ffn_cfg=dict(embed_dims=256, feedforward_channels=2048, num_fcs=2,
                             act_cfg=dict(type='ReLU', inplace=True), ffn_drop=0.1,
                             dropout_layer=None, add_identity=True)),
            init_cfg=None),
        loss_mask=dict(type='mmdet.FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25,
                       reduction='mean', loss_weight=20.0),
        loss_dice=dict(type='mmdet.DiceLoss', use_sigmoid=True, activate=True, reduction='mean',
                       naive_dice=True, eps=1.0, loss_weight=1.0),
        train_cfg=dict(
            assigner=dict(type='mmdet.HungarianAssigner', match_costs=[
                dict(type='mmdet.ClassificationCost', weight=1.0),
                dict(type='mmdet.FocalLossCost', weight=20.0, binary_input=True),
                dict(type='mmdet.DiceCost', weight=1.0, pred_act=True, eps=1.0)]),
            sampler=dict(type='mmdet.MaskPseudoSampler'))),
    clip_classifier=dict(
        type='MaskAdaptedCLIP', arch='ViT-B-16', checkpoint='~/.cache/clipdense/clip',
        adapted_checkpoint=None, mask_prompt_depth=0, crop_size=224,
        mask_threshold=0.5, expand_ratio=1.0, templates='vild', temperature=100.0),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
