"""Direct Python API: image(s) + object name -> anomaly maps and image scores.

    from clipdense.models.anovl import AnomalyLocalizer
    ad = AnomalyLocalizer(checkpoint='~/.cache/clipdense/clip')          # AnoVL ViT-B/16, TFA + TTA
    result = ad.predict(['a.png', 'b.png'], object_name='metal nut')
    result.maps[0]     # [H, W] float32 anomaly map at the image's own size
    result.scores      # [N] image-level anomaly scores

Images may be file paths, ``PIL.Image`` or ``HxWx3`` uint8 RGB arrays. The recipe (input size,
layers, smoothing, TTA) is read from an AnoVL config, ``configs/anovl/anovl_vit-b16_mvtec-240.py``
by default.
"""
import os.path as osp
from typing import List, NamedTuple, Optional, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

DEFAULT_CONFIG = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))),
                          'configs', 'anovl', 'anovl_vit-b16_mvtec-240.py')


class AnomalyResult(NamedTuple):
    """``maps``: one float32 [H, W] map per image; ``scores``: [N] image scores;
    ``tfa_maps``: the maps before test-time adaptation (equal to ``maps`` without TTA)."""
    maps: List[np.ndarray]
    scores: np.ndarray
    tfa_maps: List[np.ndarray]


def read_rgb(image) -> np.ndarray:
    """A path, PIL image or array -> ``HxWx3`` uint8 RGB; one-line error when unreadable."""
    if isinstance(image, (str, bytes)) or hasattr(image, '__fspath__'):
        path = osp.expanduser(str(image))
        arr = cv2.imread(path, cv2.IMREAD_COLOR) if osp.isfile(path) else None
        if arr is None:
            why = 'no such file' if not osp.isfile(path) else 'not a readable image file'
            raise ValueError(f'cannot read image {path}: {why}; give a PNG/JPEG/BMP/TIFF image')
        return cv2.cvtColor(arr, cv2.COLOR_BGR2RGB)
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ValueError(f'image array of shape {arr.shape} is not HxWx3 RGB; convert it first')
    if arr.dtype != np.uint8:
        raise ValueError(f'image array has dtype {arr.dtype}; give uint8 values in 0..255')
    return np.ascontiguousarray(arr[..., :3])


class AnomalyLocalizer:
    """AnoVL from a config, for direct use on images.

    Args:
        config: an AnoVL config file (or ``mmengine.Config``).
        checkpoint: CLIP weights (file or folder); overrides ``model.localizer.checkpoint``.
        device: ``'cpu'`` or ``'cuda'``.
        cfg_options: dict of dotted-key overrides, as ``--cfg-options`` takes.
    """

    def __init__(self, config=DEFAULT_CONFIG, checkpoint: Optional[str] = None, device: str = 'cpu',
                 cfg_options: Optional[dict] = None):
        import clipdense  # noqa: F401  (registers the model)
        cfg = config if isinstance(config, Config) else Config.fromfile(config)
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
        if checkpoint is not None:
            cfg.model.localizer.checkpoint = checkpoint
        self.cfg = cfg
        init_default_scope(cfg.get('default_scope', 'mmseg'))
        self.image_size = tuple(cfg.get('img_scale', (240, 240)))[::-1]  # mmseg scale is (w, h)
        pre = cfg.model.data_preprocessor
        self.mean = torch.tensor(pre['mean'], dtype=torch.float32).view(1, 3, 1, 1)
        self.std = torch.tensor(pre['std'], dtype=torch.float32).view(1, 3, 1, 1)
        self.device = torch.device(device)
        self.model = MODELS.build(cfg.model).to(self.device).eval()

    def preprocess(self, rgb: Sequence[np.ndarray]) -> torch.Tensor:
        """RGB uint8 arrays -> normalised ``[N, 3, H, W]`` at the config's input size."""
        h, w = self.image_size
        batch = np.stack([cv2.resize(im, (w, h), interpolation=cv2.INTER_LINEAR) for im in rgb])
        x = torch.from_numpy(batch).permute(0, 3, 1, 2).float()
        return ((x - self.mean) / self.std).to(self.device)

    def predict(self, images, object_name: str, domain: Optional[str] = None, tta: Optional[bool] = None,
                tta_scope: str = 'image', batch_size: int = 8, original_size: bool = True) -> AnomalyResult:
        """Anomaly maps and scores for ``images`` (one image or a list) of one object.

        Args:
            object_name: the inspected object in words (``'metal nut'``, ``'wood'``).
            domain: ``'object'`` or ``'texture'`` prompts (inferred from the name by default).
            tta: run test-time adaptation (default: the config's ``model.tta.enable``).
            tta_scope: ``'image'`` fits the adapter on each image (official code), ``'set'`` once
                on all given images together.
            original_size: return maps at each image's size (else at the network input size).
        """
        if tta_scope not in ('image', 'set'):
            raise ValueError(f'tta_scope must be "image" or "set", got {tta_scope!r}')
        single = not isinstance(images, (list, tuple))
        rgb = [read_rgb(im) for im in ([images] if single else images)]
        use_tta = self.model.tta_enabled if tta is None else tta
        step = 1 if (use_tta and tta_scope == 'image') else batch_size
        outs = []
        for i in range(0, len(rgb), step):
            x = self.preprocess(rgb[i:i + step])
            names = [object_name] * x.shape[0]
            domains = [domain] * x.shape[0]
            keep_tokens = use_tta and tta_scope == 'set'
            out = self.model.localize(x, names, domains, tta=False if keep_tokens else use_tta)
            outs.append(out)
        if use_tta and tta_scope == 'set':
            merged = {k: torch.cat([o[k] for o in outs]) for k in ('local_tokens', 'class_embeds', 'image_score')}
            merged['states'] = sum((o['states'] for o in outs), [])
            tfa = torch.cat([o['anomaly_map'] for o in outs])
            maps = self.model.tta(self.model.localizer, merged, self.image_size)['anomaly_map']
            scores = merged['image_score']
        else:
            maps = torch.cat([o['anomaly_map'] for o in outs])
            tfa = torch.cat([o['tfa_map'] for o in outs])
            scores = torch.cat([o['image_score'] for o in outs])
        sizes = [im.shape[:2] if original_size else self.image_size for im in rgb]
        return AnomalyResult(self._resize(maps, sizes), scores.float().cpu().numpy(), self._resize(tfa, sizes))

    @staticmethod
    def _resize(maps: torch.Tensor, sizes) -> List[np.ndarray]:
        out = []
        for m, size in zip(maps, sizes):
            if tuple(m.shape) != tuple(size):
                m = F.interpolate(m[None, None], size=tuple(size), mode='bilinear', align_corners=False)[0, 0]
            out.append(m.float().cpu().numpy())
        return out
