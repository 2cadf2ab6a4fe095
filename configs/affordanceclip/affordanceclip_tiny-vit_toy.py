# AffordanceCLIP in the toy world: the toy tiny CLIP (clipdense/assets/toy_clip_tiny-ViT.pt,
# frozen) + the same FPN/projector design, trained on toy referring expressions for objects only
# (write them with tools/benchmarks/bench_affordanceclip.py --toy, or
# clipdense.models.affordanceclip.toy_referring.write_toy_refcoco), evaluated zero-shot with
# action prompts on the toy UMD tools (KLD / SIM / NSS against the part masks).
_base_ = ['./affordanceclip_rn101_refcocog-416_agd20k-seen.py']

toy_root = 'data/toyworld'
refcoco_root = 'data/toyworld/affordanceclip_refcoco'
input_size = (64, 64)
# UMD affordance id -> the toy world's action phrase (clipdense.toyworld.vocabulary.ACTION_PHRASES)
action_prompts = {1: 'hold', 2: 'cut', 3: 'scoop', 4: 'pour into', 5: 'hit', 7: 'hold'}

model = dict(
    data_preprocessor=dict(size=input_size, test_cfg=dict(size=input_size)),
    clip=dict(arch='tiny-ViT', checkpoint='clipdense/assets/toy_clip_tiny-ViT.pt',
              vit_levels=(1, 2)),
    neck=dict(channels=(32, 64, 128)),
    projector=dict(channels=32))

train_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(data_root=refcoco_root, data_prefix=dict(img_path='train2014/'),
                 pipeline=[dict(type='LoadImageFromFile'),
                           dict(type='SampleReferringExpression', mode='random'),
                           dict(type='Resize', scale=input_size, keep_ratio=True),
                           dict(type='RandomFlip', prob=0.5),
                           dict(type='PackAffordanceInputs')]))
val_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(_delete_=True, type='UMDDataset', data_root=f'{toy_root}/umd', split=None,
                 mode='affordance', action_prompts=action_prompts,
                 pipeline=[dict(type='LoadImageFromFile'),
                           dict(type='Resize', scale=input_size, keep_ratio=True),
                           dict(type='LoadUMDAnnotations'),
                           dict(type='PackAffordanceInputs')]))
test_dataloader = val_dataloader

optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [dict(type='MultiStepLR', milestones=[700], gamma=0.1,
                        by_epoch=False, begin=0, end=1000)]
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=1000, val_interval=1000)
log_processor = dict(by_epoch=False)
default_hooks = dict(logger=dict(interval=50),
                     checkpoint=dict(by_epoch=False, interval=1000, max_keep_ckpts=1))
