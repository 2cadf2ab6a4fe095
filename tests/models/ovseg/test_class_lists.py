"""Class vocabularies: list / comma string / file forms and the benchmark lists."""
import os.path as osp

import pytest
from mmseg.datasets import ADE20KDataset, COCOStuffDataset, PascalContextDataset59, PascalVOCDataset

from clipdense.models.ovseg import CLASS_LIST_DIR, load_class_names, read_class_file


def test_three_input_forms(tmp_path):
    f = tmp_path / 'c.txt'
    f.write_text('# my classes\nbuilding, edifice\n\n  dog \n猫\n', encoding='utf-8')
    assert load_class_names(str(f)) == ['building, edifice', 'dog', '猫']
    assert load_class_names('dog, traffic light ,猫') == ['dog', 'traffic light', '猫']
    assert load_class_names(('a', 'b')) == ['a', 'b']


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match='not found'):
        load_class_names(str(tmp_path / 'missing.txt'))
    with pytest.raises(ValueError, match='repeats'):
        load_class_names('a,b,a')
    with pytest.raises(ValueError, match='has 2 classes but 3 are needed'):
        load_class_names('a,b', expected=3)


def _lst(name):
    return read_class_file(osp.join(CLASS_LIST_DIR, name))


def test_benchmark_lists_match_the_datasets_label_order():
    assert _lst('ade150.txt') == [c.strip() for c in ADE20KDataset.METAINFO['classes']]
    assert _lst('pc59.txt') == list(PascalContextDataset59.METAINFO['classes'])
    assert _lst('voc20.txt') == list(PascalVOCDataset.METAINFO['classes'][1:])     # background ignored
    assert _lst('coco_stuff171.txt') == list(COCOStuffDataset.METAINFO['classes'])


def test_pc459_is_459_unique_names_in_label_order():
    names = _lst('pc459.txt')
    assert len(names) == 459 and len(set(names)) == 459 and names == sorted(names)
    assert names[:2] == ['accordion', 'aeroplane'] and names[-1] == 'wool'
    assert names[413] == 'toy car'                       # two words, as in the OVSeg/SAN list


def test_ade847_is_847_unique_names_in_train_id_order():
    names = load_class_names(osp.join(CLASS_LIST_DIR, 'ade847.txt'), expected=847)
    assert len(set(names)) == 847
    assert names[:3] == ['wall', 'building, edifice', 'sky']
    assert names[11] == 'person, individual, someone, somebody, mortal, soul'   # synonyms stay one class
    assert names[-1] == 'adding machine, totalizer, totaliser'
