# ADE20K-847 validation (ADE20K-full 2021_17_01 prepared as for OVSeg: 16-bit .tif label maps,
# ids 0..846, 65535 = unlabelled, under data/ADE20K_2021_17_01), short side 512.
# Class names: configs/ovseg/class_lists/ade847.txt (see the note in that file).
_class_file = '{{ fileDirname }}/../../class_lists/ade847.txt'
class_names = tuple(n.strip() for n in open(_class_file, encoding='utf-8').read().splitlines()
                    if n.strip() and not n.startswith('#'))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 512), keep_ratio=True),
    dict(type='LoadWideSegAnnotations', ignore_index=65535),
    dict(type='PackSegInputs'),
]
val_dataloader = dict(
    batch_size=1, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='BaseSegDataset', data_root='data/ADE20K_2021_17_01',
                 metainfo=dict(classes=class_names), img_suffix='.jpg', seg_map_suffix='.tif',
                 data_prefix=dict(img_path='images_detectron2/validation',
                                  seg_map_path='annotations_detectron2/validation'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'], ignore_index=65535)
test_evaluator = val_evaluator
