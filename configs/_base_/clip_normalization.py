# Image normalisation constants for data_preprocessor=dict(mean=..., std=...), 0..255 RGB.
# The numbers live once in clipdense/clip/constants.py (OpenAI CLIP's mean/std x 255, exact);
# use them as `mean=_base_.clip_mean, std=_base_.clip_std` in a config that lists this file.
_base_ = []  # keeps MMEngine's text-config parser (an import alone would switch it to lazy imports)
import clipdense.clip.constants as _constants  # noqa: E402

clip_mean = list(_constants.CLIP_MEAN_255)
clip_std = list(_constants.CLIP_STD_255)
imagenet_mean = list(_constants.IMAGENET_MEAN_255)
imagenet_std = list(_constants.IMAGENET_STD_255)
