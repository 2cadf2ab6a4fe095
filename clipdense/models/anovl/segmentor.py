"""AnoVL as a registered MMSegmentation model, so ``tools/test.py`` evaluates it from a config.

Each data sample must name its object (meta key ``object_name``, set by the MVTec AD / VisA
datasets; ``domain`` is optional). ``predict`` returns, per image at the network input size:

* ``seg_logits`` [1, H, W]: the anomaly map (abnormal probability, TFA or TFA + TTA),
* ``pred_sem_seg`` [1, H, W]: ``seg_logits >= threshold`` (0 normal, 1 anomaly),
* ``pred_score`` [1]: the image-level anomaly score.

AnoVL trains nothing: the CLIP weights come from ``localizer.checkpoint``. Any checkpoint given
to ``tools/test.py`` is loaded on top and weights it lacks keep their CLIP values (an empty
``{'state_dict': {}}`` file is enough).
"""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.logging import print_log
from mmengine.structures import PixelData
from mmseg.models.segmentors.base import BaseSegmentor
from mmseg.registry import MODELS

from .tfa import TrainingFreeLocalizer
from .tta import TestTimeAdaptation


def _keep_clip_weights(module, incompatible_keys) -> None:
    """Load-state-dict post hook: parameters missing from a checkpoint keep the CLIP weights."""
    missing = incompatible_keys.missing_keys
    if missing:
        print_log(f'AnoVL: {len(missing)} weights not in the checkpoint keep the CLIP weights of '
                  'model.localizer.checkpoint', logger='current')
        missing.clear()


@MODELS.register_module()
class AnoVLSegmentor(BaseSegmentor):
    """AnoVL (Deng et al., 2023): training-free CLIP anomaly localization (+ test-time adaptation).

    Args:
        localizer: keyword arguments of :class:`~.tfa.TrainingFreeLocalizer` (CLIP arch and weights,
            V-V start block, score layers, smoothing, image-score views).
        tta: keyword arguments of :class:`~.tta.TestTimeAdaptation` plus ``enable`` (bool);
            ``None`` or ``enable=False`` gives plain TFA.
        threshold: abnormal probability from which ``pred_sem_seg`` marks a pixel anomalous.
        default_object_name: object for samples that carry no ``object_name``.
        data_preprocessor: usually ``SegDataPreProcessor`` with CLIP's mean/std.
    """

    def __init__(self, localizer: dict, tta: Optional[dict] = None, threshold: float = 0.5,
                 default_object_name: Optional[str] = None, data_preprocessor=None, init_cfg=None):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.localizer = TrainingFreeLocalizer(**localizer)
        tta = dict(tta or {})
        self.tta_enabled = bool(tta.pop('enable', bool(tta)))
        self.tta = TestTimeAdaptation(**tta)
        self.threshold = threshold
        self.default_object_name = default_object_name
        self.register_load_state_dict_post_hook(_keep_clip_weights)

    def localize(self, images: torch.Tensor, object_names: Sequence[str], domains=None,
                 tta: Optional[bool] = None) -> Dict[str, object]:
        """``images`` [B, 3, H, W] -> ``anomaly_map`` [B, H, W], ``image_score`` [B] and
        ``tfa_map`` [B, H, W] (the map before TTA); ``tta`` overrides the config's switch."""
        out = self.localizer(images, object_names, domains)
        out['tfa_map'] = out['anomaly_map']
        if self.tta_enabled if tta is None else tta:
            adapted = self.tta(self.localizer, out, images.shape[-2:])
            out.update(anomaly_map=adapted['anomaly_map'], tta_losses=adapted['losses'])
        return out

    def _object_names(self, data_samples) -> List[str]:
        names = []
        for ds in data_samples:
            name = ds.metainfo.get('object_name', self.default_object_name)
            if name is None:
                raise KeyError(f'sample {ds.metainfo.get("img_path", "?")} has no object_name: use the '
                               'MVTecADDataset/VisADataset (and keep object_name in PackSegInputs '
                               'meta_keys) or set model.default_object_name')
            names.append(name)
        return names

    def predict(self, inputs: torch.Tensor, data_samples=None):
        if data_samples is None:
            raise ValueError('AnoVLSegmentor.predict needs data samples that name the object')
        out = self.localize(inputs, self._object_names(data_samples),
                            [ds.metainfo.get('domain') for ds in data_samples])
        for ds, amap, score in zip(data_samples, out['anomaly_map'], out['image_score']):
            ds.set_data({'seg_logits': PixelData(data=amap[None]),
                         'pred_sem_seg': PixelData(data=(amap[None] >= self.threshold).long())})
            ds.pred_score = score.reshape(1)
        return data_samples

    def encode_decode(self, inputs: torch.Tensor, batch_data_samples) -> torch.Tensor:
        """Anomaly maps ``[B, 1, H, W]``."""
        names = self._object_names(batch_data_samples)
        return self.localize(inputs, names)['anomaly_map'][:, None]

    def extract_feat(self, inputs: torch.Tensor):
        """The V-V encoder's ``global_embed`` and ``local_tokens``."""
        return self.localizer.vv(inputs)

    def _forward(self, inputs: torch.Tensor, data_samples=None) -> torch.Tensor:
        if data_samples is None:
            if self.default_object_name is None:
                raise ValueError('tensor mode needs data samples with object_name or '
                                 'model.default_object_name')
            return self.localize(inputs, [self.default_object_name] * inputs.shape[0])['anomaly_map'][:, None]
        return self.encode_decode(inputs, data_samples)

    def loss(self, inputs, data_samples) -> dict:
        raise RuntimeError('AnoVL is zero-shot and has nothing to train: evaluate it with '
                           'tools/test.py CONFIG CHECKPOINT (see configs/anovl/README.md)')
