"""Shared CLIP machinery: building and loading models, dense features, text embeddings."""
from .builder import CLIP_ARCHS, DEFAULT_CACHE_DIR, build_clip, canonical_arch
from .checkpoint import CLIPCheckpointError, load_clip_checkpoint, read_state_dict, resolve_checkpoint
from .constants import CLIP_MEAN, CLIP_MEAN_255, CLIP_STD, CLIP_STD_255, IMAGENET_MEAN_255, IMAGENET_STD_255
from .context_prompts import ContextPrompts
from .dense import build_dense_encoder
from .dense_eva import EVADenseEncoder
from .dense_resnet import ResNetDenseEncoder
from .dense_vit import ViTDenseEncoder, interpolate_pos_embed
from .pos_embed import PosEmbedResampling
from .templates import TEMPLATE_SETS, get_templates
from .text import ClassEmbeddingCache, TextTower, validate_class_names

__all__ = [
    'CLIP_ARCHS', 'DEFAULT_CACHE_DIR', 'build_clip', 'canonical_arch', 'CLIPCheckpointError',
    'load_clip_checkpoint', 'read_state_dict', 'resolve_checkpoint', 'ContextPrompts', 'CLIP_MEAN',
    'CLIP_MEAN_255', 'CLIP_STD', 'CLIP_STD_255', 'IMAGENET_MEAN_255', 'IMAGENET_STD_255',
    'PosEmbedResampling',
    'build_dense_encoder', 'EVADenseEncoder', 'ResNetDenseEncoder', 'ViTDenseEncoder',
    'interpolate_pos_embed', 'TEMPLATE_SETS', 'get_templates', 'ClassEmbeddingCache', 'TextTower',
    'validate_class_names',
]
