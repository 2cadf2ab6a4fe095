# ReCo+ on COCO-Stuff-27 (paper: 54.1 pixel accuracy, 32.6 mIoU): a DeepLabv3+ student trained on
# ReCo's pseudo-labels of the COCO-Stuff-10k train images, evaluated on the curated val2017 list.
#   python tools/reco_pseudo_labels.py configs/reco/reco_coco_stuff27.py work_dirs/reco_coco_stuff27/references.pth
#   python tools/train.py configs/reco/reco_plus_deeplabv3plus_r101_coco_stuff27.py
_base_ = ['./_base_/reco_plus_deeplabv3plus_r101.py', './_base_/coco_stuff27.py']

model = dict(decode_head=dict(num_classes=27))
