"""Text-to-pixel contrastive loss (CRIS), the objective AffordanceCLIP is trained with.

For a text embedding ``t`` and pixel embeddings ``z_i`` with logits ``s_i = <z_i, t>``, the
pixels of the referred region ``P`` are pulled towards ``t`` and the others ``N`` pushed away:

``L = -1/|P u N| * ( sum_{i in P} log sigmoid(s_i) + sum_{i in N} log(1 - sigmoid(s_i)) )``

i.e. binary cross-entropy with logits. As in CRIS the mask is resized (nearest) to the logit
map; pixels equal to ``ignore_index`` (padding) are left out of the mean.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS


@MODELS.register_module()
class PixelTextContrastiveLoss(nn.Module):
    """Args:
        loss_weight: multiplier of the loss.
        ignore_index: mask value excluded from the loss.
        loss_name: key of the loss in the loss dict (must start with ``loss_``).
    """

    def __init__(self, loss_weight: float = 1.0, ignore_index: int = 255,
                 loss_name: str = 'loss_ptc'):
        super().__init__()
        if not loss_name.startswith('loss_'):
            raise ValueError(f'loss_name {loss_name!r} must start with "loss_" to be optimised')
        self.loss_weight = loss_weight
        self.ignore_index = ignore_index
        self.loss_name = loss_name

    def forward(self, logits: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``logits [B, h, w]``, ``mask [B, H, W]`` (1 referred, 0 not, ``ignore_index``) -> scalar."""
        if mask.shape[-2:] != logits.shape[-2:]:
            mask = F.interpolate(mask[:, None].float(), size=logits.shape[-2:], mode='nearest')[:, 0]
        valid = mask != self.ignore_index
        if not valid.any():
            return logits.sum() * 0.0
        target = (mask == 1).to(logits.dtype)
        loss = F.binary_cross_entropy_with_logits(logits[valid], target[valid])
        return self.loss_weight * loss
