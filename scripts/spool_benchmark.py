"""The spool benchmark, now the ``spool`` section of ``scripts/bench`` (see ``scripts/bench/spool.py``):

    .venv/bin/python scripts/spool_benchmark.py [--frames 30000] [--work DIR] [--results FILE]

runs ``python -m scripts.bench --only spool --spool-frames FRAMES --work-dir DIR``.
"""

import argparse
import sys
from pathlib import Path

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", default="30000", help="frames in the render folder (default 30000)")
    parser.add_argument("--work", help="folder for the frames and outputs (default the benchmark's work folder)")
    parser.add_argument("--results", help="the results JSON (default results.json in the work folder)")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's root, where ``scripts`` is
    from scripts.bench.run import main

    options = ["--only", "spool", "--spool-frames", args.frames]
    options += ["--work-dir", args.work] if args.work else []
    options += ["--results", args.results] if args.results else []
    sys.exit(main(options))
