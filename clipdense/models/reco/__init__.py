"""ReCo: Retrieve and Co-segment for zero-shot transfer (Shin, Xie & Albanie, NeurIPS 2022)."""
from .co_segmentation import reference_embedding, seed_scores, select_seeds
from .inference import context_weights, fuse, group_scores, reference_scores, text_attention
from .references import RECO_TEMPLATES, ConceptReferences
from .retrieval import ImageIndex, build_image_index, embed_images, list_images
from .segmentor import ReCoSegmentor
from .vit_encoder import DenseViTEncoder

__all__ = [
    'reference_embedding', 'seed_scores', 'select_seeds', 'context_weights', 'fuse', 'group_scores',
    'reference_scores', 'text_attention', 'RECO_TEMPLATES', 'ConceptReferences', 'ImageIndex',
    'build_image_index', 'embed_images', 'list_images', 'ReCoSegmentor', 'DenseViTEncoder',
]
