# ReCo zero-shot transfer on Cityscapes-27 (paper: 74.6 pixel accuracy, 19.3 mIoU, with CRF).
#   python tools/reco_build_index.py configs/reco/reco_cityscapes27.py --out work_dirs/reco_cityscapes27/references.pth
#   python tools/test.py configs/reco/reco_cityscapes27.py work_dirs/reco_cityscapes27/references.pth
_base_ = ['./_base_/reco_recipe.py', './_base_/cityscapes27.py']

model = dict(
    # Concept names ReCo retrieves and segments, one per dataset class (the released code says
    # 'parking lot' for 'parking').
    class_names=('road', 'sidewalk', 'parking lot', 'rail track', 'building', 'wall', 'fence',
                 'guard rail', 'bridge', 'tunnel', 'pole', 'polegroup', 'traffic light', 'traffic sign',
                 'vegetation', 'terrain', 'sky', 'person', 'rider', 'car', 'truck', 'bus', 'caravan',
                 'trailer', 'train', 'motorcycle', 'bicycle'),
    co_segmentation=dict(context_aliases=dict(vegetation='tree')))
train_dataloader = None  # ReCo is training-free; reco_plus_deeplabv3plus_r101_cityscapes27.py trains the student
