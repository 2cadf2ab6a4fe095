# VLTSeg, synthetic-to-real domain generalization: train on GTA5 only, evaluate on Cityscapes
# (validation during training) and on Cityscapes + BDD100K + Mapillary in one test run.
#   python tools/train.py configs/vltseg_gta2cs.py                      # 1 GPU, batch 8
#   bash tools/dist_train.sh configs/vltseg_gta2cs.py 2                 # the paper's 2 x 8
#   python tools/test.py configs/vltseg_gta2cs.py work_dirs/vltseg_gta2cs/iter_5000.pth
# Model + optimizer: configs/vltseg/_base_/vltseg_eva02-l14_mask2former.py; data and schedule here.
_base_ = ['./_base_/default_runtime.py', './vltseg/_base_/vltseg_eva02-l14_mask2former.py']

crop_size = (512, 512)
model = dict(data_preprocessor=dict(size=crop_size),
             test_cfg=dict(mode='slide', crop_size=crop_size, stride=(426, 426)))

# ---- data: GTA5 (all 24,966 frames) -> Cityscapes val, BDD100K val, Mapillary Vistas val
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),  # GTA5Dataset maps label ids -> 19 train ids here
    dict(type='Resize', scale=(1280, 720), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [  # targets are evaluated at 1024x512 (fit), labels at full resolution
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(1024, 512), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='TestTimeAug', transforms=[
        [dict(type='Resize', scale_factor=r, keep_ratio=True) for r in (0.5, 0.75, 1.0, 1.25, 1.5, 1.75)],
        [dict(type='RandomFlip', prob=0.0, direction='horizontal'),
         dict(type='RandomFlip', prob=1.0, direction='horizontal')],
        [dict(type='LoadAnnotations')], [dict(type='PackSegInputs')]]),
]
gta5_train = dict(type='GTA5Dataset', data_root='data/gta', pipeline=train_pipeline)
cityscapes_val = dict(type='CityscapesDataset', data_root='data/cityscapes',
                      data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
                      pipeline=test_pipeline)
bdd100k_val = dict(type='BDD100KSemSegDataset', data_root='data/bdd100k', split='val', pipeline=test_pipeline)
mapillary_val = dict(type='MapillaryVistasCityscapesDataset', data_root='data/mapillary',
                     split='validation', pipeline=test_pipeline)

train_dataloader = dict(batch_size=8, num_workers=4, persistent_workers=True,
                        sampler=dict(type='InfiniteSampler', shuffle=True), dataset=gta5_train)
val_dataloader = dict(batch_size=1, num_workers=4, persistent_workers=True,
                      sampler=dict(type='DefaultSampler', shuffle=False), dataset=cityscapes_val)
test_dataloader = dict(batch_size=1, num_workers=4, persistent_workers=True,
                       sampler=dict(type='DefaultSampler', shuffle=False),
                       dataset=dict(type='ConcatDataset',
                                    datasets=[cityscapes_val, bdd100k_val, mapillary_val]))
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

# ---- schedule: 5k iterations at batch 16 (2 GPUs x 8), 500 iterations linear warm-up, poly 0.9
max_iters = 5000
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=500),
    dict(type='PolyLR', eta_min=0.0, power=0.9, by_epoch=False, begin=500, end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='MultiDomainTestLoop', domain_names=['cityscapes', 'bdd100k', 'mapillary'])
default_hooks = dict(checkpoint=dict(interval=500))
auto_scale_lr = dict(enable=False, base_batch_size=16)
