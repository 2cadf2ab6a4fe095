"""Registered models: importing this package registers every module below it (backbones,
method packages such as ``denseclip`` or ``anovl``) in MMSegmentation's / MMDetection's registries."""
from clipdense.utils.registration import import_submodules

import_submodules(__name__)
