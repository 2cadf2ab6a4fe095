"""ReCo score maps: reference similarity, CLIP dense (value-path) attention, their fusion, and
context elimination. All functions are batched over images and concepts.

* ``reference_scores``: ``σ(cos(f(x), r_k))`` for every pixel feature ``f(x)`` of the ViT and
  every concept reference ``r_k``.
* ``text_attention``: ``σ(τ · cos(e(x), t_k))`` for CLIP's dense embedding ``e(x)`` (value path,
  MaskCLIP) and text embedding ``t_k``; ``τ = 10`` in the paper's code. It guides co-segmentation
  ("language-guided co-segmentation") and refines the prediction ("DenseCLIP inference").
* ``fuse``: the prediction is the Hadamard product of the two maps at image resolution.
* ``context_weights``: ``Π_c (1 - σ(cos(f(x), r_c)))`` over context (background) concepts ``c``
  (tree, sky, building, road, person); multiplied into the co-segmentation weights so that seeds
  avoid background that co-occurs with the concept in the retrieved images.
"""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F


def cosine_maps(features: torch.Tensor, embeds: torch.Tensor) -> torch.Tensor:
    """Cosine similarity of every pixel to every embedding: ``[B, C, h, w] x [K, C] -> [B, K, h, w]``."""
    return torch.einsum('bchw,kc->bkhw', F.normalize(features.float(), dim=1),
                        F.normalize(embeds.float(), dim=1))


def _resize(maps: torch.Tensor, size: Optional[Sequence[int]]) -> torch.Tensor:
    if size is None or tuple(maps.shape[-2:]) == tuple(size):
        return maps
    return F.interpolate(maps, size=tuple(size), mode='bilinear', align_corners=False)


def reference_scores(features: torch.Tensor, references: torch.Tensor,
                     size: Optional[Sequence[int]] = None) -> torch.Tensor:
    """``σ(cos(features, references))`` resized to ``size``: ``[B, K, *size]``."""
    return _resize(cosine_maps(features, references).sigmoid(), size)


def text_attention(dense_embed: torch.Tensor, text_embeds: torch.Tensor, temperature: float = 10.0,
                   size: Optional[Sequence[int]] = None) -> torch.Tensor:
    """``σ(τ · cos(dense CLIP embedding, text))`` resized to ``size``: ``[B, K, *size]``."""
    return _resize((temperature * cosine_maps(dense_embed, text_embeds)).sigmoid(), size)


def context_weights(features: torch.Tensor, context_refs: torch.Tensor) -> torch.Tensor:
    """``Π_c (1 - σ(cos(features, r_c)))``: ``[B, C, h, w] x [Kc, C] -> [B, h, w]`` (ones if ``Kc = 0``)."""
    if len(context_refs) == 0:
        return features.new_ones(features.shape[0], *features.shape[2:]).float()
    return (1 - cosine_maps(features, context_refs).sigmoid()).prod(dim=1)


def fuse(ref_scores: torch.Tensor, attention: Optional[torch.Tensor]) -> torch.Tensor:
    """ReCo prediction scores: the reference map, refined by CLIP's attention when given."""
    return ref_scores if attention is None else ref_scores * _resize(attention, ref_scores.shape[-2:])


def group_scores(scores: torch.Tensor, concept_to_label: torch.Tensor, num_labels: int) -> torch.Tensor:
    """Merge concepts that share an output label by their max: ``[B, K, H, W] -> [B, L, H, W]``.

    (E.g. COCO-Stuff's 171 fine concepts -> 27 coarse classes; the arg-max label equals mapping
    the arg-max concept.) Labels no concept maps to get -1 (scores lie in [0, 1]; a finite
    value keeps the bilinear resize of the logits free of NaNs).
    """
    B, K, H, W = scores.shape
    out = scores.new_full((B, num_labels, H, W), -1.0)
    index = concept_to_label.to(scores.device).view(1, K, 1, 1).expand(B, K, H, W)
    return out.scatter_reduce(1, index, scores, reduce='amax', include_self=True)
