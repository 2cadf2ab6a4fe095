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


def test_adaptation_of_localizer_output(tiny_tfa):
    x = torch.randn(3, 3, 64, 64)
    out = tiny_tfa(x, ['bottle', 'wood', 'bottle'])
    res = TTA(steps=5, seed=0)(tiny_tfa, out, (64, 64))
    assert res['anomaly_map'].shape == (3, 64, 64)
    assert sorted(res['losses']) == [(0, 2), (1,)]  # one adapter per object, fit on its images
    assert all(len(v) == 5 for v in res['losses'].values())
    assert not torch.allclose(res['anomaly_map'], out['anomaly_map'])
    assert ((res['patch_probs'] >= 0) & (res['patch_probs'] <= 1)).all()


def test_bad_adapter_config():
    with pytest.raises(ValueError, match='kind must be'):
        Adapter(16, kind='mlp')
    with pytest.raises(ValueError, match='needs the prompt embeddings'):
        Adapter(16, None, kind='text')
