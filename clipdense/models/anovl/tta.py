"""AnoVL's test-time adaptation (TTA): one trainable layer refit on the test tokens themselves.

Adapter (one linear layer ``W``; ``u = t / |t|`` for a local token ``t``)::

    kind='text':    A(t) = r t + (1 - r) tanh(W u) P      P: the 2T prompt embeddings [2T, D]
    kind='linear':  A(t) = r t + (1 - r) W u              W: D -> D

with ``r = 0.5``. The official code uses ``'text'`` on MVTec AD and ``'linear'`` on VisA.

Loss on the tokens ``t`` of the test image(s), with ``p(.)`` the (normal, abnormal) softmax of
the adapted, normalised tokens against the state class embeddings (as in TFA) and ``t~ = t + n``,
``n ~ N(0, 0.055^2)`` synthetic noise-corrupted tokens::

    L = mean H(p(t))                                  # sharpen TFA's own (soft) pseudo-labels
      + 0.5 * mean[ -log p_abnormal(t~) - log p_normal(t) ]   # noise = anomaly, clean = normal

``W`` is re-initialised and optimised with AdamW (lr 1e-3) for 5 steps on every test set given to
:meth:`TestTimeAdaptation.__call__` (one image at a time in the official code).
"""
from typing import Dict, List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


class TestTimeAdapter(nn.Module):
    """The adapter ``A`` above. ``forward``: tokens ``[..., D]`` -> adapted tokens ``[..., D]``.

    Args:
        embed_dim: token dimension ``D``.
        prompt_embeds: ``[2, T, D]`` (or ``[2T, D]``) normalised prompt embeddings (``'text'``).
        kind: ``'text'`` or ``'linear'``.
        residual: weight ``r`` of the input token.
    """

    def __init__(self, embed_dim: int, prompt_embeds: Optional[torch.Tensor] = None, kind: str = 'text',
                 residual: float = 0.5):
        super().__init__()
        if kind not in ('text', 'linear'):
            raise ValueError(f'TTA adapter kind must be "text" or "linear", got {kind!r}')
        if kind == 'text':
            if prompt_embeds is None:
                raise ValueError('the "text" TTA adapter needs the prompt embeddings of the object')
            basis = prompt_embeds.reshape(-1, embed_dim).float()
            self.register_buffer('basis', basis, persistent=False)
            self.fc = nn.Linear(embed_dim, basis.shape[0])
        else:
            self.fc = nn.Linear(embed_dim, embed_dim)
        self.kind, self.residual = kind, residual

    def reset_parameters(self) -> None:
        self.fc.reset_parameters()

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        u = F.normalize(tokens, dim=-1)
        branch = torch.tanh(self.fc(u)) @ self.basis if self.kind == 'text' else self.fc(u)
        return self.residual * tokens + (1 - self.residual) * branch


def state_log_probs(tokens: torch.Tensor, class_embeds: torch.Tensor, logit_scale: float) -> torch.Tensor:
    """``log softmax`` over (normal, abnormal): tokens [N, ..., D], class_embeds [N, 2, D] -> [N, ..., 2]."""
    N, D = tokens.shape[0], tokens.shape[-1]
    flat = F.normalize(tokens.reshape(N, -1, D), dim=-1)
    logits = logit_scale * torch.einsum('nld,nkd->nlk', flat, class_embeds.to(flat))
    return logits.log_softmax(-1).reshape(*tokens.shape[:-1], 2)


def tta_loss(adapter: TestTimeAdapter, tokens: torch.Tensor, class_embeds: torch.Tensor,
             noise: torch.Tensor, logit_scale: float = 1.0, hard_weight: float = 0.5) -> torch.Tensor:
    """The TTA loss ``L`` of the module docstring for tokens [N, ..., D] and a noise draw."""
    log_clean = state_log_probs(adapter(tokens), class_embeds, logit_scale)
    log_noisy = state_log_probs(adapter(tokens + noise), class_embeds, logit_scale)
    entropy = -(log_clean.exp() * log_clean).sum(-1).mean()
    hard = -(log_noisy[..., 1] + log_clean[..., 0]).mean()
    return entropy + hard_weight * hard


class TestTimeAdaptation:
    """Fit the adapter on a set of TFA outputs and return the refined anomaly maps.

    Args:
        kind / residual: the adapter (:class:`TestTimeAdapter`).
        steps, lr, weight_decay: AdamW optimisation of ``W`` (5 steps, 1e-3, 0.01).
        noise_std: std of the synthetic token noise (0.05 * 1.1).
        hard_weight: weight of the noise/clean cross-entropy term (0.5).
        seed: fixes the noise draws (``None``: torch's global generator).
    """

    def __init__(self, kind: str = 'text', steps: int = 5, lr: float = 1e-3, weight_decay: float = 0.01,
                 residual: float = 0.5, noise_std: float = 0.055, hard_weight: float = 0.5,
                 seed: Optional[int] = None):
        self.kind, self.steps, self.lr, self.weight_decay = kind, steps, lr, weight_decay
        self.residual, self.noise_std, self.hard_weight, self.seed = residual, noise_std, hard_weight, seed

    def build_adapter(self, embed_dim: int, prompt_embeds: Optional[torch.Tensor]) -> TestTimeAdapter:
        return TestTimeAdapter(embed_dim, prompt_embeds, self.kind, self.residual)

    def fit(self, adapter: TestTimeAdapter, tokens: torch.Tensor, class_embeds: torch.Tensor,
            logit_scale: float = 1.0) -> List[float]:
        """Re-initialise and optimise ``adapter`` on ``tokens`` [N, ..., D]; returns the step losses."""
        gen = None
        if self.seed is not None:
            gen = torch.Generator(device=tokens.device).manual_seed(self.seed)
        adapter.reset_parameters()
        adapter.to(tokens.device).train()
        opt = torch.optim.AdamW(adapter.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        tokens, losses = tokens.detach().float(), []
        with torch.enable_grad():
            for _ in range(self.steps):
                noise = torch.randn(tokens.shape, generator=gen, device=tokens.device) * self.noise_std
                loss = tta_loss(adapter, tokens, class_embeds, noise, logit_scale, self.hard_weight)
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses.append(float(loss.detach()))
        adapter.eval()
        return losses

    def __call__(self, localizer, tfa_out: Dict[str, object], size) -> Dict[str, object]:
        """Refine ``localizer``'s output (:meth:`TrainingFreeLocalizer.forward`) for its images.

        Images of the same object share one adapter, fit on all of their tokens together.
        Returns ``anomaly_map`` [B, H, W], ``patch_probs`` and the ``losses`` per object.
        """
        tokens, class_embeds = tfa_out['local_tokens'], tfa_out['class_embeds']
        groups: Dict[int, List[int]] = {}
        for i, s in enumerate(tfa_out['states']):
            groups.setdefault(id(s.prompt_embeds), []).append(i)  # cached per object/domain
        probs = torch.empty(tokens.shape[:-1], device=tokens.device)
        losses = {}
        for idx in groups.values():
            state = tfa_out['states'][idx[0]]
            adapter = self.build_adapter(tokens.shape[-1], state.prompt_embeds.to(tokens.device))
            losses[tuple(idx)] = self.fit(adapter, tokens[idx], class_embeds[idx], localizer.logit_scale)
            with torch.no_grad():
                probs[idx] = localizer.probabilities(adapter(tokens[idx].float()), class_embeds[idx])
        return dict(anomaly_map=localizer.maps_from_probs(probs, size), patch_probs=probs, losses=losses)
