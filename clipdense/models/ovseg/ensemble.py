"""OVSeg's class-score ensemble and the per-pixel semantic map built from mask scores.

For each proposal ``q`` the proposal classifier gives ``p_seg[q]`` (softmax over the K classes
and "no object", the latter dropped) and the mask-adapted CLIP gives ``p_clip[q]`` (softmax over
the K classes). OVSeg combines them geometrically (Sec. 3.1):

    p[q] = p_seg[q] ** (1 - lambda) * p_clip[q] ** lambda

(``lambda`` = 0.7 in the released yaml files; the released Swin-B commands use 0.6 for Pascal
Context and 0.45 for Pascal VOC).

Proposals CLIP did not classify (``valid`` False: no pixel above the CLIP mask threshold) are
handled as in the released ``OVSeg.semantic_inference``:

* ``0 <= lambda < 1``: ``p_clip := 1``, i.e. ``p = p_seg ** (1 - lambda)`` (its ensemble branch,
  which fills a ones tensor and writes the CLIP scores of the valid proposals into it).
* ``lambda = 1`` (CLIP only): the proposal is left out of the semantic map (its class scores are
  0), as in the released CLIP-only branch, which keeps only the valid proposals and their masks.
  The released ensemble branch evaluated at ``lambda = 1`` would instead give such a proposal
  ``p = 1`` for every class; that adds the same amount to every class at each pixel, so its
  argmax map is the same, but the scores are not CLIP probabilities and can push a 1-class
  vocabulary over its threshold.

(The released code reaches its CLIP-only branch with ``CLIP_ENSEMBLE_WEIGHT <= 0`` and its
proposal-classifier-only path with ``CLIP_ENSEMBLE False``; here ``lambda`` follows the formula
above: 0 is proposal-classifier only, 1 is CLIP only.)

With a class-agnostic proposal generator ``p_seg`` is a single objectness score and
``p = objectness * p_clip`` (empty proposals get 0): CLIP alone names the regions.

The semantic map is ``S[c, x] = sum_q p[q, c] * sigmoid(mask_logit[q, x])``, MaskFormer's
semantic inference.
"""
import torch


def ensemble_class_scores(p_seg: torch.Tensor, p_clip: torch.Tensor, valid: torch.Tensor,
                          clip_weight: float) -> torch.Tensor:
    """Combine proposal-classifier and CLIP probabilities.

    Args:
        p_seg: ``[..., Q, K]`` proposal-classifier probabilities (void dropped), or
            ``[..., Q, 1]`` objectness for a class-agnostic generator.
        p_clip: ``[..., Q, K]`` CLIP probabilities.
        valid: ``[..., Q]`` bool, proposals that CLIP classified.
        clip_weight: ``lambda`` in ``[0, 1]``; 1 is CLIP only (unclassified proposals get 0).

    Returns:
        ``[..., Q, K]`` ensembled class scores.
    """
    if not 0.0 <= clip_weight <= 1.0:
        raise ValueError(f'clip_weight (lambda) must be in [0, 1], got {clip_weight}')
    valid = valid.unsqueeze(-1)
    if p_seg.shape[-1] == 1 and p_clip.shape[-1] != 1:
        return p_seg * torch.where(valid, p_clip, torch.zeros_like(p_clip))
    if p_seg.shape != p_clip.shape:
        raise ValueError(f'proposal scores {tuple(p_seg.shape)} and CLIP scores {tuple(p_clip.shape)} '
                         'must cover the same classes')
    if clip_weight == 1.0:   # CLIP only: unclassified proposals drop out of the semantic map
        return torch.where(valid, p_clip, torch.zeros_like(p_clip))
    p_clip = torch.where(valid, p_clip, torch.ones_like(p_clip))
    return p_seg.pow(1.0 - clip_weight) * p_clip.pow(clip_weight)


def semantic_map(class_scores: torch.Tensor, mask_probs: torch.Tensor) -> torch.Tensor:
    """``[B, Q, K]`` class scores x ``[B, Q, H, W]`` mask probabilities -> ``[B, K, H, W]``."""
    return torch.einsum('bqk,bqhw->bkhw', class_scores, mask_probs)
