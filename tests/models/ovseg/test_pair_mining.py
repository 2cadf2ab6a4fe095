"""Pair mining: nouns from captions (vocabulary matching) and COCO Captions reading."""
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
