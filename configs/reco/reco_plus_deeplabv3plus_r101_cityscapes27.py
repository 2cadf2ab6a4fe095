# ReCo+ on Cityscapes-27 (paper: 83.7 pixel accuracy, 24.2 mIoU): a DeepLabv3+ student trained on
# ReCo's pseudo-labels of the train split, then evaluated like ReCo.
#   python tools/reco_pseudo_labels.py configs/reco/reco_cityscapes27.py work_dirs/reco_cityscapes27/references.pth
#   python tools/train.py configs/reco/reco_plus_deeplabv3plus_r101_cityscapes27.py
_base_ = ['./_base_/reco_plus_deeplabv3plus_r101.py', './_base_/cityscapes27.py']

model = dict(decode_head=dict(num_classes=27))
