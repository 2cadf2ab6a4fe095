"""Test-time adapter: its formula, its loss, and fitting lowering that loss."""
import pytest
import torch
import torch.nn.functional as F

from clipdense.models.anovl import tta as tta_module
from clipdense.models.anovl.tta import tta_loss

TTA, Adapter = tta_module.TestTimeAdaptation, tta_module.TestTimeAdapter  # names pytest does not collect


def toy_problem(seed=0, n=2, D=16):
    g = torch.Generator().manual_seed(seed)
    class_embeds = F.normalize(torch.randn(n, 2, D, generator=g), dim=-1)
    tokens = torch.randn(n, 3, 5, 5, D, generator=g) * 2 + class_embeds[:, :1, None, None] * 3
    prompts = F.normalize(torch.randn(2, 6, D, generator=g), dim=-1)
    return tokens, class_embeds, prompts


@pytest.mark.parametrize('kind', ['text', 'linear'])
def test_adapter_formula(kind):
    tokens, _, prompts = toy_problem()
    ad = Adapter(16, prompts, kind=kind, residual=0.5)
    u = F.normalize(tokens, dim=-1)
    lin = u @ ad.fc.weight.T + ad.fc.bias
    branch = torch.tanh(lin) @ prompts.reshape(12, 16) if kind == 'text' else lin
    torch.testing.assert_close(ad(tokens), 0.5 * tokens + 0.5 * branch)


def test_loss_formula():
    tokens, ce, prompts = toy_problem()
    ad = Adapter(16, prompts)
    noise = torch.randn_like(tokens) * 0.055
    p_clean = torch.softmax(torch.einsum('nlhwd,nkd->nlhwk', F.normalize(ad(tokens), dim=-1), ce), -1)
    p_noisy = torch.softmax(torch.einsum('nlhwd,nkd->nlhwk', F.normalize(ad(tokens + noise), dim=-1), ce), -1)
    entropy = -(p_clean * p_clean.log()).sum(-1).mean()
    hard = (-p_noisy[..., 1].log() - p_clean[..., 0].log()).mean()
    torch.testing.assert_close(tta_loss(ad, tokens, ce, noise), entropy + 0.5 * hard)


@pytest.mark.parametrize('kind', ['text', 'linear'])
@pytest.mark.parametrize('scale', [1.0, 10.0])
def test_fitting_lowers_its_own_loss(kind, scale):
    tokens, ce, prompts = toy_problem(1)
    noise = torch.randn_like(tokens) * 0.055
    tta = TTA(kind=kind, steps=40, lr=1e-2, seed=0)
    ad = tta.build_adapter(16, prompts)
    torch.manual_seed(3)
    TTA(kind=kind, steps=0).fit(ad, tokens, ce, scale)  # the initial adapter only
    with torch.no_grad():
        before = float(tta_loss(ad, tokens, ce, noise, scale))
    torch.manual_seed(3)  # same initial weights
    losses = tta.fit(ad, tokens, ce, scale)
    with torch.no_grad():
        after = float(tta_loss(ad, tokens, ce, noise, scale))
    assert after < before and losses[-1] < losses[0] and len(losses) == 40
    if scale > 1:  # with raw cosines (scale 1, official) every probability stays in [0.12, 0.88]
        assert after < 0.8 * before, (before, after)


def test_every_fit_starts_afresh():
    tokens, ce, prompts = toy_problem(2)
    tta = TTA(steps=3, seed=0)
    ad = tta.build_adapter(16, prompts)
    torch.manual_seed(5)
    first = tta.fit(ad, tokens, ce)
    tta.fit(ad, tokens * 2, ce)  # another image in between
    torch.manual_seed(5)
    assert tta.fit(ad, tokens, ce) == pytest.approx(first)


def _abnormal_probs(tokens, class_embeds, logit_scale):
    """softmax(scale * cos(token, class embedding)) of the abnormal state, written out."""
    cos = torch.einsum('blhwd,bkd->blhwk', F.normalize(tokens, dim=-1), F.normalize(class_embeds, dim=-1))
    return (logit_scale * cos).softmax(-1)[..., 1]


def test_adaptation_of_localizer_output(tiny_tfa, monkeypatch):
    x = torch.randn(3, 3, 64, 64)
    out = tiny_tfa(x, ['bottle', 'wood', 'bottle'])
    scale = tiny_tfa.logit_scale
    # the formula reproduces the localizer's own (unadapted) patch probabilities
    torch.testing.assert_close(_abnormal_probs(out['local_tokens'].float(), out['class_embeds'], scale),
                               out['patch_probs'], rtol=1e-4, atol=1e-5)
    fitted = []   # (adapter, tokens, class embeddings) of every fit, kept after fitting
    fit = TTA.fit
    monkeypatch.setattr(TTA, 'fit', lambda self, ad, tok, ce, s=1.0: fitted.append((ad, tok, ce))
                        or fit(self, ad, tok, ce, s))
    res = TTA(steps=5, seed=0)(tiny_tfa, out, (64, 64))
    assert res['anomaly_map'].shape == (3, 64, 64)
    assert sorted(res['losses']) == [(0, 2), (1,)]  # one adapter per object, fit on its images
    assert all(len(v) == 5 for v in res['losses'].values())
    assert ((res['patch_probs'] >= 0) & (res['patch_probs'] <= 1)).all()
    # each adapter was fit on the tokens of its own images, with its object's prompts as basis
    assert len(fitted) == 2
    expected = torch.empty_like(out['patch_probs'])
    for (ad, tok, ce), idx in zip(fitted, ([0, 2], [1])):
        torch.testing.assert_close(tok, out['local_tokens'][idx])
        torch.testing.assert_close(ce, out['class_embeds'][idx])
        prompts = out['states'][idx[0]].prompt_embeds
        torch.testing.assert_close(ad.basis, prompts.reshape(-1, prompts.shape[-1]).float())
        with torch.no_grad():
            expected[idx] = _abnormal_probs(ad(tok.float()), ce, scale)
    # the refined output is the localizer's readout of the adapted tokens
    torch.testing.assert_close(res['patch_probs'], expected, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(res['anomaly_map'], tiny_tfa.maps_from_probs(expected, (64, 64)),
                               rtol=1e-4, atol=1e-5)
    assert not torch.allclose(res['anomaly_map'], out['anomaly_map'])


def test_bad_adapter_config():
    with pytest.raises(ValueError, match='kind must be'):
        Adapter(16, kind='mlp')
    with pytest.raises(ValueError, match='needs the prompt embeddings'):
        Adapter(16, None, kind='text')
