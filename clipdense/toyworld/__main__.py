"""``python -m clipdense.toyworld --root DIR [--parts ...] [--seed N]``."""
import sys

from .world import main

sys.exit(main())
