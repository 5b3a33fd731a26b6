"""``python -m scripts.bench``, from the repository's root: see ``run``."""

import sys

from .run import main

sys.exit(main())
