"""CLIP pretraining corpus and image pool."""
import os
import os.path as osp

import numpy as np
from PIL import Image

from clipdense.toyworld.captions import MAX_TOKENS, count_tokens
from clipdense.toyworld.corpus import PRETRAIN_MIX, corpus_sample
from clipdense.toyworld.io import read_coco_captions
from clipdense.toyworld.vocabulary import COLOUR_NAMES, MVTEC_CATEGORIES


def test_corpus_files_and_captions(toy_root):
    caps = read_coco_captions(osp.join(toy_root, 'clip_pretrain', 'captions.json'))
    assert len(caps) == 64
    for name, texts in caps.items():
        assert Image.open(osp.join(toy_root, 'clip_pretrain', 'images', name)).size == (64, 64)
        assert 3 <= len(texts) <= 6 and all(count_tokens(t) <= MAX_TOKENS for t in texts)
        assert not any(c in t for t in texts for c in MVTEC_CATEGORIES)  # held out for zero-shot AD
    pool = sorted(os.listdir(osp.join(toy_root, 'pool')))
    assert pool[:2] == ['000000.jpg', '000001.jpg'] and len(pool) == 12


def test_mix_covers_every_kind_and_colour():
    rng = np.random.default_rng(0)
    texts = [corpus_sample(rng, PRETRAIN_MIX)[1][0] for _ in range(300)]
    assert any('street' in t for t in texts) and any('surface' in t for t in texts)
    assert any(t.startswith(('a knife', 'a hammer', 'a spoon', 'a cup', 'a black', 'a brown', 'a red',
                             'a blue', 'a green')) for t in texts)
    assert all(any(c in t for t in texts) for c in COLOUR_NAMES)


def test_street_thing_crops_show_and_name_their_class():
    from clipdense.toyworld.captions import STREET_WORDS, street_thing_captions
    from clipdense.toyworld.corpus import street_thing_crop
    from clipdense.toyworld.vocabulary import STREET_LABEL_IDS
    rng = np.random.default_rng(3)
    focuses = []
    for _ in range(40):
        img, label_ids, focus = street_thing_crop(rng)
        assert img.shape == (64, 64, 3) and img.dtype == np.uint8 and label_ids.shape == (64, 64)
        assert (label_ids == STREET_LABEL_IDS[focus]).any()  # the named class is in the crop
        caps = street_thing_captions(rng, focus, ['road', focus])
        assert caps[0] == STREET_WORDS[focus] and all(STREET_WORDS[focus] in c for c in caps)
        assert all(count_tokens(c) <= MAX_TOKENS for c in caps)
        focuses.append(focus)
    assert {'person', 'car', 'pole'} <= set(focuses)  # rare classes are drawn too
