"""Captions that describe exactly what a toy image shows (every object, by colour and shape).

Each image gets several captions (like COCO's five): the full description, colour-only and
shape-only ones, and variants with a prefix and with the background. All stay within the tiny CLIP's
16-token context (14 words plus start/end tokens; checked with :func:`count_tokens`).
"""
import re
from typing import Dict, List, Sequence

import numpy as np

MAX_TOKENS = 14  # context length 16 minus start and end tokens
# Words of the toy captions and of CLIP's ImageNet templates that CLIP's BPE splits in two;
# every other word and punctuation mark is one token (checked against the real tokenizer in
# tests/toyworld/test_captions.py). Counting this way needs no BPE vocabulary at generation.
_TWO_TOKEN_WORDS = {'cyan', 'itap', 'plushie', 'pixelated', 'corrupted', 'jpeg'}


def count_tokens(text: str) -> int:
    """Number of CLIP BPE tokens of a toy caption (without the start and end tokens)."""
    parts = re.findall(r"[a-z]+|[^\sa-z]", text.lower())
    return len(parts) + sum(p in _TWO_TOKEN_WORDS for p in parts)


def article(phrase: str) -> str:
    """``'a red circle'`` / ``'an orange ring'``."""
    return ('an ' if phrase[0] in 'aeiou' else 'a ') + phrase


def join_phrases(phrases: Sequence[str]) -> str:
    """``'x'``, ``'x and y'``, ``'x, y and z'``."""
    if len(phrases) == 1:
        return phrases[0]
    return ', '.join(phrases[:-1]) + ' and ' + phrases[-1]


def background_word(gray_level: float) -> str:
    """Name of a neutral background by its brightness (0..255)."""
    return 'dark' if gray_level < 100 else ('light' if gray_level > 160 else 'gray')


def object_captions(rng: np.random.Generator, objects: List[Dict], gray_level: float) -> List[str]:
    """Five or six captions for an object scene (``objects`` hold ``colour`` and ``shape``):
    full, colour-only (two wordings), shape-only, with a prefix, and with the background."""
    order = rng.permutation(len(objects))
    objs = [objects[i] for i in order]
    full = join_phrases([article(f"{o['colour']} {o['shape']}") for o in objs])
    colours = join_phrases([f"a {o['colour']} thing" if o['colour'][0] not in 'aeiou'
                            else f"an {o['colour']} thing" for o in objs])
    bare = join_phrases([o['colour'] for o in objs])
    shapes = join_phrases([article(o['shape']) for o in objs])
    captions = [full, colours, f'something {bare}' if len(objs) == 1 else bare, shapes]
    prefixed = f'a photo of {full}'
    captions.append(prefixed if count_tokens(prefixed) <= MAX_TOKENS else f'{full}.')
    background = f'a {background_word(gray_level)} background'
    for text in (f'{full} on {background}', f'{bare} on {background}'):
        if count_tokens(text) <= MAX_TOKENS:
            captions.append(text)
            break
    return captions


STREET_WORDS = {'vegetation': 'trees', 'person': 'a person', 'car': 'a car', 'pole': 'a pole',
                'building': 'a building', 'road': 'a road', 'sidewalk': 'a sidewalk', 'sky': 'the sky'}


def street_captions(rng: np.random.Generator, present: Sequence[str]) -> List[str]:
    """Captions of a street crop naming the things it shows (``present``: class names)."""
    words = dict(STREET_WORDS, building='buildings')  # whole scenes show several
    things = [words[c] for c in present if c in words]
    rng.shuffle(things)
    things = things[:4]
    caps = [f'a street with {join_phrases(things)}' if things else 'a street',
            'a photo of a street', join_phrases(things) if things else 'a street scene']
    return [c for c in caps if count_tokens(c) <= MAX_TOKENS] or ['a street']


def street_thing_captions(rng: np.random.Generator, focus: str, shown: Sequence[str]) -> List[str]:
    """Captions of a street crop centred on ``focus`` (a class name); ``shown``: the classes the
    crop shows."""
    thing = STREET_WORDS[focus]
    others = [STREET_WORDS[c] for c in shown if c != focus]
    rng.shuffle(others)
    caps = [thing, f'a photo of {thing}', f'{thing} in a street', f'a street photo with {thing}']
    if others:
        caps.append(f'{thing} and {join_phrases(others[:2])}')
    return [c for c in caps if count_tokens(c) <= MAX_TOKENS] or [thing]


def surface_captions(surface: str, defect: str) -> List[str]:
    """Captions of a (possibly damaged) surface patch; ``defect`` is ``'good'`` or a defect name."""
    if defect == 'good':
        return [f'a flawless {surface} surface', f'a photo of a perfect {surface}',
                f'a clean {surface} without defect', f'a normal {surface}']
    adjective = {'scratch': 'scratched', 'hole': 'broken', 'stain': 'stained'}[defect]
    return [f'a {surface} surface with a {defect}', f'a photo of a damaged {surface}',
            f'a {adjective} {surface} with a defect', f'a {defect} on {surface}']


def tool_captions(tool: str, colour: str) -> List[str]:
    """Captions of a tool image (``colour``: its handle or body colour)."""
    use = {'knife': 'to cut with', 'hammer': 'to hit with', 'spoon': 'to scoop with',
           'cup': 'to drink from'}[tool]
    return [article(f'{colour} {tool}'), f'a photo of a {tool}', f'a {tool} {use}',
            f'something {use}']
