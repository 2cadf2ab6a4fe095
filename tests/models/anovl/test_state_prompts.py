"""The unified domain-aware contrastive state prompt set and its cached embeddings."""
import pytest
import torch
import torch.nn.functional as F

from clipdense.clip import TextTower, build_clip
from clipdense.models.anovl.state_prompts import (ABNORMAL_STATES, NORMAL_STATES, StatePromptEncoder,
                                                  domain_templates, infer_domain, state_prompts,
                                                  validate_object_name)

PAIRS = dict(zip(NORMAL_STATES, ABNORMAL_STATES))


def test_state_words_are_contrastive_pairs():
    assert len(NORMAL_STATES) == len(ABNORMAL_STATES) == 7
    assert PAIRS['perfect {}'] == 'imperfect {}' and PAIRS['{} without defect'] == '{} with defect'
    assert PAIRS['flawless {}'] == 'damaged {}' and PAIRS['normal {}'] == 'abnormal {}'


def test_domain_templates():
    obj, tex = domain_templates('object'), domain_templates('texture')
    assert len(obj) == len(tex) == len(set(obj)) == 66
    assert 'a jpeg corrupted manufacturing image of the {}' in obj
    assert 'an industrial photo of a {} for anomaly detection' in obj
    assert 'a textural photo of the small {}' in tex and 'a surface picture of a large {}' in tex
    assert not any('manufacturing' in t for t in tex) and not any('surface' in t for t in obj)
    with pytest.raises(ValueError, match='unknown prompt domain'):
        domain_templates('medical')


def test_prompt_set_pairs_normal_and_abnormal_prompts():
    normal, abnormal = state_prompts('metal nut')
    assert len(normal) == len(abnormal) == 7 * 66
    assert all('metal nut' in p for p in normal + abnormal)
    assert 'a close-up industrial image of a flawless metal nut' in normal
    assert 'an industrial photo of the metal nut with damage for visual inspection' in abnormal
    # prompt i of both lists: same template, paired state
    for i in range(0, len(normal), 37):
        state_n = NORMAL_STATES[i % 7].format('metal nut')
        state_a = ABNORMAL_STATES[i % 7].format('metal nut')
        assert normal[i].replace(state_n, state_a) == abnormal[i]
    wood_n, _ = state_prompts('wood')
    assert infer_domain('wood') == 'texture' and any('textural photo' in p for p in wood_n)


@pytest.mark.parametrize('bad', ['', '   ', '%%%', None, 'nut;rm -rf'])
def test_unknown_object_names_rejected(bad):
    with pytest.raises(ValueError, match='unknown object name'):
        validate_object_name(bad)


def test_embeddings_and_cache():
    text = TextTower(build_clip('tiny-ViT'))
    calls = []
    original = text.forward
    text.forward = lambda tokens: calls.append(len(tokens)) or original(tokens)
    enc = StatePromptEncoder(text, batch_size=300)
    emb = enc.embed('bottle')
    assert emb.class_embeds.shape == (2, 64) and emb.prompt_embeds.shape == (2, 462, 64)
    assert sum(calls) == 924 and max(calls) <= 300
    torch.testing.assert_close(emb.class_embeds.norm(dim=-1), torch.ones(2))
    with torch.no_grad():
        normal, abnormal = state_prompts('bottle')
        raw = text(text.tokenize(abnormal))
    torch.testing.assert_close(emb.class_embeds[1], F.normalize(raw.mean(0), dim=0), rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(emb.prompt_embeds[1], F.normalize(raw, dim=-1), rtol=1e-4, atol=1e-5)
    n = len(calls)
    assert enc.embed(' bottle ') is emb and len(calls) == n  # cached, no text-tower call
    assert enc.embed('bottle', 'texture') is not emb
