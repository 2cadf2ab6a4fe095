"""Registered evaluators/metrics; importing this package registers them all."""
from clipdense.utils.registration import import_submodules

import_submodules(__name__)
