"""Open-vocabulary segmentation of one image with a plain CLIP (MaskCLIP's value-path readout)
and the colour overlays the demo writes."""
from typing import Sequence

import numpy as np
import torch
from PIL import Image

from clipdense.clip import ClassEmbeddingCache, TextTower, build_dense_encoder, validate_class_names

from .clip_pretraining import normalise_images
from .clip_quality import dense_logits
from .vocabulary import TOY_TEMPLATES

# Distinct display colours for up to 20 predicted classes.
DISPLAY_PALETTE = np.array([
    [128, 128, 128], [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48],
    [145, 30, 180], [70, 240, 240], [240, 50, 230], [210, 245, 60], [250, 190, 212], [0, 128, 128],
    [220, 190, 255], [170, 110, 40], [255, 250, 200], [128, 0, 0], [170, 255, 195], [128, 128, 0],
    [255, 215, 180], [0, 0, 128]], np.uint8)


@torch.no_grad()
def segment_with_class_names(model, images: np.ndarray, class_names: Sequence[str],
                             templates=TOY_TEMPLATES, scale: int = 2, batch_size: int = 50) -> np.ndarray:
    """Label every pixel of ``images`` (``uint8 [H, W, 3]`` or ``[N, H, W, 3]``) with the index
    of the best matching name in ``class_names`` (``int64``, same leading shape); ``scale``
    upsamples the input for a finer patch grid."""
    names = validate_class_names(class_names)
    encoder = build_dense_encoder(model, out_indices=(), dense_mode='value').eval()
    text = ClassEmbeddingCache(TextTower(model), templates=templates).embed(names)
    batch = np.ascontiguousarray(images[None] if images.ndim == 3 else images)
    preds = [dense_logits(encoder, normalise_images(torch.from_numpy(batch[i:i + batch_size])), text,
                          scale).argmax(1).numpy() for i in range(0, len(batch), batch_size)]
    preds = np.concatenate(preds)
    return preds[0] if images.ndim == 3 else preds


def display_palette(names: Sequence[str]) -> np.ndarray:
    """Display colours for ``names``: a toy colour name is shown in its own colour,
    ``'background'`` in black, anything else in the next free :data:`DISPLAY_PALETTE` entry."""
    from .vocabulary import COLOURS
    spare = iter(DISPLAY_PALETTE[1:])
    return np.array([COLOURS[n] if n in COLOURS else (0, 0, 0) if n == 'background' else next(spare)
                     for n in names], np.uint8)


def colour_overlay(image: np.ndarray, label: np.ndarray, palette: np.ndarray = DISPLAY_PALETTE,
                   alpha: float = 0.6, ignore: int = 255) -> np.ndarray:
    """Blend a label map (``[H, W]`` ints, ``ignore`` left uncoloured) over ``image``."""
    out = image.astype(np.float32)
    valid = label != ignore
    colours = palette[np.clip(label, 0, len(palette) - 1)].astype(np.float32)
    out[valid] = (1 - alpha) * out[valid] + alpha * colours[valid]
    return np.clip(out, 0, 255).astype(np.uint8)


def legend(names: Sequence[str], palette: np.ndarray = DISPLAY_PALETTE) -> str:
    """``'0 red=(230, 25, 75); ...'`` to print next to an overlay."""
    return '; '.join(f'{n}={tuple(int(c) for c in palette[i])}' for i, n in enumerate(names))


def save_panel(path: str, panels: Sequence[np.ndarray], upscale: int = 4) -> None:
    """Save images of equal height side by side (nearest-neighbour upscaled) as one PNG."""
    row = np.concatenate([np.repeat(p[..., None], 3, 2) if p.ndim == 2 else p for p in panels], 1)
    img = Image.fromarray(row)
    img.resize((img.width * upscale, img.height * upscale), Image.NEAREST).save(path)
