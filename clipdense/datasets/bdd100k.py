"""BDD100K semantic segmentation (Yu et al., CVPR 2020), 10K split, 19 Cityscapes train ids.

Layout of the current release (``10k_images_{train,val}.zip`` +
``bdd100k_sem_seg_labels_trainval.zip``), ``data_root`` = the ``bdd100k`` folder::

    <data_root>/images/10k/{train,val}/<name>.jpg                 1280x720
    <data_root>/labels/sem_seg/masks/{train,val}/<name>.png       train ids 0..18, 255 = void

The older ``seg/`` release reads with ``data_prefix=dict(img_path='seg/images/val',
seg_map_path='seg/labels/val'), seg_map_suffix='_train_id.png'``.
"""
from typing import List

from mmseg.datasets import BaseSegDataset, CityscapesDataset
from mmseg.registry import DATASETS

from .folder_checks import require_data_folders


@DATASETS.register_module()
class BDD100KSemSegDataset(BaseSegDataset):
    """BDD100K-10K semantic segmentation; labels are already Cityscapes train ids (mmseg's own
    ``BDD100KDataset`` reads the same files without the split defaults and layout checks).

    Args:
        split: ``'train'`` or ``'val'``; sets the default ``data_prefix``.
        data_prefix: overrides the folders (see the module docstring for the old layout).
    """
    METAINFO = CityscapesDataset.METAINFO

    def __init__(self, split: str = 'val', data_prefix: dict = None, img_suffix: str = '.jpg',
                 seg_map_suffix: str = '.png', **kwargs):
        if split not in ('train', 'val'):
            raise ValueError(f"BDD100K split must be 'train' or 'val', got {split!r}")
        if data_prefix is None:
            data_prefix = dict(img_path=f'images/10k/{split}',
                               seg_map_path=f'labels/sem_seg/masks/{split}')
        super().__init__(data_prefix=data_prefix, img_suffix=img_suffix,
                         seg_map_suffix=seg_map_suffix, **kwargs)

    def load_data_list(self) -> List[dict]:
        require_data_folders(
            'BDD100K', self.data_prefix, 'download 10k_images_*.zip and bdd100k_sem_seg_labels_'
            'trainval.zip from https://bdd-data.berkeley.edu and extract them into data_root (or '
            'set data_root / data_prefix)')
        return super().load_data_list()
