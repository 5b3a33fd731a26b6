"""Make the benchmark tables of docs/performance.md again from the results file of a benchmark run.

    .venv/bin/python -m scripts.bench ... --results docs/benchmark_results.json   # a run (see scripts/bench/run.py)
    .venv/bin/python scripts/docs_tables.py [--results FILE] [--page FILE] [--check]

The tables are what ``python -m scripts.bench.tables RESULTS`` prints, every section of the run with its provenance
(no path of the machine that ran it); they replace what lies between the page's two markers. ``--check`` changes
nothing and exits with 1 if the page's tables differ from the results file's (tests/test_docs.py does the same).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "benchmark_results.json"
PAGE = ROOT / "docs" / "performance.md"
BEGIN = "<!-- benchmark tables: begin -->"
END = "<!-- benchmark tables: end -->"


def tables_markdown(results: dict[str, Any]) -> str:
    """The block between the markers: every section of ``results``, as ``scripts.bench.tables`` makes it."""
    if str(ROOT) not in sys.path:  # run as a script, from anywhere
        sys.path.insert(0, str(ROOT))
    from scripts.bench.tables import all_markdown

    return all_markdown(results)


def page_tables(page: str) -> str:
    """What lies between the markers of ``page``, without the blank lines next to them."""
    start, end = page.find(BEGIN), page.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the page needs the markers {BEGIN!r} and then {END!r}")
    return page[start + len(BEGIN) : end].strip("\n") + "\n"


def with_tables(page: str, results: dict[str, Any]) -> str:
    """``page`` with the block between its markers made from ``results``."""
    page_tables(page)  # the markers are there, in order
    start, end = page.index(BEGIN) + len(BEGIN), page.index(END)
    return f"{page[:start]}\n\n{tables_markdown(results)}\n{page[end:]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="docs_tables.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="a benchmark results JSON (default: docs/benchmark_results.json)"
    )
    parser.add_argument("--page", type=Path, default=PAGE, help="the page with markers (default: docs/performance.md)")
    parser.add_argument("--check", action="store_true", help="only check that the page's tables are up to date")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text())
    page = args.page.read_text()
    updated = with_tables(page, results)
    if args.check:
        if updated != page:
            print(f"{args.page}: the tables differ from {args.results}: run scripts/docs_tables.py", file=sys.stderr)
            return 1
        return 0
    if updated != page:
        args.page.write_text(updated)
    print(f"{args.page}: tables from {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
