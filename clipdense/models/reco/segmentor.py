"""ReCo (Shin et al., NeurIPS 2022) as an MMSegmentation segmentor: training-free, concepts named
in the config, evaluated through ``tools/test.py``.

Prediction for an RGB image ``x`` (0..255, the data preprocessor only packs and pads):
``S_k = σ(cos(f(x), r_k)) ⊙ σ(τ · cos(e(x), t_k))`` at image resolution, where ``f`` is the
self-supervised ViT, ``r_k`` the co-segmented reference of concept ``k``, ``e`` CLIP's dense
value-path embedding and ``t_k`` its prompt-ensembled text embedding; ``argmax_k S_k`` is the label.

The foundation networks (co-segmentation ViT, dense CLIP, retrieval CLIP) are frozen and loaded from
their own weight files, so they are kept outside the module tree (``_apply`` still moves them
between devices): a ReCo checkpoint (``tools/reco_build_index.py CONFIG``) holds only the
``[K, C]`` concept references. Without one, references are built on the first forward from the
configured image index (retrieval + co-segmentation).
"""
import zlib
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.logging import print_log
from mmseg.models.segmentors import BaseSegmentor
from mmseg.registry import MODELS

from clipdense.clip import (ClassEmbeddingCache, TextTower, build_clip, build_dense_encoder, canonical_arch,
                            validate_class_names)

from .clip_encoder import CLIPTokenEncoder
from .inference import fuse, group_scores, reference_scores, text_attention
from .references import DEFAULT_CONTEXT, ConceptReferences, resolve_templates
from .retrieval import ImageIndex, build_image_index, normalize_images
from .vit_encoder import DenseViTEncoder


def build_coseg_encoder(cfg: Optional[dict]):
    """``source='timm'`` (default): :class:`DenseViTEncoder`; ``source='clip'``: :class:`CLIPTokenEncoder`."""
    cfg = {**dict(source='timm', arch='deit_small_distilled_patch16_224', checkpoint=None), **(cfg or {})}
    source = cfg.pop('source')
    if source == 'timm':
        return DenseViTEncoder(**cfg)
    if source == 'clip':
        return CLIPTokenEncoder(**cfg)
    raise ValueError(f"encoder.source must be 'timm' or 'clip', not {source!r}")


@MODELS.register_module()
class ReCoSegmentor(BaseSegmentor):
    """Retrieve-and-co-segment zero-shot segmentor.

    Args:
        class_names: concepts to segment (named at inference; any text).
        concept_labels: optional output label of every concept (e.g. COCO-Stuff 171 -> 27);
            concepts sharing a label are merged by their max score.
        clip: ``dict(arch, checkpoint)`` of the dense CLIP (value path) and its text tower.
        retrieval_clip: ``dict(arch, checkpoint)`` of the CLIP that made/ranks the index.
        encoder: the co-segmentation encoder, ``dict(arch, checkpoint, **timm_kwargs)`` of a
            self-supervised timm ViT, or ``dict(source='clip', arch, checkpoint, layer)``.
        index: ``dict(file, images=None, batch_size=64, num_workers=0)``: the index file, and the
            collection to build/update it from.
        co_segmentation: ``dict(k, image_size, text_attention, temperature, context_concepts,
            context_aliases, batch_size, chunk)`` (see :class:`ConceptReferences`).
        templates: prompt templates (``'reco85'``: DenseCLIP's 85).
        dense_clip_inference: refine the reference map with CLIP's dense attention.
        temperature: ``τ`` of that attention.
    """

    def __init__(self, class_names: Sequence[str], data_preprocessor=None,
                 concept_labels: Optional[Sequence[int]] = None,
                 clip: Optional[dict] = None, retrieval_clip: Optional[dict] = None,
                 encoder: Optional[dict] = None, index: Optional[dict] = None,
                 co_segmentation: Optional[dict] = None, templates='reco85',
                 dense_clip_inference: bool = True, temperature: float = 10.0,
                 train_cfg=None, test_cfg=None, init_cfg=None):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.class_names = validate_class_names(class_names, 'ReCoSegmentor.class_names')
        self.num_labels = len(self.class_names) if concept_labels is None else max(concept_labels) + 1
        if concept_labels is not None and len(concept_labels) != len(self.class_names):
            raise ValueError(f'concept_labels has {len(concept_labels)} entries for '
                             f'{len(self.class_names)} class_names; give one label per concept')
        if self.num_labels < 2:
            raise ValueError('ReCo needs at least two output classes; add background concepts '
                             '(e.g. "sky", "road", "tree") to class_names')
        self.concept_labels = None if concept_labels is None else torch.tensor(list(concept_labels))
        self.clip_cfg = {**dict(arch='ViT-B-16', checkpoint=None), **(clip or {})}
        self.retrieval_cfg = {**dict(arch='ViT-L-14', checkpoint=None), **(retrieval_clip or {})}
        self.index_cfg = {**dict(file=None, images=None, batch_size=64, num_workers=0), **(index or {})}
        self.coseg_cfg = {**dict(k=50, image_size=224, text_attention=True, temperature=10.0,
                                 context_concepts=DEFAULT_CONTEXT, context_aliases=None,
                                 batch_size=16, chunk=4096), **(co_segmentation or {})}
        self.templates = resolve_templates(templates)
        self.dense_clip_inference, self.temperature = dense_clip_inference, temperature
        self.align_corners = False
        self.test_cfg = test_cfg or dict(mode='whole')

        vit = build_coseg_encoder(encoder)
        clip_model = build_clip(self.clip_cfg['arch'], self.clip_cfg['checkpoint'])
        dense = build_dense_encoder(clip_model, dense_mode='value').eval().requires_grad_(False)
        text = TextTower(clip_model).eval().requires_grad_(False)
        self._towers: Dict[str, torch.nn.Module] = dict(encoder=vit, clip=clip_model, dense_clip=dense, text=text)
        self.dense_text = ClassEmbeddingCache(text, self.templates)
        self._bank: Optional[ConceptReferences] = None
        self.register_buffer('references', torch.zeros(len(self.class_names), vit.embed_dim))
        # crc32 of the class names the references were built for (0: not built yet); it travels
        # with the references in checkpoints so a stale file is detected.
        self.register_buffer('references_key', torch.tensor(0, dtype=torch.long))
        self._class_key = zlib.crc32('\n'.join(self.class_names).encode()) or 1

    # ------------------------------------------------------------------ frozen towers
    def _apply(self, fn, *args, **kwargs):
        super()._apply(fn, *args, **kwargs)
        for tower in getattr(self, '_towers', {}).values():
            tower._apply(fn, *args, **kwargs)
        return self

    @property
    def encoder(self):
        """The co-segmentation encoder (RGB 0..255 -> ``[B, C, h, w]``)."""
        return self._towers['encoder']

    @property
    def dense_clip(self):
        return self._towers['dense_clip']

    # ------------------------------------------------------------------ references
    def reference_bank(self) -> ConceptReferences:
        """Build (once) the retrieval + co-segmentation machinery from the configured index."""
        if self._bank is None:
            rclip = self._retrieval_clip()
            index = self.load_index(rclip)
            c = self.coseg_cfg
            self._bank = ConceptReferences(
                index, ClassEmbeddingCache(TextTower(rclip), self.templates), self.encoder,
                self.dense_clip, self.dense_text, k=c['k'], image_size=c['image_size'],
                use_text_attention=c['text_attention'], temperature=c['temperature'],
                context_concepts=c['context_concepts'], context_aliases=c['context_aliases'],
                batch_size=c['batch_size'], chunk=c['chunk'], log=lambda m: print_log(m, 'current'))
        return self._bank

    def _retrieval_clip(self):
        """The retrieval CLIP, built on first use (shared with the dense CLIP when identical)."""
        if 'retrieval_clip' not in self._towers:
            cfg = self.retrieval_cfg
            same = (cfg['arch'], cfg['checkpoint']) == (self.clip_cfg['arch'], self.clip_cfg['checkpoint'])
            model = self._towers['clip'] if same else build_clip(cfg['arch'], cfg['checkpoint'])
            self._towers['retrieval_clip'] = model.eval().requires_grad_(False).to(self.references.device)
        return self._towers['retrieval_clip']

    def load_index(self, retrieval_clip=None) -> ImageIndex:
        """Load the index file, or build/update it from ``index.images`` when given."""
        cfg = self.index_cfg
        if cfg['file'] is None and cfg['images'] is None:
            raise ValueError('ReCoSegmentor.index needs file= (a ReCo image index) or images= '
                             '(an unlabelled image folder to index)')
        arch = canonical_arch(self.retrieval_cfg['arch'])
        if cfg['images'] is None:
            index = ImageIndex.load(cfg['file'])
            if index.meta.get('arch') != arch:
                raise ValueError(f"index {cfg['file']!r} holds {index.meta.get('arch')} embeddings but "
                                 f'retrieval_clip.arch is {arch}; set retrieval_clip to the CLIP of the index')
            return index
        meta = dict(arch=arch, checkpoint=str(self.retrieval_cfg['checkpoint']))
        return build_image_index(cfg['images'], retrieval_clip or self._retrieval_clip(), cfg['file'],
                                 meta, cfg['batch_size'], cfg['num_workers'],
                                 log=lambda m: print_log(m, 'current'))

    @torch.no_grad()
    def build_references(self) -> torch.Tensor:
        """Retrieve + co-segment every class name; fills and returns ``references [K, C]``."""
        refs = self.reference_bank().build(self.class_names)
        self.references.copy_(refs.to(self.references))
        self.references_key.fill_(self._class_key)
        return self.references

    # ------------------------------------------------------------------ MMSeg interface
    def extract_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        """Dense ViT features ``[B, C, h, w]`` of RGB inputs (0..255)."""
        return self.encoder(inputs)

    @torch.no_grad()
    def encode_decode(self, inputs: torch.Tensor, batch_img_metas: Optional[List[dict]] = None) -> torch.Tensor:
        """ReCo scores ``[B, L, H, W]`` at input resolution (``L`` labels)."""
        key = int(self.references_key)
        if key == 0:
            self.build_references()
        elif key != self._class_key:
            raise ValueError('the loaded ReCo references were built for other class_names; rebuild them with '
                             '`python tools/reco_build_index.py CONFIG --out REFS.pth`')
        size = inputs.shape[-2:]
        scores = reference_scores(self.extract_feat(inputs), self.references, size)
        attention = None
        if self.dense_clip_inference:
            text = self.dense_text.embed(self.class_names).to(inputs.device)
            dense = self.dense_clip(normalize_images(inputs))['dense_embed']
            attention = text_attention(dense, text, self.temperature)
        scores = fuse(scores, attention)
        if self.concept_labels is not None:
            scores = group_scores(scores, self.concept_labels, self.num_labels)
        return scores

    def predict(self, inputs: torch.Tensor, data_samples=None):
        metas = None if data_samples is None else [s.metainfo for s in data_samples]
        return self.postprocess_result(self.encode_decode(inputs, metas), data_samples)

    def _forward(self, inputs: torch.Tensor, data_samples=None) -> torch.Tensor:
        return self.encode_decode(inputs)

    def loss(self, inputs, data_samples) -> dict:
        raise RuntimeError('ReCo is training-free; write its pseudo-labels with tools/reco_pseudo_labels.py '
                           'and train the ReCo+ student (configs/reco/reco_plus_*.py) with tools/train.py')
