"""The 14 prompt templates of ViLD, which OVSeg ensembles for class-name text embeddings.

Pass ``templates=VILD_TEMPLATES`` (or the config string ``'vild'``) to
:class:`~clipdense.models.ovseg.MaskAdaptedCLIP`; the shared
:class:`~clipdense.clip.ClassEmbeddingCache` averages the normalised embeddings of all
templates per class and renormalises.
"""
VILD_TEMPLATES = (
    'a photo of a {}.',
    'This is a photo of a {}',
    'There is a {} in the scene',
    'There is the {} in the scene',
    'a photo of a {} in the scene',
    'a photo of a small {}.',
    'a photo of a medium {}.',
    'a photo of a large {}.',
    'This is a photo of a small {}.',
    'This is a photo of a medium {}.',
    'This is a photo of a large {}.',
    'There is a small {} in the scene.',
    'There is a medium {} in the scene.',
    'There is a large {} in the scene.',
)


def resolve_templates(templates):
    """``'vild'`` -> :data:`VILD_TEMPLATES`; anything else is passed to the shared template sets."""
    return list(VILD_TEMPLATES) if templates == 'vild' else templates
