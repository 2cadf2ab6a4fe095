# ADE20K-150 validation (mmseg layout: data/ade/ADEChallengeData2016), short side 512.
_class_file = '{{ fileDirname }}/../../class_lists/ade150.txt'
class_names = tuple(n.strip() for n in open(_class_file, encoding='utf-8').read().splitlines()
                    if n.strip() and not n.startswith('#'))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 512), keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs'),
]
val_dataloader = dict(
    batch_size=1, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ADE20KDataset', data_root='data/ade/ADEChallengeData2016',
                 data_prefix=dict(img_path='images/validation', seg_map_path='annotations/validation'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
