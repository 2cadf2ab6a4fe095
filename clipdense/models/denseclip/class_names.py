"""Class names for DenseCLIP's text prompts: given explicitly or read from a dataset's metainfo."""
from typing import List, Sequence, Union

from mmengine.registry import Registry

from clipdense.clip import validate_class_names


def resolve_class_names(class_names: Union[str, Sequence[str]], datasets: Registry) -> List[str]:
    """Return the class list.

    Args:
        class_names: a list/tuple of names, a comma-separated string, or the type name of a
            dataset registered in ``datasets`` (e.g. ``'ADE20KDataset'``, ``'CocoDataset'``),
            whose ``METAINFO['classes']`` is used.
        datasets: the ``DATASETS`` registry of the calling package (mmseg's or mmdet's).
    """
    if class_names is None:
        raise ValueError('DenseCLIP needs class_names: give the list of class names or the '
                         "dataset type whose METAINFO holds them (e.g. class_names='ADE20KDataset')")
    if isinstance(class_names, str) and ',' not in class_names:
        dataset_cls = datasets.get(class_names)
        if dataset_cls is not None:
            classes = getattr(dataset_cls, 'METAINFO', {}).get('classes')
            if not classes:
                raise ValueError(f'{class_names}.METAINFO has no classes; pass class_names as a list')
            return validate_class_names(classes, source=f'{class_names}.METAINFO')
    return validate_class_names(class_names, source='class_names')
