"""The README and the pages of docs/: a short README that starts with the two commands, pages whose links, pictures
and anchors all resolve, real panel screenshots, benchmark tables that equal their results file, and no path of the
machine that made them."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
PAGES = sorted(DOCS.glob("*.md"))
MACHINE_PATHS = ("/tmp/", "/var/tmp/", "/root/", "/work/")

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
# [text](target) and ![alt](target); a target has no spaces here, and may end in a "title".
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def without_code(text: str) -> str:
    """``text`` without fenced code blocks and inline code, where links and headings are only text."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text lower-cased, without punctuation, spaces made hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text
    text = text.replace("`", "").replace("*", "").lower().strip()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a Markdown page, repeated headings numbered as GitHub numbers them."""
    seen: dict[str, int] = {}
    found = set()
    for match in HEADING.finditer(FENCE.sub("", path.read_text())):
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> list[str]:
    return LINK.findall(without_code(path.read_text()))


def code_blocks(text: str) -> list[str]:
    return [block.group(0).split("\n", 1)[1].rsplit("\n", 1)[0].strip() for block in FENCE.finditer(text)]


def test_the_readme_is_short_and_starts_with_the_two_commands():
    text = README.read_text()
    assert len(text.splitlines()) <= 200
    assert code_blocks(text)[:2] == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    assert text.index("bash scripts/demo.sh") < text.index("## What it does")  # the commands come first


def test_the_docs_have_a_page_per_subject_each_starting_with_its_title():
    assert len(PAGES) >= 6
    for page in PAGES:
        assert page.read_text().startswith("# "), page.name


@pytest.mark.parametrize("page", [README, *PAGES], ids=lambda path: path.name)
def test_every_relative_link_and_picture_resolves(page: Path):
    problems = []
    for target in links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        if not linked.exists():
            problems.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            problems.append(f"{target}: no heading #{anchor} in {linked.name}")
    assert problems == []


def test_the_slugs_are_githubs():
    assert slug("Directions & Actions") == "directions--actions"
    assert slug("Sprite sets: every facing of every action, sheets and engine files") == (
        "sprite-sets-every-facing-of-every-action-sheets-and-engine-files"
    )
    assert slug("The full run of 2026-12-06") == "the-full-run-of-2026-12-06"
    assert slug("Options of `process`") == "options-of-process"


def test_every_picture_of_the_docs_is_used_and_the_readme_shows_the_sheet_and_its_preview():
    used = {(page.parent / target).resolve() for page in [README, *PAGES] for target in links(page)}
    pictures = [path for path in DOCS.iterdir() if path.suffix in (".png", ".gif")]
    assert [path.name for path in pictures if path.resolve() not in used] == []
    readme_links = links(README)
    assert "docs/walk_sheet.png" in readme_links and "docs/walk_preview.gif" in readme_links


def test_the_panel_screenshots_are_real_pngs():
    screenshots = sorted(DOCS.glob("*panel*.png"))
    assert len(screenshots) >= 7  # the main panel and its six sub-panels
    for path in screenshots:
        with Image.open(path) as image:
            assert image.format == "PNG", path.name
            assert image.width >= 200 and image.height >= 200, (path.name, image.size)
            image.verify()


def _docs_tables(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    spec = importlib.util.spec_from_file_location("docs_tables", ROOT / "scripts" / "docs_tables.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_performance_tables_are_made_from_the_results_file(monkeypatch):
    docs_tables = _docs_tables(monkeypatch)
    results = json.loads((DOCS / "benchmark_results.json").read_text())
    page = (DOCS / "performance.md").read_text()
    assert docs_tables.page_tables(page) == docs_tables.tables_markdown(results)
    assert docs_tables.with_tables(page, results) == page  # what scripts/docs_tables.py would write
    for name in results["sections"]:
        assert f"### {name}\n" in page


def test_no_page_or_results_file_holds_a_path_of_the_machine_that_made_it():
    for path in [README, *PAGES, *DOCS.glob("*.json")]:
        text = path.read_text()
        assert [folder for folder in MACHINE_PATHS if folder in text] == [], path.name


def test_the_benchmark_keeps_no_path_of_the_machine(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    from scripts.bench.machine import portable_command, portable_path
    from scripts.bench.tables import provenance

    assert portable_path("/var/tmp/demo18/renders/sprites") == "sprites"
    assert portable_path(ROOT / ".venv" / "bin" / "python") == ".venv/bin/python"
    assert portable_path("docs/benchmark_results.json") == "docs/benchmark_results.json"
    command = ["--only", "packing", "--packing-demo", "/var/tmp/d/sprites", "--results=/tmp/r.json", "--runs", "2"]
    expected = ["--only", "packing", "--packing-demo", "sprites", "--results=r.json", "--runs", "2"]
    assert portable_command(command) == expected
    results = json.loads((DOCS / "benchmark_results.json").read_text())
    results["run"]["command"] = command  # a results file of an earlier version, which kept the paths
    line = provenance(results)
    assert "--packing-demo sprites" in line and all(folder not in line for folder in MACHINE_PATHS)
