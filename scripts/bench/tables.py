"""The benchmark tables of docs/performance.md, in Markdown, from a results JSON of ``run``; each section says which
run it comes from (scripts/docs_tables.py puts them into the page):

.venv/bin/python -m scripts.bench.tables RESULTS.json [--section SECTION ...]

With ``--merge-into FILE`` it prints nothing, and puts the sections of RESULTS into the results file FILE instead
(docs/benchmark_results.json), each keeping the run it came from: a section measured on its own joins the others'
tables without claiming their run, and theirs without claiming its.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .machine import portable_command
from .section_tables import RENDERERS


def provenance(results: dict[str, Any], section: str | None = None) -> str:
    """Which run, machine, date and commit the figures (of ``section``) come from, and the command that made them,
    with no path of the machine that ran it (a path option's value is cut to what ``machine.portable_path`` keeps).
    A section merged from another run (``merged``) says that run's."""
    own = results.get("section_runs", {}).get(section, {})
    run, machine = own.get("run", results["run"]), own.get("machine", results["machine"])
    packages = machine["packages"]
    commit = (run["git_commit"] or "unknown")[:10] + (
        " with uncommitted changes" if run["git_uncommitted_changes"] else ""
    )
    ram = f", {machine['ram_bytes'] / 1024**3:.0f} GiB RAM" if machine["ram_bytes"] else ""
    versions = ", ".join(
        [f"Python {machine['python']}"] + [f"{name} {packages[name]}" for name in ("numpy", "bpy") if packages[name]]
    )
    command = " ".join(["python -m scripts.bench", *portable_command(run["command"])])
    return (
        f"_Run of {run['date']}, commit {commit}; {machine['cpu_count']} × {machine['cpu_model']}{ram}; "
        f"{versions}; `{command}`._"
    )


def section_markdown(name: str, results: dict[str, Any]) -> str:
    """The heading, tables and provenance of the section ``name`` of ``results``."""
    data = results["sections"][name]
    seconds = results["section_seconds"].get(name)
    took = f" (the section took {seconds:.1f} s)" if seconds is not None else ""
    body = f"Skipped: {data['skipped']}." if "skipped" in data else RENDERERS[name](data)
    return f"### {name}\n\n{body}\n\n{provenance(results, name)}{took}\n"


def all_markdown(results: dict[str, Any], sections: Sequence[str] | None = None) -> str:
    names = [name for name in results["sections"] if sections is None or name in sections]
    return "\n".join(section_markdown(name, results) for name in names)


def merged(into: dict[str, Any], results: dict[str, Any], sections: Sequence[str]) -> dict[str, Any]:
    """``into`` with ``sections`` of ``results`` added (or replacing its own), each with the run and machine it
    came from where that is not ``into``'s."""
    combined = json.loads(json.dumps(into))
    runs = combined.setdefault("section_runs", {})
    for name in sections:
        combined["sections"][name] = results["sections"][name]
        combined["section_seconds"].pop(name, None)
        if name in results["section_seconds"]:
            combined["section_seconds"][name] = results["section_seconds"][name]
        own = results.get("section_runs", {}).get(name, {"run": results["run"], "machine": results["machine"]})
        runs.pop(name, None)
        if (own["run"], own["machine"]) != (combined["run"], combined["machine"]):
            runs[name] = own
    if not runs:
        del combined["section_runs"]
    return combined


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.bench.tables", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("results", type=Path, help="a results JSON written by python -m scripts.bench")
    parser.add_argument(
        "--section", nargs="+", choices=RENDERERS, metavar="SECTION", help="these sections only (default: all in it)"
    )
    parser.add_argument("--merge-into", type=Path, metavar="FILE", help="put the sections into this results file")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text())
    if args.merge_into is not None:
        into = json.loads(args.merge_into.read_text())
        combined = merged(into, results, args.section or list(results["sections"]))
        args.merge_into.write_text(json.dumps(combined, indent=1, ensure_ascii=False) + "\n")
        return 0
    print(all_markdown(results, args.section), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
