# VLTSeg, real-to-real domain generalization: train on Cityscapes (exactly ./vltseg_cs.py),
# test on ACDC: each condition and all conditions pooled (the benchmark number) in one run.
#   python tools/test.py configs/vltseg/vltseg_cs2acdc.py CKPT
# ACDC test server: split='test' (images only) in the datasets below and test_evaluator=dict(
# type='IoUMetric', format_only=True, output_dir=...) to write the prediction PNGs.
_base_ = ['./vltseg_cs.py']

acdc_pipeline = [  # ACDC frames are 1920x1080 and are evaluated at full resolution
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
acdc_conditions = ['fog', 'night', 'rain', 'snow']
test_dataloader = dict(
    _delete_=True, batch_size=1, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ConcatDataset', datasets=[
        dict(type='ACDCDataset', data_root='data/acdc', split='val', conditions=[c],
             pipeline=acdc_pipeline) for c in acdc_conditions]))
test_cfg = dict(type='MultiDomainTestLoop', domain_names=acdc_conditions, pooled_name='acdc')
