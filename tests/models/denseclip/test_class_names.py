"""Class names come from the config or from a registered dataset's METAINFO."""
import pytest
from mmdet.registry import DATASETS as DET_DATASETS
from mmseg.registry import DATASETS as SEG_DATASETS

from clipdense.models.denseclip.class_names import resolve_class_names


def test_explicit_lists_and_comma_strings():
    assert resolve_class_names(['cat', ' dog '], SEG_DATASETS) == ['cat', 'dog']
    assert resolve_class_names('cat, dog', SEG_DATASETS) == ['cat', 'dog']
    assert resolve_class_names('cat', SEG_DATASETS) == ['cat']


def test_dataset_metainfo():
    ade = resolve_class_names('ADE20KDataset', SEG_DATASETS)
    assert len(ade) == 150 and ade[:3] == ['wall', 'building', 'sky']
    coco = resolve_class_names('CocoDataset', DET_DATASETS)
    assert len(coco) == 80 and coco[0] == 'person'


def test_bad_input_is_a_one_line_error():
    with pytest.raises(ValueError, match='class_names'):
        resolve_class_names(None, SEG_DATASETS)
    with pytest.raises(ValueError, match='repeats'):
        resolve_class_names(['a', 'a'], SEG_DATASETS)
