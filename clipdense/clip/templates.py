"""Prompt templates. The 80 ImageNet templates of the CLIP paper come from open_clip."""
from open_clip.zero_shot_metadata import OPENAI_IMAGENET_TEMPLATES, SIMPLE_IMAGENET_TEMPLATES

SINGLE_TEMPLATE = (lambda c: f'a photo of a {c}.',)

TEMPLATE_SETS = {
    'imagenet80': tuple(OPENAI_IMAGENET_TEMPLATES),
    'imagenet7': tuple(SIMPLE_IMAGENET_TEMPLATES),
    'single': SINGLE_TEMPLATE,
    'name': (lambda c: c,),
}


def get_templates(templates):
    """Accept a set name (``'imagenet80'``, ``'imagenet7'``, ``'single'``, ``'name'``), a list of
    ``'{}'`` format strings, or a list of callables; return a tuple of callables."""
    if isinstance(templates, str):
        if templates not in TEMPLATE_SETS:
            raise ValueError(f'unknown template set {templates!r}; choose one of {sorted(TEMPLATE_SETS)} '
                             'or pass a list of strings with "{}"')
        return TEMPLATE_SETS[templates]
    out = []
    for t in templates:
        if callable(t):
            out.append(t)
        elif isinstance(t, str) and '{}' in t:
            out.append(t.format)
        else:
            raise ValueError(f'prompt template {t!r} must contain "{{}}" for the class name')
    return tuple(out)
