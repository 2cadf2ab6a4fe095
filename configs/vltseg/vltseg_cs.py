# VLTSeg, in-domain Cityscapes (and the training of the Cityscapes -> ACDC model):
#   bash tools/dist_train.sh configs/vltseg/vltseg_cs.py 2
#   python tools/test.py configs/vltseg/vltseg_cs.py CKPT [--tta]     # --tta: test-server protocol
# Model + optimizer: ./_base_/vltseg_eva02-l14_mask2former.py; data and schedule here.
_base_ = ['../_base_/default_runtime.py', './_base_/vltseg_eva02-l14_mask2former.py']

crop_size = (1024, 1024)
model = dict(data_preprocessor=dict(size=crop_size),
             test_cfg=dict(mode='slide', crop_size=crop_size, stride=(768, 768)))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='Resize', scale=(2048, 1024), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 1024), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='TestTimeAug', transforms=[
        [dict(type='Resize', scale_factor=r, keep_ratio=True) for r in (1.0, 1.25, 1.5, 1.75, 2.0, 2.25)],
        [dict(type='RandomFlip', prob=0.0, direction='horizontal'),
         dict(type='RandomFlip', prob=1.0, direction='horizontal')],
        [dict(type='LoadAnnotations')], [dict(type='PackSegInputs')]]),
]
cityscapes_train = dict(type='CityscapesDataset', data_root='data/cityscapes',
                        data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
                        pipeline=train_pipeline)
cityscapes_val = dict(type='CityscapesDataset', data_root='data/cityscapes',
                      data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
                      pipeline=test_pipeline)

train_dataloader = dict(batch_size=4, num_workers=4, persistent_workers=True,
                        sampler=dict(type='InfiniteSampler', shuffle=True), dataset=cityscapes_train)
val_dataloader = dict(batch_size=1, num_workers=4, persistent_workers=True,
                      sampler=dict(type='DefaultSampler', shuffle=False), dataset=cityscapes_val)
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

# ---- schedule: 20k iterations at batch 8 (2 GPUs x 4), 500 iterations linear warm-up, poly 0.9
max_iters = 20000
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=500),
    dict(type='PolyLR', eta_min=0.0, power=0.9, by_epoch=False, begin=500, end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=2000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(checkpoint=dict(interval=2000))
auto_scale_lr = dict(enable=False, base_batch_size=8)
