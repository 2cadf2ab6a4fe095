"""DenseCLIP's auxiliary segmentation loss on the pixel-text score map.

The "identity head" has no parameters: its input ``s / tau [B, K, h, w]`` (the score map
divided by the temperature 0.07) already holds one logit per class, so its forward is the
identity and its loss is MMSegmentation's decode-head loss on those logits (bilinearly resized
to the label size, then cross-entropy; weight 0.4 in the paper's configs).
"""
import torch
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS


@MODELS.register_module()
class ScoreMapIdentityHead(BaseDecodeHead):
    """Args:
        num_classes: K, the number of classes (channels of the score map).
        loss_decode, align_corners, ignore_index: as for any MMSegmentation decode head.
    """

    def __init__(self, num_classes: int, **kwargs):
        super().__init__(in_channels=num_classes, channels=num_classes, num_classes=num_classes,
                         dropout_ratio=0.0, init_cfg=None, **kwargs)
        self.conv_seg = None  # the score map is already the per-class logit map

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """``[B, K, h, w]`` score logits -> the same tensor."""
        if inputs.shape[1] != self.num_classes:
            raise ValueError(f'identity head expects {self.num_classes} score channels, got '
                             f'{inputs.shape[1]}; set identity_head.num_classes to the class count')
        return inputs
