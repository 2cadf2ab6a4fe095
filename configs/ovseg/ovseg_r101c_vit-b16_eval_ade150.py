# Zero-shot ADE20K-150 with OVSeg (R-101c + mask-adapted CLIP ViT-B/16); paper: 24.8 mIoU.
#   tools/test.py THIS_CONFIG <proposal weights from ovseg_r101c_vit-b16_proposal_8xb4-120k_coco-stuff171-512x512.py>
# plus the mask-adapted CLIP (fine-tuned + mask prompts of depth 3, from ovseg_maskclip_vit-b16_ft-mpt_4xb32-5ep_coco-pairs.py)
# at checkpoints/ovseg/maskclip_vit-b16_ft-mpt.pth.
_base_ = ['../_base_/default_runtime.py', './_base_/models/ovseg_r101c_vit-b16.py',
          './_base_/datasets/ade150.py']

model = dict(test_class_names='{{ fileDirname }}/class_lists/ade150.txt',
             # lambda = 0.7: CLIP_ENSEMBLE_WEIGHT in ov-seg's ovseg_R101c_vitB_bs32_120k.yaml, used unchanged
             # by GETTING_STARTED.md's only R-101c command (ADE-150).
             clip_weight=0.7,
             clip_classifier=dict(mask_prompt_depth=3,
                                  adapted_checkpoint='checkpoints/ovseg/maskclip_vit-b16_ft-mpt.pth'))
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
