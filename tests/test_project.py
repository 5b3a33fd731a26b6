"""Project rules: the engine and the command line never need Blender; the engine's stages import only earlier
stages and nothing imports in a circle; no file is too long; the version has one source; the built wheel holds every
package; lint and types are clean."""

import ast
import itertools
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib
from helpers import dev_tool

# Byte identity, the benchmark, ruff, mypy and the package: the same under every Python and bpy (see pyproject).
pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[1]


def test_engine_and_cli_import_without_bpy():
    code = (
        "import sys; sys.modules['bpy'] = None\n"  # any 'import bpy' now raises ImportError
        "import pixel_sprites, pixel_sprites.engine, pixel_sprites.cli\n"
        "assert sys.modules['bpy'] is None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_engine_sources_never_mention_bpy():
    for path in (ROOT / "addon" / "engine").rglob("*.py"):
        text = path.read_text()
        assert "import bpy" not in text and "from bpy" not in text, path


def test_ruff_is_clean():
    result = subprocess.run(
        [dev_tool("ruff"), "check", "addon", "tests", "scripts"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout
    result = subprocess.run(
        [dev_tool("ruff"), "format", "--check", "addon", "tests", "scripts"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_mypy_is_clean():
    result = subprocess.run([dev_tool("mypy"), "addon"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


# The engine's stage folders in the order data flows through them; ``files`` is the plumbing all of them share.
STAGES = ("files", "frames", "colour", "palette", "sprites", "sets", "export", "jobs")
# Modules at the top of the engine, which any stage may import and which import no stage, but for the registry of
# sheet formats, whose names ``options.SHEET_FORMATS`` is: its package imports no format until one is asked for.
ENGINE_TOP = ("errors", "options")
FORMAT_REGISTRY = "pixel_sprites.engine.export.formats"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT / "addon").with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["pixel_sprites", *parts])


def _imports(path: Path) -> set[str]:
    """Every module of pixel_sprites that ``path`` imports, at the top or inside a function (lazy imports too)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # ``from . import options`` imports the module options, not its package's __init__.
            submodules = [f"{target}.{alias.name}" for alias in node.names if _exists(f"{target}.{alias.name}")]
            candidates = submodules if len(submodules) == len(node.names) else [target, *submodules]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found.update(name for name in candidates if name.startswith("pixel_sprites") and _exists(name))
    found.discard(module)
    return found


def _exists(module: str) -> bool:
    relative = Path("addon", *module.split(".")[1:])
    return (ROOT / relative.with_suffix(".py")).is_file() or (ROOT / relative / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    return {_module_name(path): _imports(path) for path in (ROOT / "addon").rglob("*.py")}


def test_each_engine_stage_imports_only_itself_and_earlier_stages():
    wrong = []
    for module, imported in _graph().items():
        parts = module.split(".")
        if parts[1:2] != ["engine"] or len(parts) < 3:
            continue
        for target in imported:
            target_parts = target.split(".")
            if target_parts[1:2] != ["engine"]:
                wrong.append(f"{module} imports {target}, outside the engine")
            elif len(target_parts) == 2:
                if module != "pixel_sprites.engine.__init__" and len(parts) > 2:
                    wrong.append(f"{module} imports the engine package itself")
            elif parts[2] in ENGINE_TOP:
                if target_parts[2] not in ENGINE_TOP and target != FORMAT_REGISTRY:
                    wrong.append(f"{module} (top of the engine) imports the stage module {target}")
            elif target_parts[2] in STAGES and STAGES.index(target_parts[2]) > STAGES.index(parts[2]):
                wrong.append(f"{module} ({parts[2]}) imports {target}, of the later stage {target_parts[2]}")
    assert wrong == []
    folders = sorted(path.name for path in (ROOT / "addon" / "engine").iterdir() if (path / "__init__.py").is_file())
    assert folders == sorted(STAGES)
    for stage in STAGES:  # each folder says what its job is, in a line
        assert ast.get_docstring(ast.parse((ROOT / "addon" / "engine" / stage / "__init__.py").read_text())), stage


def test_the_options_take_the_sheet_formats_from_the_registry_without_loading_a_format():
    code = (
        "import sys; from pixel_sprites.engine import options; from pixel_sprites.engine.export import formats; "
        "assert options.SHEET_FORMATS == formats.REGISTERED; "
        "print(sorted(name for name in sys.modules if name.startswith('pixel_sprites.engine.export')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['pixel_sprites.engine.export', 'pixel_sprites.engine.export.formats']"


def test_no_module_imports_in_a_circle_lazy_imports_included():
    graph = _graph()
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if target.endswith(".__init__") or target not in graph:
                continue
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif state.get(target) is None:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    # A package imports its own modules from its __init__ (the engine's lazily): those are not cycles.
    assert [cycle for cycle in cycles if not _through_own_init(cycle)] == []


def _through_own_init(cycle: str) -> bool:
    """A cycle that only passes through a package and a module inside it (the package's __init__ naming it)."""
    modules = cycle.split(" -> ")
    return any(
        second.startswith(first + ".") or first.startswith(second + ".")
        for first, second in itertools.pairwise(modules)
    )


def test_no_python_file_of_the_add_on_or_the_scripts_is_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): count
        for folder in ("addon", "scripts")
        for path in (ROOT / folder).rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}


def test_importing_the_engine_loads_no_stage_until_a_name_is_used():
    code = (
        "import sys, pixel_sprites.engine as engine\n"
        "stages = sorted(m for m in sys.modules if m.startswith('pixel_sprites.engine.'))\n"
        "assert stages == [], stages\n"
        "engine.write_sheets\n"
        "assert 'pixel_sprites.engine.export.sheets' in sys.modules\n"
        "assert 'pixel_sprites.engine.sprites.pipeline' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_version_has_one_source_and_blenders_literal_copies_equal_it():
    from pixel_sprites.engine.options import VERSION

    manifest = tomllib.loads((ROOT / "blender_manifest.toml").read_text(encoding="utf-8"))
    assert manifest["version"] == VERSION
    init = ast.parse((ROOT / "addon" / "__init__.py").read_text(encoding="utf-8"))
    bl_info = next(
        node.value
        for node in init.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "bl_info"
    )
    assert ".".join(map(str, ast.literal_eval(bl_info)["version"])) == VERSION
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "pixel_sprites.engine.options.VERSION"}


def test_the_flamenco_job_types_limits_and_names_equal_the_options():
    from pixel_sprites.engine import options
    from pixel_sprites.engine.sets.facings import COMPASS

    script = (ROOT / "scripts" / "flamenco" / "pixel_sprites.js").read_text(encoding="utf-8")

    def constant(name: str) -> str:
        match = re.search(rf"^const {name} = (.+);$", script, re.M)
        assert match is not None, name
        return match.group(1)

    assert constant("MAX_FACINGS") == str(options.DIRECTIONS.maximum)
    assert constant("MAX_PIXEL") == str(options.PIXEL.maximum)
    assert constant("PALETTE_LIMIT") == str(options.PALETTE_LIMIT)
    assert tuple(re.findall(r'"([A-Z]+)"', constant("COMPASS"))) == COMPASS


def test_the_built_wheel_holds_every_package_and_its_engine_imports(tmp_path):
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr[-3000:]
    from pixel_sprites.engine.options import VERSION

    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name.startswith(f"pixel_sprites-{VERSION}-")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "unpacked")
    sources = {
        "pixel_sprites/" + str(path.relative_to(ROOT / "addon")).replace(os.sep, "/")
        for path in (ROOT / "addon").rglob("*.py")
    }
    assert sources - names == set()
    modules = sorted(_module_name(path) for path in (ROOT / "addon").rglob("*.py") if "blender" not in path.parts)
    code = (
        "import importlib, sys\n"
        f"for name in {[name for name in modules if name != 'pixel_sprites.__main__']!r}:\n"
        "    module = importlib.import_module(name)\n"
        f"    assert module.__file__.startswith({str(tmp_path / 'unpacked')!r}), module.__file__\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(tmp_path / "unpacked")}
    subprocess.run([sys.executable, "-c", code], check=True, env=environment, cwd=tmp_path)
