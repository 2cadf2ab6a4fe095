"""Mask-adapted CLIP: classify masked region crops of all proposals of a batch in one CLIP pass.

``classify_proposals(images, mask_probs, class_names)`` crops every non-empty proposal of
every image (``region_crops``), encodes all crops in one batched ViT forward (chunked by
``region_batch_size`` only to bound memory) with optional mask prompt tuning, and scores them
against the class-name embeddings, which are encoded once per class list with prompt
ensembling and cached (:class:`~clipdense.clip.ClassEmbeddingCache`).

The same module is what the mask-adapted fine-tuning trains (``trainable='full'``: the whole
image tower; ``'prompt'``: only the mask prompts) and what OVSeg evaluates.
"""
import os.path as osp
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from clipdense.clip import ClassEmbeddingCache, TextTower, build_clip, interpolate_pos_embed
from .mask_prompt_tuning import MaskPromptTuning
from .region_crops import crop_masked_regions
from .vild_templates import resolve_templates

CLIP_MEAN = (122.771, 116.746, 104.094)   # OpenAI CLIP normalisation, RGB, 0-255
CLIP_STD = (68.501, 66.632, 70.323)


@MODELS.register_module()
class MaskAdaptedCLIP(BaseModule):
    """CLIP that classifies masked image regions (OVSeg).

    Args:
        arch: CLIP architecture (``'ViT-B-16'``, ``'ViT-L-14'``, ``'tiny-ViT'``, ...).
        checkpoint: local CLIP weights (file or folder); ``None`` = random init.
        adapted_checkpoint: an MMEngine checkpoint written by the mask-adapted fine-tuning
            (:class:`MaskAdaptedCLIPFinetuner`); its ``clip.*`` weights are loaded on top.
        mask_prompt_depth: ``0``/``None`` (no mask prompts), ``'shallow'``, ``'deep'`` or an int.
        crop_size: CLIP input side for the crops (224 in the paper).
        mask_threshold: proposal pixels with probability above it form the mask (0.5 / 0.4).
        expand_ratio: enlargement of the crop box around the mask.
        templates: prompt templates for class names (``'vild'`` as released, or a shared set).
        temperature: logit scale of the region-text cosine similarity (100 as released).
        trainable: ``'none'`` (frozen), ``'full'`` (image tower + prompts + logit scale; the
            text tower stays frozen, as released) or ``'prompt'`` (mask prompts only).
        region_batch_size: crops per ViT forward (memory bound only).
    """

    def __init__(self, arch: str = 'ViT-B-16', checkpoint: Optional[str] = None,
                 adapted_checkpoint: Optional[str] = None,
                 mask_prompt_depth: Union[int, str, None] = 0, crop_size: int = 224,
                 mask_threshold: float = 0.5, expand_ratio: float = 1.0,
                 templates='vild', temperature: float = 100.0, trainable: str = 'none',
                 region_batch_size: int = 256, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        clip = build_clip(arch, checkpoint)
        self.visual = clip.visual
        self.text = TextTower(clip)
        self.logit_scale = clip.logit_scale
        self.crop_size = crop_size
        self.mask_threshold = mask_threshold
        self.expand_ratio = expand_ratio
        self.temperature = temperature
        self.region_batch_size = region_batch_size
        self.is_vit = hasattr(self.visual, 'transformer') and hasattr(self.visual, 'conv1')
        self.prompts = None
        if mask_prompt_depth:
            if not self.is_vit:
                raise ValueError(f'mask prompt tuning needs a ViT CLIP, {arch} is not one; '
                                 'set mask_prompt_depth=0')
            p = self.visual.conv1.kernel_size[0]
            grid = (crop_size // p, crop_size // p)
            self.prompts = MaskPromptTuning(len(self.visual.transformer.resblocks), grid,
                                            self.visual.conv1.out_channels, p, mask_prompt_depth)
        self.class_cache = ClassEmbeddingCache(self.text, templates=resolve_templates(templates))
        self.register_buffer('pixel_mean', torch.tensor(CLIP_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer('pixel_std', torch.tensor(CLIP_STD).view(1, 3, 1, 1), persistent=False)
        self.set_trainable(trainable)
        if adapted_checkpoint is not None:
            self.load_adapted(adapted_checkpoint)

    def set_trainable(self, trainable: str):
        if trainable not in ('none', 'full', 'prompt'):
            raise ValueError(f'trainable={trainable!r}; use "none", "full" or "prompt"')
        if trainable == 'prompt' and self.prompts is None:
            raise ValueError('trainable="prompt" needs mask prompts; set mask_prompt_depth')
        self.trainable = trainable
        for p in self.parameters():
            p.requires_grad_(False)
        if trainable == 'full':
            for p in list(self.visual.parameters()) + [self.logit_scale]:
                p.requires_grad_(True)
        if trainable in ('full', 'prompt') and self.prompts is not None:
            self.prompts.prompts.requires_grad_(True)

    def load_adapted(self, path: str):
        """Load the ``clip.*`` weights of a fine-tuning checkpoint (one-line error if missing)."""
        if not osp.isfile(path):
            raise FileNotFoundError(f'mask-adapted CLIP checkpoint {path} not found; train one with '
                                    'configs/ovseg/*_maskclip_* or set adapted_checkpoint=None')
        state = torch.load(path, map_location='cpu', weights_only=False)
        state = state.get('state_dict', state)
        own = {k[len('clip.'):]: v for k, v in state.items() if k.startswith('clip.')}
        if not own:
            raise ValueError(f'{path} holds no "clip.*" weights; is it a MaskAdaptedCLIPFinetuner checkpoint?')
        missing, unexpected = self.load_state_dict(own, strict=False)
        # a fully fine-tuned CLIP without prompts may start mask prompt tuning ('prompt' mode)
        no_prompts = [k for k in missing if k.startswith('prompts.')] if self.trainable == 'none' else []
        if unexpected or no_prompts:
            raise ValueError(f'{path} does not match this CLIP (unexpected {unexpected[:3]}, missing '
                             f'{no_prompts[:3]}); check arch and mask_prompt_depth')

    # ------------------------------------------------------------------ text side
    def text_embeddings(self, class_names: Sequence[str]) -> torch.Tensor:
        """L2-normalised ``[K, D]`` prompt-ensembled class embeddings, cached per class list."""
        return self.class_cache.embed(class_names)

    # ------------------------------------------------------------------ image side
    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        """RGB 0-255 ``[B, 3, H, W]`` -> CLIP-normalised."""
        return (images - self.pixel_mean) / self.pixel_std

    def encode_regions(self, crops: torch.Tensor, region_masks: Optional[torch.Tensor] = None) -> torch.Tensor:
        """CLIP-normalised crops ``[N, 3, S, S]`` (+ masks ``[N, S, S]``) -> L2-normalised ``[N, D]``."""
        if not self.is_vit:
            return F.normalize(self.visual(crops), dim=-1)
        v = self.visual
        x = v.conv1(crops)                                                   # [N, C, h, w]
        h, w = x.shape[-2:]
        x = x.flatten(2).transpose(1, 2)                                     # [N, h*w, C]
        use_prompts = self.prompts is not None and region_masks is not None
        if use_prompts:
            keep = self.prompts.patch_keep(region_masks)                     # [N, h*w, 1]
            x = self.prompts.replace(x, keep, 0)
        cls = v.class_embedding.to(x.dtype).expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1)
        x = x + interpolate_pos_embed(v.positional_embedding, (h, w)).to(x.dtype)
        x = v.ln_pre(x)
        for i, blk in enumerate(v.transformer.resblocks):
            if use_prompts and 0 < i < self.prompts.depth:
                x = torch.cat([x[:, :1], self.prompts.replace(x[:, 1:], keep, i)], dim=1)
            x = blk(x)
        pooled, _ = v._pool(x)
        if v.proj is not None:
            pooled = pooled @ v.proj
        return F.normalize(pooled, dim=-1)

    def region_logits(self, region_embeds: torch.Tensor, text_embeds: torch.Tensor) -> torch.Tensor:
        """``temperature * cos``: ``[N, D] x [K, D] -> [N, K]``."""
        return self.temperature * region_embeds @ text_embeds.t().to(region_embeds)

    def classify_proposals(self, images: torch.Tensor, mask_probs: torch.Tensor,
                           class_names: Sequence[str]) -> Tuple[torch.Tensor, torch.Tensor]:
        """Score every proposal of every image against ``class_names``.

        Args:
            images: ``[B, 3, H, W]`` RGB images, 0-255.
            mask_probs: ``[B, Q, H, W]`` proposal mask probabilities.
            class_names: K names.

        Returns:
            logits ``[B, Q, K]`` (zeros for empty proposals) and ``valid`` ``[B, Q]`` (a proposal is
            valid when some pixel exceeds ``mask_threshold``).
        """
        B, Q = mask_probs.shape[:2]
        text = self.text_embeddings(class_names)
        valid = (mask_probs > self.mask_threshold).flatten(2).any(dim=-1)    # [B, Q]
        logits = mask_probs.new_zeros(B * Q, len(text))
        index = valid.flatten().nonzero()[:, 0]
        if index.numel():
            embeds = self.encode_masked(self.normalize(images), mask_probs.flatten(0, 1), index, index // Q)
            logits[index] = self.region_logits(embeds, text).to(logits.dtype)
        return logits.view(B, Q, -1), valid

    def encode_masked(self, images: torch.Tensor, masks: torch.Tensor, mask_index: torch.Tensor,
                      image_index: torch.Tensor) -> torch.Tensor:
        """Crop masks ``masks[mask_index]`` out of ``images[image_index]`` and encode them: ``[N, D]``."""
        out = []
        for s in range(0, mask_index.numel(), self.region_batch_size):
            sl = slice(s, s + self.region_batch_size)
            crops, region_masks = crop_masked_regions(
                images, masks, mask_index[sl], image_index[sl], self.crop_size,
                self.mask_threshold, self.expand_ratio, fill=0.0)
            out.append(self.encode_regions(crops, region_masks))
        return torch.cat(out)
