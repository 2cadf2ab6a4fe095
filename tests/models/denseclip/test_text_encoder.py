"""DenseCLIP text encoder: prompt layout, exact maths, frozen tower, learnable contexts, caching."""
import pytest
import torch

from clipdense.clip import ContextPrompts
from clipdense.models.denseclip.text_encoder import DenseCLIPTextEncoder

NAMES = ['sky', 'traffic light', 'chest of drawers']


@pytest.fixture(scope='module')
def encoder():
    torch.manual_seed(0)
    return DenseCLIPTextEncoder('tiny-RN', NAMES, num_context=4)


def test_prompt_layout_is_sot_contexts_name_eot_and_cut_after_last_eot(encoder):
    tok = encoder.text.tokenizer
    sot, eot = tok.sot_token_id, tok.eot_token_id
    x = tok.encoder['x</w>']
    for k, name in enumerate(NAMES):
        name_ids = tok.encode(name)                    # no trailing period
        expected = [sot] + [x] * 4 + name_ids + [eot]
        row = encoder.tokens[k].tolist()
        assert row[:len(expected)] == expected and not any(row[len(expected):])
    assert encoder.tokens.shape[1] == int(encoder.tokens.argmax(-1).max()) + 1


def test_output_equals_full_length_text_transformer_with_contexts_spliced_in(encoder):
    out = encoder()
    assert out.shape == (3, encoder.embed_dim) == (3, 64)
    t = encoder.text
    full = t.tokenize([' '.join(['X'] * 4) + ' ' + n for n in NAMES])          # [K, 16]
    emb = t.token_embedding(full).clone()
    emb[:, 1:5] = encoder.context                                               # contexts after SOT
    explicit = t.encode_embeddings(emb, full.argmax(-1))                        # all 16 positions
    torch.testing.assert_close(out, explicit, rtol=1e-5, atol=1e-5)


def test_shared_prefix_path_equals_the_plain_batched_forward_with_gradients(encoder):
    assert encoder.shared_prefix
    encoder.train()
    shared = encoder()
    g_shared = torch.autograd.grad(shared.pow(2).sum(), encoder.context)[0]
    plain = ContextPrompts.forward(encoder)              # all K x L' tokens through the tower
    g_plain = torch.autograd.grad(plain.pow(2).sum(), encoder.context)[0]
    torch.testing.assert_close(shared, plain, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(g_shared, g_plain, rtol=1e-4, atol=1e-6)


def test_contexts_get_gradients_and_the_text_transformer_does_not(encoder):
    encoder.train()
    encoder.zero_grad(set_to_none=True)
    encoder().pow(2).sum().backward()
    assert encoder.context.grad is not None and encoder.context.grad.abs().sum() > 0
    tower = list(encoder.text.parameters())
    assert tower and all(not p.requires_grad and p.grad is None for p in tower)
    assert [n for n, p in encoder.named_parameters() if p.requires_grad] == ['context']


def test_context_init_is_truncated_standard_normal():
    enc = DenseCLIPTextEncoder('tiny-RN', ['a'], num_context=8)
    c = enc.context.detach()
    assert c.abs().max() <= 2.0 and 0.75 < c.std() < 1.0   # std of N(0,1) cut at +-2 is 0.88


def test_eval_cache_is_reused_until_a_parameter_changes(encoder, monkeypatch):
    calls = []
    original = DenseCLIPTextEncoder._encode
    monkeypatch.setattr(DenseCLIPTextEncoder, '_encode', lambda self: calls.append(1) or original(self))
    encoder.eval()
    with torch.no_grad():
        first = encoder()
        assert encoder() is first and len(calls) == 1
        encoder.context.add_(0.5)                      # what an optimiser step does
        second = encoder()
    assert len(calls) == 2 and not torch.allclose(first, second)
    out = encoder()                                    # grad enabled: no cache
    assert out.requires_grad and len(calls) == 3


def test_too_long_class_name_is_a_one_line_error():
    with pytest.raises(ValueError, match='too long'):
        DenseCLIPTextEncoder('tiny-RN', ['a very long class name that cannot fit in sixteen tokens'])
