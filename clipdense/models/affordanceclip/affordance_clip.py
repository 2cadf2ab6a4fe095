"""AffordanceCLIP (Cuttano et al., "What does CLIP know about peeling a banana?", CVPR-W 2024).

Frozen CLIP image and text encoders; the only trained parts are a CRIS-style FPN conditioned on
CLIP's global image embedding (:class:`GlobalConditionedFPN`) and a projector that maps its output
to per-pixel embeddings in CLIP's joint space (:class:`PixelEmbeddingProjector`). The map for any
text ``t`` (an action such as "peel", or a referring expression) is ``<z_i, t / |t|>`` at every
pixel ``i``. Training uses a referring-segmentation proxy task (an expression and its object mask)
with the text-to-pixel contrastive loss; no affordance label and no action-object pair is seen,
and actions are queried zero-shot at test time.

Prediction:

* every data sample carries a ``text`` (AGD20K, referring data): one map per image ->
  ``pred_heatmap`` = sigmoid(logit) ``[1, H, W]``, ``seg_logits``, ``pred_sem_seg`` = logit > 0;
* otherwise the fixed ``class_prompts`` (``None`` = a background class scored
  ``background_logit``) -> ``seg_logits [K, H, W]`` and ``pred_sem_seg`` = argmax (UMD, mIoU).
"""
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.structures import PixelData
from mmseg.models.segmentors.base import BaseSegmentor
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample


@MODELS.register_module()
class AffordanceCLIP(BaseSegmentor):
    """Args:
        clip: ``FrozenCLIP`` config (architecture and local weights).
        neck: ``GlobalConditionedFPN`` config; ``in_channels``/``global_channels`` are filled
            from the CLIP model when left out.
        projector: ``PixelEmbeddingProjector`` config; ``in_channels``/``out_channels`` are filled
            from the neck and CLIP when left out.
        loss: ``PixelTextContrastiveLoss`` config.
        class_prompts: prompts of a fixed class list for label-map prediction (``None`` entries
            are background classes).
        background_logit: the constant logit of background classes (0 = probability 0.5).
        pretrained: unused (``mmseg.apis.init_model`` sets it); CLIP weights come from
            ``clip.checkpoint`` and the trained parts from the AffordanceCLIP checkpoint.
    """

    def __init__(self, clip: dict, neck: dict, projector: dict,
                 loss: dict = dict(type='PixelTextContrastiveLoss'),
                 class_prompts: Optional[Sequence[Optional[str]]] = None,
                 background_logit: float = 0.0, align_corners: bool = False,
                 data_preprocessor=None, train_cfg=None, test_cfg=None, pretrained=None,
                 init_cfg=None):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.clip = MODELS.build(clip)
        c3, c4, c5 = self.clip.level_channels()
        neck = dict(neck)
        neck.setdefault('in_channels', (c3, c4, c5))
        neck.setdefault('global_channels', self.clip.embed_dim)
        self.neck = MODELS.build(neck)
        projector = dict(projector)
        projector.setdefault('in_channels', self.neck.out_channels)
        projector.setdefault('out_channels', self.clip.embed_dim)
        self.projector = MODELS.build(projector)
        self.loss_fn = MODELS.build(loss)
        if class_prompts is not None and not any(p for p in class_prompts):
            raise ValueError('class_prompts has no prompt; give one text per class (None = background)')
        self.class_prompts = list(class_prompts) if class_prompts is not None else None
        self.background_logit = background_logit
        self.align_corners = align_corners
        self.train_cfg, self.test_cfg = train_cfg, test_cfg

    # ------------------------------------------------------------------ features
    def extract_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        """Images ``[B, 3, H, W]`` -> pixel embeddings ``[B, D, h, w]`` (``h = H/4`` for RN101)."""
        levels, global_embed = self.clip.levels(inputs)
        return self.projector(self.neck(levels, global_embed))

    def text_logits(self, pixels: torch.Tensor, texts: Sequence[str]) -> torch.Tensor:
        """Per-image prompts: ``pixels [B, D, h, w]``, ``B`` texts -> logits ``[B, h, w]``."""
        return torch.einsum('bdhw,bd->bhw', pixels, self.clip.encode_texts(texts).to(pixels.dtype))

    def class_logits(self, pixels: torch.Tensor) -> torch.Tensor:
        """Fixed class prompts: ``pixels [B, D, h, w]`` -> logits ``[B, K, h, w]``."""
        if not self.class_prompts:
            raise ValueError('this AffordanceCLIP model has no class_prompts and the samples carry '
                             'no "text": set model.class_prompts or give each sample a text prompt')
        prompts = [p for p in self.class_prompts if p]
        fg = torch.einsum('bdhw,kd->bkhw', pixels, self.clip.encode_texts(prompts).to(pixels.dtype))
        index = torch.tensor([i for i, p in enumerate(self.class_prompts) if p], device=fg.device)
        out = fg.new_full((fg.shape[0], len(self.class_prompts), *fg.shape[-2:]), self.background_logit)
        return out.index_copy(1, index, fg)

    @staticmethod
    def _texts(metas: Sequence[dict]) -> Optional[List[str]]:
        """The per-image prompts of a batch, or ``None`` unless every image has one."""
        texts = [m.get('text') for m in metas or []]
        return texts if texts and all(isinstance(t, str) and t for t in texts) else None

    def encode_decode(self, inputs: torch.Tensor, batch_img_metas: List[dict]) -> torch.Tensor:
        """Logits at the input size: ``[B, 1, H, W]`` for per-image texts in the metas, else
        ``[B, K, H, W]`` for ``class_prompts``."""
        pixels = self.extract_feat(inputs)
        texts = self._texts(batch_img_metas)
        if texts is not None:
            logits = self.text_logits(pixels, texts)[:, None]
        else:
            logits = self.class_logits(pixels)
        return F.interpolate(logits, size=inputs.shape[-2:], mode='bilinear',
                             align_corners=self.align_corners)

    # ------------------------------------------------------------------ train / test
    def loss(self, inputs: torch.Tensor, data_samples: List[SegDataSample]) -> dict:
        texts = self._texts([ds.metainfo for ds in data_samples])
        if texts is None:
            raise ValueError('AffordanceCLIP trains on (text, mask) pairs: every sample needs a "text" '
                             'in its metainfo (use SampleReferringExpression + PackAffordanceInputs)')
        logits = self.text_logits(self.extract_feat(inputs), texts)
        masks = torch.stack([ds.gt_sem_seg.data[0] for ds in data_samples])
        return {self.loss_fn.loss_name: self.loss_fn(logits, masks)}

    def predict(self, inputs: torch.Tensor, data_samples: Optional[List[SegDataSample]] = None):
        if data_samples is None:
            data_samples = [SegDataSample(metainfo=dict(ori_shape=inputs.shape[2:],
                                                        img_shape=inputs.shape[2:]))
                            for _ in range(inputs.shape[0])]
        metas = [ds.metainfo for ds in data_samples]
        logits = self.encode_decode(inputs, metas)
        for ds, logit in zip(data_samples, logits):
            logit = self._restore(logit, ds.metainfo)
            ds.seg_logits = PixelData(data=logit)
            if logit.shape[0] == 1:
                ds.pred_heatmap = PixelData(data=logit.sigmoid())
                ds.pred_sem_seg = PixelData(data=(logit > 0).long())
            else:
                ds.pred_sem_seg = PixelData(data=logit.argmax(0, keepdim=True))
        return data_samples

    def _forward(self, inputs: torch.Tensor, data_samples=None) -> torch.Tensor:
        return self.encode_decode(inputs, [ds.metainfo for ds in data_samples] if data_samples else [])

    def _restore(self, logit: torch.Tensor, meta: dict) -> torch.Tensor:
        """``[C, H, W]`` at the padded input size -> ``[C, H0, W0]`` at the original image size."""
        pad = meta.get('img_padding_size', meta.get('padding_size', [0, 0, 0, 0]))
        left, right, top, bottom = pad
        logit = logit[:, top:logit.shape[1] - bottom, left:logit.shape[2] - right]
        if meta.get('flip'):
            logit = logit.flip(-1 if meta.get('flip_direction') == 'horizontal' else -2)
        return F.interpolate(logit[None], size=tuple(meta['ori_shape'][:2]), mode='bilinear',
                             align_corners=self.align_corners)[0]
