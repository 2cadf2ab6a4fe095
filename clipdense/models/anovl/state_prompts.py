"""AnoVL's unified domain-aware contrastive state prompts.

A prompt is ``template(state(object))``:

* **contrastive states**: each normal state has an abnormal counterpart —
  the adjective pairs normal/abnormal, flawless/damaged, perfect/imperfect,
  unblemished/blemished, and ``{} without X`` / ``{} with X`` for X in flaw, defect, damage
  (7 normal and 7 abnormal states);
* **domain-aware templates**: 11 photo descriptions (cropped, close-up, bright, dark, jpeg
  corrupted, blurry, plain, small, large, "for visual inspection", "for anomaly detection"),
  each with "a" and "the", for three domain phrases: industrial photo / industrial image /
  manufacturing image for objects and industrial photo / textural photo / surface picture for
  textures (66 templates);
* **unified**: the same state words and templates for every category; only the object name
  and its domain change.

Each state gets ``7 x 66 = 462`` prompts. Its class embedding is the L2-normalised mean of the raw
prompt embeddings (AnoVL's ensembling); the individually normalised prompt embeddings are kept
for the test-time adapter.
"""
import re
from collections import OrderedDict
from typing import List, NamedTuple, Optional, Tuple

import torch
import torch.nn.functional as F

STATE_PAIRS = (('normal', 'abnormal'), ('flawless', 'damaged'), ('perfect', 'imperfect'),
               ('unblemished', 'blemished'))
STATE_NOUNS = ('flaw', 'defect', 'damage')
NORMAL_STATES = tuple(f'{n} {{}}' for n, _ in STATE_PAIRS) + tuple(f'{{}} without {x}' for x in STATE_NOUNS)
ABNORMAL_STATES = tuple(f'{a} {{}}' for _, a in STATE_PAIRS) + tuple(f'{{}} with {x}' for x in STATE_NOUNS)

DOMAIN_PHRASES = {
    'object': ('industrial photo', 'industrial image', 'manufacturing image'),
    'texture': ('industrial photo', 'textural photo', 'surface picture'),
}
_VIEWS = ('cropped', 'close-up', 'bright', 'dark', 'jpeg corrupted', 'blurry')
TEXTURE_WORDS = ('carpet', 'grid', 'leather', 'tile', 'wood')
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 '\-]*$")


def _a(word: str) -> str:
    return f'an {word}' if word[0] in 'aeiou' else f'a {word}'


def domain_templates(domain: str) -> List[str]:
    """The 66 ``'{}'`` templates of a domain (``'object'`` or ``'texture'``)."""
    if domain not in DOMAIN_PHRASES:
        raise ValueError(f'unknown prompt domain {domain!r}; choose "object" or "texture"')
    out = []
    for phrase in DOMAIN_PHRASES[domain]:
        for art in ('a', 'the'):
            out += [f'a {view} {phrase} of {art} {{}}' for view in _VIEWS]
            out += [f'{_a(phrase)} of {art} {{}}', f'{_a(phrase)} of {art} small {{}}',
                    f'{_a(phrase)} of {art} large {{}}', f'{_a(phrase)} of {art} {{}} for visual inspection',
                    f'{_a(phrase)} of {art} {{}} for anomaly detection']
    return out


def validate_object_name(name) -> str:
    """Strip and check an object name; one-line error for names that are not plain words."""
    text = str(name).strip() if name is not None else ''
    if not _NAME_RE.match(text):
        raise ValueError(f'unknown object name {name!r}: give the inspected object in plain words, '
                         "e.g. 'metal nut', 'printed circuit board' or 'wood'")
    return text


def infer_domain(object_name: str) -> str:
    """``'texture'`` for the texture words of MVTec AD (carpet, grid, leather, tile, wood)."""
    return 'texture' if object_name.strip().lower() in TEXTURE_WORDS else 'object'


def state_prompts(object_name: str, domain: Optional[str] = None) -> Tuple[List[str], List[str]]:
    """``(normal, abnormal)`` prompt lists (462 each) for one object."""
    name = validate_object_name(object_name)
    temps = domain_templates(domain or infer_domain(name))
    build = lambda states: [t.format(s.format(name)) for t in temps for s in states]  # noqa: E731
    return build(NORMAL_STATES), build(ABNORMAL_STATES)


class StateEmbeddings(NamedTuple):
    """``class_embeds`` [2, D] (normal, abnormal; unit norm) and ``prompt_embeds`` [2, T, D]."""
    class_embeds: torch.Tensor
    prompt_embeds: torch.Tensor


class StatePromptEncoder:
    """Encode the state prompts of an object once and keep them (small LRU per object/domain).

    Args:
        text_tower: a :class:`clipdense.clip.TextTower`.
        batch_size: prompts per text-encoder call.
    """

    def __init__(self, text_tower, batch_size: int = 256, max_entries: int = 32):
        self.text = text_tower
        self.batch_size = batch_size
        self.max_entries = max_entries
        self._cache: 'OrderedDict[tuple, StateEmbeddings]' = OrderedDict()

    @torch.no_grad()
    def embed(self, object_name: str, domain: Optional[str] = None) -> StateEmbeddings:
        name = validate_object_name(object_name)
        domain = domain or infer_domain(name)
        device = self.text.token_embedding.weight.device
        key = (name, domain, str(device))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        normal, abnormal = state_prompts(name, domain)
        tokens = self.text.tokenize(normal + abnormal)
        if self.text.attn_mask is not None:  # causal: columns after the last EOT change nothing
            tokens = tokens[:, :int(tokens.argmax(-1).max()) + 1]
        raw = torch.cat([self.text(tokens[i:i + self.batch_size])
                         for i in range(0, tokens.shape[0], self.batch_size)]).float()
        raw = raw.view(2, len(normal), -1)
        out = StateEmbeddings(F.normalize(raw.mean(1), dim=-1), F.normalize(raw, dim=-1))
        self._cache[key] = out
        if len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return out
