# Pascal Context-459 validation (prepared as for OVSeg: data/VOCdevkit/VOC2010/annotations_detectron2/
# pc459_val/*.tif, 16-bit ids 0..458 = LabelMap - 1; the 5105 val ids listed in pascalcontext_val.txt),
# short side 512.
_class_file = '{{ fileDirname }}/../../class_lists/pc459.txt'
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
    dataset=dict(type='BaseSegDataset', data_root='data/VOCdevkit/VOC2010',
                 metainfo=dict(classes=class_names), img_suffix='.jpg', seg_map_suffix='.tif',
                 data_prefix=dict(img_path='JPEGImages', seg_map_path='annotations_detectron2/pc459_val'),
                 ann_file='pascalcontext_val.txt', pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'], ignore_index=65535)
test_evaluator = val_evaluator
