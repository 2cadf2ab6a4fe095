# AffordanceCLIP zero-shot part-affordance segmentation on UMD (category split, test tools):
# each pixel takes the action prompt with the highest logit, or background if all are < 0.
# Same model and training as the AGD20K Seen config.
_base_ = ['./affordanceclip_rn101_refcocog-416_agd20k-seen.py']

umd_root = 'data/part-affordance-dataset'
# UMD classes: background, grasp, cut, scoop, contain, pound, support, wrap-grasp
model = dict(class_prompts=[None, 'grasp', 'cut', 'scoop', 'contain', 'pound', 'support',
                            'wrap grasp'],
             background_logit=0.0)
umd_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale={{_base_.input_size}}, keep_ratio=True),
    dict(type='LoadUMDAnnotations'),
    dict(type='PackAffordanceInputs'),
]
val_dataloader = dict(dataset=dict(
    _delete_=True, type='UMDDataset', data_root=umd_root, split='category', subset='test',
    mode='semantic', frame_stride=3, pipeline=umd_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
default_hooks = dict(checkpoint=dict(save_best='mIoU'))
