"""The toy world: a small, seeded, procedurally generated stand-in for the real datasets.

``ensure_toy_world(root)`` writes (only what is missing):

* ``objects/``: coloured shapes with colour/shape label maps and COCO captions; held-out
  names :data:`UNSEEN_COLOURS`, :data:`UNSEEN_SHAPES` never appear in its train split;
* ``clip_pretrain/``: image-caption pairs to pretrain the tiny CLIP (``tools/pretrain_toy_clip.py``);
* ``gta5/`` and ``cityscapes/``: street scenes in a clean and a shifted domain, in the
  GTA5 and Cityscapes layouts;
* ``mvtec/``: MVTec-AD-layout inspection images with scratches, holes and stains;
* ``umd/``: UMD-layout tool images with part-affordance masks; ``pool/``: unlabeled images.

Command line: ``python -m clipdense.toyworld --root data/toyworld``.
"""
from .vocabulary import (COLOUR_NAMES, SHAPE_NAMES, STREET_CLASSES, TOY_TEMPLATES, UNSEEN_COLOURS,
                         UNSEEN_SHAPES)
from .world import DEFAULT_ROOT, PARTS, ensure_toy_world, part_is_present

__all__ = ['ensure_toy_world', 'part_is_present', 'PARTS', 'DEFAULT_ROOT', 'COLOUR_NAMES',
           'SHAPE_NAMES', 'STREET_CLASSES', 'TOY_TEMPLATES', 'UNSEEN_COLOURS', 'UNSEEN_SHAPES']
