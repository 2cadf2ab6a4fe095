"""AnoVL's training-free adaptation (TFA): zero-shot anomaly maps and image scores from CLIP.

For an image and the name of the inspected object:

1. local tokens ``t_l`` [h, w, D] of the V-V path after each score layer ``l``
   (:class:`~.vv_attention.VVPathEncoder`), L2-normalised;
2. patch scores ``p_l = softmax(s * t_l @ [e_normal, e_abnormal]^T)[abnormal]`` with the state
   class embeddings of :mod:`.state_prompts` and ``s = logit_scale`` (1, i.e. raw cosine, in
   the official code);
3. per layer: 3x3 mean filter over the patch grid (replicate border), bilinear upsampling
   (``align_corners=True``) to the input size, Gaussian smoothing with ``gaussian_sigma`` (4 px);
   the anomaly map is the mean over the score layers (all steps are linear, so the mean is taken
   on the patch grid first);
4. image score: ``softmax(s * g @ E^T)[abnormal]`` of CLIP's global embedding ``g``, averaged over
   22 fixed views (the image, 8 small rotations, 8 shifts, a flip, a grey copy, 3 quarter turns)
   when ``image_views='augment'`` (the official MVTec AD setting) or of the image alone.
"""
import math
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from clipdense.clip import TextTower, ViTDenseEncoder, build_clip, build_dense_encoder

from .state_prompts import StateEmbeddings, StatePromptEncoder, infer_domain, validate_object_name
from .vv_attention import VVPathEncoder

_ROT = (-math.pi / 4, -3 * math.pi / 16, -math.pi / 8, -math.pi / 16, math.pi / 16, math.pi / 8,
        3 * math.pi / 16, math.pi / 4)
_SHIFT = ((0.2, 0.2), (-0.2, 0.2), (-0.2, -0.2), (0.2, -0.2), (0.1, 0.1), (-0.1, 0.1), (-0.1, -0.1),
          (0.1, -0.1))


def view_transforms() -> torch.Tensor:
    """The 20 affine views of the image-score ensemble as ``[20, 2, 3]`` sampling matrices."""
    mats = [[[math.cos(a), -math.sin(a), 0.], [math.sin(a), math.cos(a), 0.]] for a in _ROT]
    mats += [[[1., 0., x], [0., 1., y]] for x, y in _SHIFT]
    mats += [[[-1., 0., 0.], [0., 1., 0.]]]  # horizontal flip
    for k in (1, 2, 3):  # quarter turns
        a = k * math.pi / 2
        mats.append([[round(math.cos(a)), -round(math.sin(a)), 0.], [round(math.sin(a)), round(math.cos(a)), 0.]])
    return torch.tensor(mats)


def augmented_views(images: torch.Tensor) -> torch.Tensor:
    """``[B, 3, H, W]`` -> ``[B, 22, 3, H, W]``: the image, 20 affine views (reflection padding)
    and a grey copy (ITU-R 601 luma, on the normalised channels)."""
    B, C, H, W = images.shape
    theta = view_transforms().to(images).repeat(B, 1, 1)
    src = images.repeat_interleave(theta.shape[0] // B, dim=0)
    grid = F.affine_grid(theta, list(src.shape), align_corners=True)
    warped = F.grid_sample(src, grid, padding_mode='reflection', align_corners=True).view(B, -1, C, H, W)
    grey = (images * images.new_tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1, keepdim=True)
    return torch.cat([images[:, None], warped, grey.expand(-1, 3, -1, -1)[:, None]], dim=1)


def gaussian_blur(maps: torch.Tensor, sigma: float, truncate: float = 4.0) -> torch.Tensor:
    """Separable Gaussian filter of ``[B, H, W]`` maps (radius ``round(truncate * sigma)``,
    mirrored borders: ``scipy.ndimage.gaussian_filter(mode='mirror')``)."""
    if sigma <= 0:
        return maps
    radius = int(truncate * sigma + 0.5)
    x = torch.arange(-radius, radius + 1, dtype=maps.dtype, device=maps.device)
    k = torch.exp(-0.5 * (x / sigma) ** 2)
    k = k / k.sum()
    out = maps[:, None]
    for dim, kernel in ((3, k.view(1, 1, 1, -1)), (2, k.view(1, 1, -1, 1))):
        pad = (radius, radius, 0, 0) if dim == 3 else (0, 0, radius, radius)
        mode = 'reflect' if radius < out.shape[dim] else 'replicate'
        out = F.conv2d(F.pad(out, pad, mode=mode), kernel)
    return out[:, 0]


class TrainingFreeLocalizer(nn.Module):
    """CLIP ViT + V-V path + state prompts -> anomaly maps at input resolution and image scores.

    Args:
        arch / checkpoint: CLIP ViT architecture and local weights (``None``: random init).
        vv_start: first block (1-indexed) with the V-V path; ``None`` scores the plain CLIP patch
            tokens instead (the plain-CLIP baseline).
        score_layers: blocks (1-indexed) whose local tokens are scored; their maps are averaged.
        logit_scale: multiplies the cosine similarities before the softmax.
        patch_smooth: mean-filter size on the patch grid (0 or 1 disables it).
        gaussian_sigma: std (pixels) of the Gaussian on the upsampled map (0 disables it).
        image_views: ``'augment'`` (22-view ensemble) or ``'single'`` for the image score.
    """

    def __init__(self, arch: str = 'ViT-B-16', checkpoint: Optional[str] = None, vv_start: Optional[int] = 1,
                 score_layers: Sequence[int] = (3, 6, 9, 12), logit_scale: float = 1.0,
                 patch_smooth: int = 3, gaussian_sigma: float = 4.0, image_views: str = 'single',
                 text_batch_size: int = 256):
        super().__init__()
        if image_views not in ('single', 'augment'):
            raise ValueError(f'image_views must be "single" or "augment", got {image_views!r}')
        self.clip = build_clip(arch, checkpoint)
        encoder = build_dense_encoder(self.clip, out_indices=(-1,), dense_mode='attention')
        if not isinstance(encoder, ViTDenseEncoder):
            raise ValueError(f'AnoVL needs a CLIP ViT (ViT-B-16, ViT-L-14, tiny-ViT); {arch} has a '
                             f'{type(encoder).__name__.replace("DenseEncoder", "")} image tower')
        self.vv = VVPathEncoder(encoder, vv_start, score_layers)
        self.text = TextTower(self.clip)
        self.prompts = StatePromptEncoder(self.text, batch_size=text_batch_size)
        self.logit_scale = logit_scale
        self.patch_smooth = patch_smooth
        self.gaussian_sigma = gaussian_sigma
        self.image_views = image_views
        self.requires_grad_(False)
        self.eval()

    def state_embeddings(self, object_names: Sequence[str], domains=None) -> List[StateEmbeddings]:
        """Per image: the (cached) state embeddings of its object."""
        names = [validate_object_name(n) for n in object_names]
        domains = list(domains) if domains is not None else [None] * len(names)
        return [self.prompts.embed(n, d or infer_domain(n)) for n, d in zip(names, domains)]

    def probabilities(self, embeds: torch.Tensor, class_embeds: torch.Tensor) -> torch.Tensor:
        """Abnormal probability of ``embeds`` [B, ..., D] against ``class_embeds`` [B, 2, D]."""
        B, D = embeds.shape[0], embeds.shape[-1]
        flat = F.normalize(embeds.reshape(B, -1, D), dim=-1)
        logits = self.logit_scale * torch.einsum('bnd,bkd->bnk', flat, class_embeds.to(flat))
        return logits.softmax(-1)[..., 1].reshape(embeds.shape[:-1])

    def maps_from_probs(self, probs: torch.Tensor, size) -> torch.Tensor:
        """Patch probabilities [B, n_layers, h, w] -> anomaly maps [B, H, W] (mean over layers)."""
        x = probs.float().mean(1, keepdim=True)
        k = self.patch_smooth
        if k and k > 1:
            x = F.avg_pool2d(F.pad(x, (k // 2,) * 4, mode='replicate'), k, stride=1)
        x = F.interpolate(x, size=tuple(size), mode='bilinear', align_corners=True)[:, 0]
        return gaussian_blur(x, self.gaussian_sigma)

    @torch.no_grad()
    def image_scores(self, images: torch.Tensor, class_embeds: torch.Tensor,
                     global_embed: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Image-level anomaly score [B] from CLIP's global embedding (see ``image_views``)."""
        if self.image_views == 'single':
            g = self.vv(images, with_local=False)['global_embed'] if global_embed is None else global_embed
            return self.probabilities(g, class_embeds)
        views = augmented_views(images)
        B, V = views.shape[:2]
        g = self.vv(views.flatten(0, 1), with_local=False)['global_embed'].view(B, V, -1)
        return self.probabilities(g, class_embeds).mean(1)

    @torch.no_grad()
    def forward(self, images: torch.Tensor, object_names: Sequence[str], domains=None) -> Dict[str, object]:
        """``images`` [B, 3, H, W] (CLIP-normalised), one object name per image. Returns

        * ``anomaly_map`` [B, H, W] and ``image_score`` [B] (abnormal probabilities),
        * ``local_tokens`` [B, n_layers, h, w, D], ``patch_probs`` [B, n_layers, h, w],
        * ``class_embeds`` [B, 2, D] and ``states`` (the per-image :class:`StateEmbeddings`).
        """
        if len(object_names) != images.shape[0]:
            raise ValueError(f'got {len(object_names)} object names for {images.shape[0]} images; '
                             'give one object name per image')
        states = self.state_embeddings(object_names, domains)
        class_embeds = torch.stack([s.class_embeds for s in states]).to(images.device)
        enc = self.vv(images)
        probs = self.probabilities(enc['local_tokens'], class_embeds)
        return dict(anomaly_map=self.maps_from_probs(probs, images.shape[-2:]),
                    image_score=self.image_scores(images, class_embeds, enc['global_embed']),
                    local_tokens=enc['local_tokens'], patch_probs=probs, class_embeds=class_embeds,
                    states=states)
