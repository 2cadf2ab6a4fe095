# Pascal VOC 2012 validation with the 20 object classes (background ignored: reduce_zero_label),
# mmseg layout data/VOCdevkit/VOC2012, short side 512.
_class_file = '{{ fileDirname }}/../../class_lists/voc20.txt'
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
    dataset=dict(type='BaseSegDataset', data_root='data/VOCdevkit/VOC2012',
                 metainfo=dict(classes=class_names), img_suffix='.jpg', seg_map_suffix='.png',
                 reduce_zero_label=True,
                 data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClass'),
                 ann_file='ImageSets/Segmentation/val.txt', pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
