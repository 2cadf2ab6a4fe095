import pytest
import torch

from clipdense.clip import ClassEmbeddingCache, ContextPrompts, TextTower, build_clip, get_templates


@pytest.fixture(scope='module', params=['tiny-ViT', 'tiny-EVA02'])
def model(request):
    return build_clip(request.param)


def test_text_tower_equals_encode_text(model):
    tower = TextTower(model)
    tokens = tower.tokenize(['a red circle', 'a photo of a dog.'])
    with torch.no_grad():
        torch.testing.assert_close(tower(tokens), model.encode_text(tokens))


def test_prompt_ensemble_and_cache(model):
    tower = TextTower(model)
    cache = ClassEmbeddingCache(tower, templates=['a {}.', 'the {} here.'])
    calls = []
    tower.register_forward_hook(lambda *a: calls.append(1))
    emb = cache.embed(['cat', 'dog', 'red car'])
    n_calls = len(calls)
    assert emb.shape == (3, 64)
    torch.testing.assert_close(emb.norm(dim=-1), torch.ones(3))
    with torch.no_grad():
        for i, name in enumerate(['cat', 'dog', 'red car']):
            e = model.encode_text(tower.tokenize([f'a {name}.', f'the {name} here.']), normalize=True)
            e = e.mean(0)
            torch.testing.assert_close(emb[i], e / e.norm(), rtol=1e-5, atol=1e-5)
    assert cache.embed(['cat', 'dog', 'red car']) is emb and len(calls) == n_calls


def test_templates_and_bad_names():
    assert len(get_templates('imagenet80')) == 80
    assert get_templates(['a {} x'])[0]('cat') == 'a cat x'
    with pytest.raises(ValueError, match='must contain'):
        get_templates(['no slot'])
    cache = ClassEmbeddingCache(TextTower(build_clip('tiny-ViT')), templates='single')
    with pytest.raises(ValueError, match='empty'):
        cache.embed(['cat', ' '])
    with pytest.raises(ValueError, match='repeats'):
        cache.embed(['cat', 'cat'])


def test_context_prompts_reduce_to_fixed_prompt_and_train_only_context(model):
    tower = TextTower(model)
    names = ['cat', 'traffic light']
    prompts = ContextPrompts(tower, names, num_context=4)
    words = tower.tokenize(['a photo of a'])[0, 1:5]            # the 4 word tokens
    with torch.no_grad():
        prompts.context.copy_(tower.token_embedding(words))
        expected = model.encode_text(tower.tokenize([f'a photo of a {n}.' for n in names]))
    out = prompts()
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)
    out.sum().backward()
    assert prompts.context.grad is not None and prompts.context.grad.abs().sum() > 0
    assert all(p.grad is None for p in tower.parameters())


def test_context_prompts_reject_too_long_names():
    tower = TextTower(build_clip('tiny-ViT'))
    with pytest.raises(ValueError, match='too long'):
        ContextPrompts(tower, ['a very long class name ' * 3], num_context=8)
