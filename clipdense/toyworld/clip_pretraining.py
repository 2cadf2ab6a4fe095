"""Contrastive (CLIP) pretraining of a tiny open_clip model on the toy world's captions.

The loss is CLIP's symmetric InfoNCE over a batch, with one refinement for a small
vocabulary: captions that are identical strings (e.g. two images captioned "a blue square")
are both counted as positives of each other's images instead of as negatives (targets are
the row-normalised caption-equality matrix).

Optional patch-level term (``dense_weight > 0``): the same InfoNCE on image-text scores
``max_k cos(patch_k, text)`` over the value-path patch embeddings (MaskCLIP's readout; a
FILIP-style max-pooled token match with a single text token). Real CLIPs get a usable dense
readout from scale; at a few CPU-minutes this term supplies it (numbers in
``tools/pretrain_toy_clip.py``).

Text augmentation: each step draws one of an image's captions; with probability
``template_prob`` it is wrapped in a random CLIP ImageNet prompt template ("a bad photo of
the {}.") when that still fits the context, so the usual prompt ensembles work downstream.
Image augmentation: horizontal flips and a small contrast change (x0.9-1.1 of the normalised
image; hue is never changed: colour names must stay true).
"""
import math
import os.path as osp
import time
from typing import Dict, List, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .captions import MAX_TOKENS, count_tokens
from .io import read_coco_captions

CLIP_MEAN = torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(1, 3, 1, 1)
CLIP_STD = torch.tensor([0.26862954, 0.26130258, 0.27577711]).view(1, 3, 1, 1)


def load_caption_corpus(folder: str, limit: int = None):
    """Images ``uint8 [N, H, W, 3]`` and their captions from ``<folder>/captions.json``."""
    path = osp.join(folder, 'captions.json')
    if not osp.isfile(path):
        raise FileNotFoundError(f'no caption corpus at {path}; generate it with '
                                f'`python -m clipdense.toyworld --root <root> --parts clip_pretrain`')
    by_name = read_coco_captions(path)
    names = sorted(by_name)[:limit]
    images = np.stack([np.asarray(Image.open(osp.join(folder, 'images', n)).convert('RGB'))
                       for n in names])
    return images, [by_name[n] for n in names]


def normalise_images(images_uint8: torch.Tensor) -> torch.Tensor:
    """``uint8 [B, H, W, 3]`` -> CLIP-normalised ``float [B, 3, H, W]``."""
    x = images_uint8.permute(0, 3, 1, 2).float() / 255.0
    return (x - CLIP_MEAN) / CLIP_STD


# Input scale of each toy CLIP relative to the 64 px scenes (``toy-RN``: 256 px, an 8x8
# attention-pool grid); every other arch reads the scenes as they are.
TOY_CLIP_INPUT_SCALES = {'toy-RN': 4}


def upsample(x: torch.Tensor, scale: int) -> torch.Tensor:
    """Bilinear x``scale`` upsampling of ``[B, 3, H, W]`` (identity for ``scale`` 1)."""
    if scale == 1:
        return x
    return F.interpolate(x, scale_factor=scale, mode='bilinear', align_corners=False)


def sample_texts(rng: np.random.Generator, captions: Sequence[List[str]], templates,
                 template_prob: float) -> List[str]:
    """One caption per image, sometimes wrapped in a prompt template that fits the context."""
    texts = []
    for caps in captions:
        text = caps[rng.integers(len(caps))]
        if rng.random() < template_prob:
            wrapped = templates[rng.integers(len(templates))](text)
            if count_tokens(wrapped) <= MAX_TOKENS:
                text = wrapped
        texts.append(text)
    return texts


def contrastive_loss(image_emb: torch.Tensor, text_emb: torch.Tensor, logit_scale: torch.Tensor,
                     tokens: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE of L2-normalised ``[B, D]`` embeddings; identical token rows of
    ``tokens [B, L]`` are positives of each other."""
    return contrastive_loss_from_logits(logit_scale * image_emb @ text_emb.t(), tokens)


def patch_max_logits(patch_emb: torch.Tensor, text_emb: torch.Tensor, logit_scale: torch.Tensor):
    """Image-text logits ``[B, B]`` from L2-normalised patches ``[B, N, D]`` and texts ``[B, D]``:
    ``scale * max_k cos(patch_k of image i, text j)``."""
    return logit_scale * torch.einsum('ind,jd->ijn', patch_emb, text_emb).amax(-1)


def contrastive_loss_from_logits(logits: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE of image-text ``logits [B, B]`` with caption-equality targets."""
    same = (tokens[:, None, :] == tokens[None, :, :]).all(-1).float()
    targets = same / same.sum(1, keepdim=True)
    loss_i = -(targets * F.log_softmax(logits, 1)).sum(1).mean()
    loss_t = -(targets * F.log_softmax(logits.t(), 1)).sum(1).mean()
    return (loss_i + loss_t) / 2


def _param_groups(model: torch.nn.Module, weight_decay: float):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        skip = p.ndim < 2 or 'ln' in name or 'bias' in name or 'logit_scale' in name \
            or 'embedding' in name
        (no_decay if skip else decay).append(p)
    return [dict(params=decay, weight_decay=weight_decay), dict(params=no_decay, weight_decay=0.0)]


def pretrain_clip(model: torch.nn.Module, tokenize, images: np.ndarray, captions: Sequence[List[str]],
                  steps: int, batch_size: int = 256, lr: float = 1e-3, weight_decay: float = 0.1,
                  warmup: int = 100, template_prob: float = 0.3, dense_weight: float = 0.0,
                  seed: int = 0, log_every: int = 50, log=print, input_scale: int = 1,
                  dense_mode: str = 'value', device: str = 'cpu') -> Dict[str, list]:
    """Train ``model`` (open_clip CLIP) in place; returns the loss history.

    Args:
        tokenize: ``list[str] -> LongTensor [B, L]`` (the model's tokenizer).
        images: ``uint8 [N, H, W, 3]`` at the model's input size / ``input_scale``; captions: N
            lists of str.
        steps, batch_size, lr, weight_decay, warmup: AdamW with linear warm-up, cosine decay.
        dense_weight: weight of the patch-level term (0 = plain CLIP loss).
        input_scale: upsample the images by this factor first (a finer grid for stride-32
            ResNets: 64 px scenes at x4 give an 8x8 attention-pool grid).
        dense_mode: the dense readout the patch-level term trains, ``'value'`` (MaskCLIP's
            value path) or ``'attention'`` (every position attends, DenseCLIP's ResNet readout).
        device: where to train (the model is moved there and back to the CPU at the end).
    """
    from open_clip.zero_shot_metadata import OPENAI_IMAGENET_TEMPLATES

    from clipdense.clip import build_dense_encoder
    model.to(device)
    encoder = build_dense_encoder(model, out_indices=(), dense_mode=dense_mode)  # shares weights
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    model.train()
    opt = torch.optim.AdamW(_param_groups(model, weight_decay), lr=lr, betas=(0.9, 0.98), eps=1e-6)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (
        1 + math.cos(math.pi * min(s, steps) / steps)))
    data = torch.from_numpy(images)
    history, start = dict(step=[], loss=[]), time.time()
    for step in range(steps):
        idx = rng.choice(len(data), size=batch_size, replace=False)
        x = data[idx]
        flip = torch.from_numpy(rng.random(batch_size) < 0.5)
        x = torch.where(flip[:, None, None, None], x.flip(2), x)
        x = normalise_images(x) * torch.from_numpy(rng.uniform(0.9, 1.1, (batch_size, 1, 1, 1))).float()
        x = upsample(x.to(device), input_scale)
        tokens = tokenize(sample_texts(rng, [captions[i] for i in idx], OPENAI_IMAGENET_TEMPLATES,
                                       template_prob)).to(device)
        out = encoder(x) if dense_weight > 0 else {'global_embed': model.encode_image(x)}
        img = F.normalize(out['global_embed'], dim=-1)
        txt = F.normalize(model.encode_text(tokens), dim=-1)
        scale = model.logit_scale.exp()
        loss = contrastive_loss(img, txt, scale, tokens)
        if dense_weight > 0:
            patches = F.normalize(out['dense_embed'].flatten(2).transpose(1, 2), dim=-1)
            loss = loss + dense_weight * contrastive_loss_from_logits(
                patch_max_logits(patches, txt, scale), tokens)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        history['step'].append(step)
        history['loss'].append(loss.item())
        if log and ((step + 1) % log_every == 0 or step + 1 == steps):
            rate = (time.time() - start) / (step + 1)
            recent = np.mean(history['loss'][-log_every:])
            log(f'[pretrain] step {step + 1}/{steps} loss {recent:.3f} lr {sched.get_last_lr()[0]:.2e} '
                f'{rate:.2f}s/step eta {rate * (steps - step - 1) / 60:.1f} min')
    model.eval().cpu()
    return history


def save_open_clip_fp16(model: torch.nn.Module, path: str) -> None:
    """Save the state dict in open_clip format with floating tensors in fp16."""
    sd = {k: (v.half() if v.is_floating_point() else v).clone() for k, v in model.state_dict().items()}
    torch.save(sd, path)
