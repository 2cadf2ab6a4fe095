# ReCo+ on KITTI-STEP (paper: 75.3 pixel accuracy, 31.9 mIoU): a DeepLabv3+ student trained on ReCo's
# pseudo-labels of the train split, then evaluated like ReCo.
#   python tools/reco_pseudo_labels.py configs/reco/reco_kitti_step.py work_dirs/reco_kitti_step/references.pth
#   python tools/train.py configs/reco/reco_plus_deeplabv3plus_r101_kitti_step.py
_base_ = ['./_base_/reco_plus_deeplabv3plus_r101.py', './_base_/kitti_step.py']

model = dict(decode_head=dict(num_classes=19))
