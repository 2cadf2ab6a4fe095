"""Masked region crops of many proposals in one batched operation (OVSeg's CLIP inputs).

For every proposal mask the released OVSeg code takes the bounding box of the binarised mask
(optionally enlarged by ``expand_ratio``), crops the image to it, fills the pixels outside the
mask with the mean pixel (zero after CLIP normalisation) and resizes the crop to CLIP's input
size. Here all proposals of a batch are cropped at once: the image crops by one ``roi_align``
call (bilinear), the mask crops by one nearest-neighbour gather over the same boxes (the
released code resizes masks with ``nearest``), then the fill is applied at the crop resolution,
so the blank pixels of a crop are exactly the pixels whose resized mask is empty (the mask
that mask prompt tuning sees).
"""
from typing import Tuple

import torch
from torchvision.ops import roi_align


def mask_boxes(masks: torch.Tensor) -> torch.Tensor:
    """Tight boxes ``[N, 4]`` (x1, y1, x2, y2; exclusive ends, pixels) of binary masks ``[N, H, W]``.

    An empty mask gets the box of the whole image.
    """
    return boxes_from_profiles(masks.any(dim=2), masks.any(dim=1))


def boxes_from_profiles(rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    """Boxes ``[N, 4]`` from row ``[N, H]`` and column ``[N, W]`` occupancy (bool)."""
    H, W = rows.shape[1], cols.shape[1]
    empty = ~rows.any(dim=1)
    y1 = rows.float().argmax(dim=1)
    y2 = H - rows.flip(1).float().argmax(dim=1)
    x1 = cols.float().argmax(dim=1)
    x2 = W - cols.flip(1).float().argmax(dim=1)
    boxes = torch.stack([x1, y1, x2, y2], dim=1).float()
    full = boxes.new_tensor([0, 0, W, H])
    return torch.where(empty[:, None], full, boxes)


def expand_boxes(boxes: torch.Tensor, ratio: float, height: int, width: int) -> torch.Tensor:
    """Scale boxes ``[N, 4]`` about their centres by ``ratio`` and clip them to the image."""
    if ratio == 1.0:
        return boxes
    centre = (boxes[:, :2] + boxes[:, 2:]) / 2
    half = (boxes[:, 2:] - boxes[:, :2]) * ratio / 2
    out = torch.cat([centre - half, centre + half], dim=1)
    limit = boxes.new_tensor([width, height, width, height])
    return torch.minimum(out.clamp(min=0), limit)


def crop_masked_regions(images: torch.Tensor, masks: torch.Tensor, mask_index: torch.Tensor,
                        image_index: torch.Tensor, size: int, threshold: float = 0.5,
                        expand_ratio: float = 1.0, fill: float = 0.0) -> Tuple[torch.Tensor, torch.Tensor]:
    """Crop, mask and resize many regions at once.

    Args:
        images: ``[B, 3, H, W]`` images (already normalised for CLIP, so ``fill=0`` is the mean pixel).
        masks: ``[M, H, W]`` soft or binary masks (all proposals of the batch, flattened).
        mask_index: ``[N]`` which masks to crop (indices into ``masks``).
        image_index: ``[N]`` the image each of those masks belongs to.
        size: output side ``S`` of the square crops (224 for ViT-B/16).
        threshold: a pixel belongs to a mask where ``mask > threshold``.
        expand_ratio: box enlargement (1.0 = tight box, as in the released configs).
        fill: value of the pixels outside the mask.

    Returns:
        crops ``[N, 3, S, S]`` and their masks ``[N, S, S]`` (bool).
    """
    H, W = masks.shape[-2:]
    rows = masks.amax(dim=2)[mask_index] > threshold                         # [N, H], no mask copies
    cols = masks.amax(dim=1)[mask_index] > threshold                         # [N, W]
    boxes = expand_boxes(boxes_from_profiles(rows, cols), expand_ratio, H, W)
    rois = torch.cat([image_index[:, None].to(boxes), boxes], dim=1).to(images.dtype)
    crops = roi_align(images, rois, (size, size), spatial_scale=1.0, sampling_ratio=-1, aligned=True)
    ys, xs = nearest_grid(boxes, size, H, W)
    region_masks = masks[mask_index[:, None, None], ys, xs] > threshold
    crops = torch.where(region_masks[:, None], crops, crops.new_tensor(fill))
    return crops, region_masks


def nearest_grid(boxes: torch.Tensor, size: int, height: int, width: int):
    """Row ``[N, S, 1]`` and column ``[N, 1, S]`` indices of the pixels under the ``S x S`` sample
    centres of each box (nearest-neighbour resampling of the masks)."""
    steps = (torch.arange(size, device=boxes.device, dtype=boxes.dtype) + 0.5) / size      # [S]
    xs = boxes[:, 0:1] + steps * (boxes[:, 2:3] - boxes[:, 0:1])
    ys = boxes[:, 1:2] + steps * (boxes[:, 3:4] - boxes[:, 1:2])
    xs = xs.floor().long().clamp_(0, width - 1)
    ys = ys.floor().long().clamp_(0, height - 1)
    return ys[:, :, None], xs[:, None, :]
