"""Image normalisation constants, exact, in one place (configs read them via
``configs/_base_/clip_normalization.py``).

``CLIP_MEAN`` / ``CLIP_STD`` are OpenAI CLIP's (``clip/clip.py``'s ``Normalize``, open_clip's
``OPENAI_DATASET_MEAN`` / ``_STD``) on 0..1 RGB; the ``_255`` versions are the same numbers times
255, for MMSegmentation's ``SegDataPreProcessor`` (0..255 RGB). The values typed to 3 decimals in
many configs (``122.771``, ``68.501``, ...) are 1.4e-5 off after the first operation.
"""
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
CLIP_MEAN_255 = tuple(m * 255 for m in CLIP_MEAN)
CLIP_STD_255 = tuple(s * 255 for s in CLIP_STD)

# torchvision's ImageNet statistics (exact in 0..255: 0.485 * 255 = 123.675, ...)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
IMAGENET_MEAN_255 = tuple(m * 255 for m in IMAGENET_MEAN)
IMAGENET_STD_255 = tuple(s * 255 for s in IMAGENET_STD)
