# ReCo zero-shot transfer on KITTI-STEP (paper: 70.6 pixel accuracy, 29.8 mIoU, with CRF).
#   python tools/reco_build_index.py configs/reco/reco_kitti_step.py --out work_dirs/reco_kitti_step/references.pth
#   python tools/test.py configs/reco/reco_kitti_step.py work_dirs/reco_kitti_step/references.pth
_base_ = ['./_base_/reco_recipe.py', './_base_/kitti_step.py']

model = dict(
    class_names=('road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light',
                 'traffic sign', 'vegetation', 'terrain', 'sky', 'person', 'rider', 'car', 'truck',
                 'bus', 'train', 'motorcycle', 'bicycle'),
    co_segmentation=dict(context_aliases=dict(vegetation='tree')))
train_dataloader = None  # ReCo is training-free; reco_plus_deeplabv3plus_r101_kitti_step.py trains the student
