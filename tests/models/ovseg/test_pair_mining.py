"""Pair mining: nouns from captions (vocabulary matching) and COCO Captions reading."""
import json

import pytest

from clipdense.models.ovseg import pair_mining

from .captions_world import write_captions_world


def test_noun_matcher_longest_match_plurals_and_order():
    m = pair_mining.NounMatcher(['dog', 'hot dog', 'traffic light', 'bus', 'puppy', 'café'])
    assert m('Two hot dogs near a Traffic Lights; a dog, buses and puppies.') == \
        ['hot dog', 'traffic light', 'dog', 'bus', 'puppy']
    assert m('un café au lait') == ['café'] and m('nothing here') == []


def test_read_captions_keeps_the_first_n_per_image(tmp_path):
    path = write_captions_world(str(tmp_path), n=2)
    images, caps = pair_mining.read_captions(path, num_captions=1)
    assert sorted(images) == [100, 101] and all(len(c) == 1 and 'shape' in c[0] for c in caps.values())


def test_read_captions_rejects_incomplete_coco_records(tmp_path):
    path = tmp_path / 'caps.json'
    image = dict(id=1, file_name='a.jpg', height=8, width=8)
    for images, anns in (([image], [dict(id=1, image_id=1)]),                 # no caption
                         ([dict(id=1, file_name='a.jpg')], [dict(id=1, image_id=1, caption='a')])):
        path.write_text(json.dumps(dict(images=images, annotations=anns)))
        with pytest.raises(ValueError, match='is not a COCO Captions file: every annotation needs'):
            pair_mining.read_captions(str(path), num_captions=1)
