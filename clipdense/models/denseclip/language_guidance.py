"""The language-guided part of DenseCLIP, shared by the segmentor and the detectors.

Given the backbone output ``(f1, f2, f3, f4, (g, z))`` with the global embedding ``g [B, D]``
and the dense embeddings ``z [B, D, h, w]``:

1. text embeddings ``t = TextEncoder() [K, D]`` (learnable contexts, frozen CLIP text tower),
   broadcast to ``[B, K, D]``;
2. visual context ``v = [g, z_1 .. z_hw] [B, 1 + hw, D]``;
3. context-aware prompting (post-model): ``t <- t + gamma * ContextDecoder(t, v)`` with a
   learnable ``gamma [D]`` initialised to 1e-4;
4. score map ``s = cos(z, t) [B, K, h, w]`` (:func:`pixel_text_score_map`), concatenated to
   the feature level ``score_concat_index`` (the one with the same stride as ``z``).
"""
from typing import List, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.registry import Registry

from .class_names import resolve_class_names
from .score_map import pixel_text_score_map


class LanguageGuidanceMixin:
    """Adds ``text_encoder``, ``context_decoder``, ``gamma``, ``tau`` to an ``nn.Module`` model."""

    def init_language_guidance(self, models: Registry, datasets: Registry, text_encoder: dict,
                               context_decoder: dict, class_names, gamma_init: float = 1e-4,
                               tau: float = 0.07, score_concat_index: int = 3) -> None:
        """Build the text side; call after ``self.backbone`` (and ``self.neck``) exist."""
        self.class_names = resolve_class_names(class_names, datasets)
        self.text_encoder = models.build(dict(text_encoder, class_names=self.class_names))
        self.context_decoder = models.build(context_decoder)
        dim = self.text_encoder.embed_dim
        image_dim = getattr(self.backbone, 'embed_dim', dim)
        if image_dim != dim:
            raise ValueError(f'image embeddings are {image_dim}-d but text embeddings {dim}-d; '
                             'give backbone and text_encoder the same CLIP arch')
        if getattr(self.context_decoder, 'visual_dim', dim) != dim:
            raise ValueError(f'context_decoder.visual_dim={self.context_decoder.visual_dim} but the '
                             f'CLIP embedding is {dim}-d; set context_decoder.visual_dim={dim}')
        self.gamma = nn.Parameter(torch.full((dim,), float(gamma_init)))
        self.tau = tau
        self.score_concat_index = score_concat_index
        self._check_neck_channels()

    def _check_neck_channels(self) -> None:
        channels = getattr(self.backbone, 'out_channels', None)
        expected_in = getattr(getattr(self, 'neck', None), 'in_channels', None)
        if channels is None or not isinstance(expected_in, Sequence):
            return
        want = list(channels)
        want[self.score_concat_index] += len(self.class_names)
        if list(expected_in) != want:
            raise ValueError(
                f'neck.in_channels={list(expected_in)} but the backbone gives {want} (the score maps '
                f'of the {len(self.class_names)} classes are concatenated to level '
                f'{self.score_concat_index}); set neck.in_channels={want}')

    def guided_text_embeddings(self, global_embed: torch.Tensor,
                               dense_embed: torch.Tensor) -> torch.Tensor:
        """``[B, D]``, ``[B, D, h, w]`` -> context-aware text embeddings ``[B, K, D]``."""
        B = dense_embed.shape[0]
        text = self.text_encoder().to(dense_embed.dtype).unsqueeze(0).expand(B, -1, -1)
        visual_context = torch.cat([global_embed.unsqueeze(1), dense_embed.flatten(2).transpose(1, 2)], 1)
        return text + self.gamma * self.context_decoder(text, visual_context)

    def language_guided_features(self, backbone_out: Sequence,
                                 score_scale: float = 1.0) -> Tuple[List[torch.Tensor], torch.Tensor]:
        """Backbone output -> (feature levels with ``score_scale * s`` concatenated, ``s``).

        ``s [B, K, h, w]`` is the cosine score map (not divided by ``tau``).
        """
        if len(backbone_out) < 2 or not isinstance(backbone_out[-1], (tuple, list)):
            raise ValueError('DenseCLIP needs the global and dense embeddings from the backbone; use '
                             'DenseCLIPVisionBackbone with output_embeddings=True')
        *feats, (global_embed, dense_embed) = backbone_out
        text = self.guided_text_embeddings(global_embed, dense_embed)
        score_map = pixel_text_score_map(dense_embed, text)
        i = self.score_concat_index
        if feats[i].shape[-2:] != score_map.shape[-2:]:
            raise ValueError(f'score maps are {tuple(score_map.shape[-2:])} but feature level {i} is '
                             f'{tuple(feats[i].shape[-2:])}; set score_concat_index to the level with '
                             'the stride of the dense embeddings (3 for ResNets, 2 for ViT-B/16)')
        feats[i] = torch.cat([feats[i], score_map * score_scale], dim=1)
        return feats, score_map
