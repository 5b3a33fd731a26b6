"""The benchmark, as before: ``.venv/bin/python scripts/benchmark.py [options]`` runs ``python -m scripts.bench``
with the same options (see ``scripts/bench/run.py``, or ``--help``)."""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's root, where ``scripts`` is
    from scripts.bench.run import main

    sys.exit(main())
