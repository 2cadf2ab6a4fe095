# AnoVL (TFA + TTA) with CLIP ViT-B/16 on VisA (split_csv/1cls.csv) at 240x240.
# As in the official VisA script: a linear D -> D adapter and the image score of the image alone.
_base_ = ['./anovl_vit-b16_mvtec-240.py']

model = dict(localizer=dict(image_views='single'), tta=dict(kind='linear'))
test_dataloader = dict(
    dataset=dict(type='VisADataset', data_root='data/visa', split='test',
                 split_file='split_csv/1cls.csv'))
val_dataloader = test_dataloader
