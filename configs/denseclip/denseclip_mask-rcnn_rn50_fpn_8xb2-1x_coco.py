# DenseCLIP (Rao et al., CVPR 2022) Mask R-CNN with CLIP RN50 on COCO (boxes and masks), 1x
# schedule (12 epochs), 8 GPUs x 2 images. Detection runs in MMDetection's scope; the Mask R-CNN
# heads, COCO instance pipeline (1333x800) and 1x schedule are mmdet's own base configs.
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py', 'mmdet::_base_/datasets/coco_instance.py',
    'mmdet::_base_/schedules/schedule_1x.py', 'mmdet::_base_/default_runtime.py',
]
custom_imports = dict(imports=['clipdense'], allow_failed_imports=False)

clip_arch = 'RN50'
clip_checkpoint = '~/.cache/clipdense/clip'  # a folder holding OpenAI's RN50.pt (or the file)
num_classes = 80
model = dict(
    type='DenseCLIPMaskRCNN',
    data_preprocessor=dict(mean=[122.771, 116.746, 104.094], std=[68.501, 66.632, 70.323]),  # CLIP's
    class_names='CocoDataset',  # prompts use CocoDataset.METAINFO['classes']
    backbone=dict(_delete_=True, type='DenseCLIPVisionBackbone', arch=clip_arch,
                  checkpoint=clip_checkpoint),
    text_encoder=dict(type='DenseCLIPTextEncoder', arch=clip_arch, checkpoint=clip_checkpoint,
                      num_context=8, context_init_std=1.0),
    context_decoder=dict(type='ContextDecoder', visual_dim=1024, transformer_width=256,
                         transformer_heads=4, transformer_layers=3, dropout=0.1),
    seg_loss=True,  # box-supervised auxiliary loss on the score map (loss_aux_seg)
    score_concat_index=3,  # score maps / tau (stride 32) join the last ResNet stage
    tau=0.07,
    gamma_init=1e-4,
    neck=dict(in_channels=[256, 512, 1024, 2048 + num_classes]),
    roi_head=dict(bbox_head=dict(num_classes=num_classes), mask_head=dict(num_classes=num_classes)))

# Recipe: AdamW lr 2e-4, weight decay 1e-4, gradient clipping at norm 0.1; CLIP image backbone
# at 0.1x lr, no decay on *norm* parameters; frozen CLIP text transformer (requires_grad=False).
# Schedule: mmdet's 1x (500-iteration linear warm-up from 0.001 x lr, x0.1 at epochs 8 and 11).
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1), 'norm': dict(decay_mult=0.0)}))
