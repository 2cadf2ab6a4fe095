# ReCo for concepts that no segmentation dataset labels (the paper's rare-concept setting): name them,
# retrieve their archives from a large unlabelled pool and segment any images with them.
# The paper shows this setting qualitatively. Replace `concepts` with yours; the background concepts
# give every other pixel somewhere to go.
#   python tools/reco_build_index.py --images data/rare_pool --out data/reco/rare_pool_ViT-L-14.pth
#   python tools/reco_pseudo_labels.py configs/reco/reco_rare_concepts.py --out work_dirs/reco_rare/masks
_base_ = ['./_base_/reco_recipe.py']

concepts = ('red panda', 'Eiffel Tower', 'sea turtle')            # examples: any text works
background = ('tree', 'sky', 'building', 'road', 'person', 'grass', 'water', 'wall')
model = dict(
    class_names=concepts + background,
    # a web-scale pool makes rare concepts retrievable: any folder or list of images (e.g. a LAION subset)
    index=dict(file='data/reco/rare_pool_ViT-L-14.pth', images='data/rare_pool'))

# The images to segment (no labels): every image under data/rare_images/.
pseudo_label_dir = 'reco_masks'
pseudo_label_dataloader = dict(
    batch_size=1, num_workers=2, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='BaseSegDataset', data_root='data/rare_images', img_suffix='.jpg',
                 metainfo=dict(classes=concepts + background), data_prefix=dict(img_path=''),
                 pipeline=[dict(type='LoadImageFromFile'),
                           dict(type='ResizeShortestEdge', scale=320, max_size=100000),
                           dict(type='PackSegInputs')]))
