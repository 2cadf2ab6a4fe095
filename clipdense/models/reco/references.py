"""ReCo steps 1+2 for a list of concept names: retrieve an archive of ``k`` images per concept from
the index, co-segment it with the ViT's dense features, and keep one reference embedding each.

Co-segmentation weights (per pixel of every archive image, multiplied together):

* language guidance: ``σ(τ · cos(CLIP dense embedding, concept text))`` (``text_attention``);
* context elimination: ``Π_c (1 - σ(cos(f, r_c)))`` over the references ``r_c`` of background
  concepts (``context_concepts``). These are co-segmented first, one after another as the
  released code does: context concept ``i`` is eliminated against concepts ``0..i-1`` (the
  first against none).

A concept that is itself a context concept reuses that reference, and ``context_aliases`` maps
a concept to a context concept's reference (the released code does ``vegetation -> tree``).
References are cached per concept, so a new concept list only co-segments the new names.
"""
from typing import Dict, List, Optional, Sequence

import torch
from PIL import Image

from clipdense.clip import ClassEmbeddingCache, get_templates

from .co_segmentation import reference_embedding
from .inference import context_weights, text_attention
from .retrieval import ImageIndex, load_square_crop, normalize_images

# DenseCLIP's prompt set used by ReCo: CLIP's 80 ImageNet templates plus 5 scene templates.
SCENE_TEMPLATES = ('there is a {} in the scene.', 'there is the {} in the scene.',
                   'this is a {} in the scene.', 'this is the {} in the scene.',
                   'this is one {} in the scene.')
RECO_TEMPLATES = get_templates('imagenet80') + get_templates(list(SCENE_TEMPLATES))
DEFAULT_CONTEXT = ('tree', 'sky', 'building', 'road', 'person')


def resolve_templates(templates):
    """``'reco85'`` (ReCo's 85 prompts) or anything :func:`clipdense.clip.get_templates` accepts."""
    return RECO_TEMPLATES if templates == 'reco85' else get_templates(templates)


class ConceptReferences:
    """Reference embeddings ``[C]`` of concepts, built from an unlabelled image index.

    Args:
        index: the CLIP image index of the unlabelled collection.
        retrieval_text: text embeddings in the index's CLIP space (ranks the index).
        encoder: dense ViT, RGB ``[B, 3, H, W]`` (0..255) -> ``[B, C, h, w]``.
        dense_clip: CLIP dense encoder (``enc(x)['dense_embed']``) for language guidance.
        dense_text: text embeddings in ``dense_clip``'s space.
        k: archive size (images per concept).
        image_size: archive images are resized (shorter side) and centre-cropped to this.
        use_text_attention / temperature: language-guided co-segmentation and its ``τ``.
        context_concepts: background concepts for context elimination (empty: off).
        context_aliases: ``{concept: context concept}`` whose reference is reused.
        batch_size: images per encoder forward; chunk: affinity rows per step.
    """

    def __init__(self, index: ImageIndex, retrieval_text: ClassEmbeddingCache, encoder,
                 dense_clip=None, dense_text: Optional[ClassEmbeddingCache] = None, k: int = 50,
                 image_size: int = 224, use_text_attention: bool = True, temperature: float = 10.0,
                 context_concepts: Sequence[str] = DEFAULT_CONTEXT,
                 context_aliases: Optional[Dict[str, str]] = None, batch_size: int = 16,
                 chunk: int = 4096, log=print):
        if use_text_attention and (dense_clip is None or dense_text is None):
            raise ValueError('language-guided co-segmentation needs dense_clip and dense_text; '
                             'pass them or set use_text_attention=False')
        unknown = sorted(set((context_aliases or {}).values()) - set(context_concepts))
        if unknown:
            raise ValueError(f'context_aliases point to {unknown}, which are not context_concepts')
        self.index, self.retrieval_text, self.encoder = index, retrieval_text, encoder
        self.dense_clip, self.dense_text = dense_clip, dense_text
        self.k, self.image_size, self.batch_size, self.chunk = k, image_size, batch_size, chunk
        self.use_text_attention, self.temperature = use_text_attention, temperature
        self.context_concepts = tuple(context_concepts)
        self.context_aliases = dict(context_aliases or {})
        self.log = log
        self._refs: Dict[str, torch.Tensor] = {}
        self._context: Optional[torch.Tensor] = None
        self.archives: Dict[str, List[str]] = {}   # concept -> retrieved image paths
        self.seeds: Dict[str, torch.Tensor] = {}     # concept -> [k] flat seed index per image

    @property
    def device(self):
        return next(self.encoder.parameters()).device

    def retrieve(self, names: Sequence[str]) -> List[List[str]]:
        """Top-``k`` image paths of every concept (one batched ranking)."""
        paths = self.index.retrieve(self.retrieval_text.embed(list(names)), self.k)
        self.archives.update(zip(names, paths))
        return paths

    def load_archive(self, paths: Sequence[str]) -> torch.Tensor:
        """``uint8 [n, 3, S, S]`` images (shorter side resized, centre crop) on the encoder's device."""
        crops = [load_square_crop(p, self.image_size, Image.BILINEAR) for p in paths]
        return torch.stack(crops).to(self.device)

    @torch.no_grad()
    def co_segment(self, name: str, paths: Sequence[str], context_refs: Optional[torch.Tensor]) -> torch.Tensor:
        """Reference embedding ``[C]`` of ``name`` from its archive ``paths``."""
        images = self.load_archive(paths)
        chunks = images.split(self.batch_size)
        feats = torch.cat([self.encoder(x) for x in chunks])                    # [n, C, h, w]
        weights = feats.new_ones(feats.shape[0], *feats.shape[2:]).float()
        if self.use_text_attention:
            text = self.dense_text.embed([name]).to(self.device)
            dense = torch.cat([self.dense_clip(normalize_images(x))['dense_embed'] for x in chunks])
            weights = weights * text_attention(dense, text, self.temperature, feats.shape[-2:])[:, 0]
        if context_refs is not None:
            weights = weights * context_weights(feats, context_refs)
        ref, seeds = reference_embedding(feats, weights, self.chunk)
        self.seeds[name] = seeds.cpu()
        return ref

    def context_references(self) -> torch.Tensor:
        """``[Kc, C]`` references of the context concepts, co-segmented in order: concept ``i``
        with context elimination against the references of concepts ``0..i-1`` (the first one
        without elimination), as the released ``ReCo.__init__`` does."""
        if self._context is None:
            names = list(self.context_concepts)
            refs: List[torch.Tensor] = []
            if names:
                self.log(f'co-segmenting {len(names)} context concepts: {names}')
                for name, paths in zip(names, self.retrieve(names)):
                    previous = torch.stack(refs) if refs else None
                    refs.append(self.co_segment(name, paths, previous))
            self._context = torch.stack(refs) if refs else torch.zeros(0, self.encoder.embed_dim,
                                                                      device=self.device)
        return self._context

    def build(self, names: Sequence[str]) -> torch.Tensor:
        """``[K, C]`` L2-normalised references of ``names`` (cached per concept)."""
        names = list(names)
        context = self.context_references() if self.context_concepts else None
        ctx_of = {n: i for i, n in enumerate(self.context_concepts)}
        for name, alias in self.context_aliases.items():
            ctx_of.setdefault(name, ctx_of[alias])
        todo = [n for n in names if n not in self._refs and n not in ctx_of]
        if todo:
            self.log(f'retrieving and co-segmenting {len(todo)} concepts (k={self.k})')
            for name, paths in zip(todo, self.retrieve(todo)):
                self._refs[name] = self.co_segment(name, paths, context)
        return torch.stack([context[ctx_of[n]] if n in ctx_of else self._refs[n] for n in names])
