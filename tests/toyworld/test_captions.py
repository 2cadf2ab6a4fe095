"""Caption wording and the context-length budget."""
import numpy as np
import open_clip

from clipdense.toyworld.captions import (MAX_TOKENS, article, count_tokens, join_phrases,
                                         object_captions, surface_captions)
from clipdense.toyworld.io import read_coco_captions


def test_token_count_matches_the_clip_tokenizer(toy_root):
    from open_clip.zero_shot_metadata import OPENAI_IMAGENET_TEMPLATES
    tok = open_clip.SimpleTokenizer(context_length=77)
    texts = ['a photo of an orange triangle, a yellow triangle and a red cross', 'a cyan thing']
    for name in ('clip_pretrain/captions.json', 'objects/annotations/captions_val.json'):
        texts += [c for caps in read_coco_captions(f'{toy_root}/{name}').values() for c in caps]
    texts += [t('a cyan square') for t in OPENAI_IMAGENET_TEMPLATES]
    for t in set(texts):
        assert count_tokens(t) == len(tok.encode(t)), t


def test_phrases():
    assert article('orange ring') == 'an orange ring' and article('red ring') == 'a red ring'
    assert join_phrases(['x']) == 'x' and join_phrases(['x', 'y', 'z']) == 'x, y and z'


def test_object_captions_fit_the_context_and_name_every_object():
    rng = np.random.default_rng(0)
    objs = [dict(colour='orange', shape='triangle'), dict(colour='purple', shape='star'),
            dict(colour='green', shape='cross')]
    for _ in range(20):
        caps = object_captions(rng, objs, 120.0)
        assert len(caps) == 6 and all(count_tokens(c) <= MAX_TOKENS for c in caps)
        assert caps[-1].endswith('on a gray background')
        assert all(f"{o['colour']} {o['shape']}" in caps[0] for o in objs)
        assert all(o['colour'] in caps[2] for o in objs)


def test_surface_captions_name_the_defect():
    assert all('scratch' in c or 'damaged' in c or 'defect' in c for c in surface_captions('wood', 'scratch'))
    assert not any('defect' in c and 'without' not in c for c in surface_captions('wood', 'good'))
