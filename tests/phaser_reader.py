"""Read a sprite sheet the way a real game does: Phaser 3 in Debian's headless Chromium.

``tests/js/phaser/run.mjs`` serves the sheet's JSON and PNG from 127.0.0.1, loads them in a page with
``this.load.aseprite(key, image, json)`` and ``this.anims.createFromAseprite(key)``, and prints what Phaser made of
them. Each call starts its own Chromium (about 2-4 s). Needs ``node`` (20 or newer), ``npm ci`` in
``tests/js/phaser`` and Debian's ``chromium``; :func:`phaser_available` says which is missing.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

PHASER_DIR = Path(__file__).resolve().parent / "js" / "phaser"
RUN_SCRIPT = PHASER_DIR / "run.mjs"
SETUP_HINT = "scripts/setup.sh installs them (apt-get install chromium; npm ci in tests/js/phaser)"


class PhaserError(RuntimeError):
    """Phaser or the browser around it failed, or (strict calls) logged errors or warnings while loading."""


@dataclass(frozen=True)
class PhaserSheet:
    """What Phaser made of one sheet."""

    animations: dict[str, dict[str, Any]]
    """Animation key -> ``frames`` (texture frame names, in play order), ``durations`` (ms each frame shows:
    ``frame.duration or msPerFrame``, as Phaser's AnimationState waits), ``repeat``, ``frameRate``, and also
    ``frameDurations`` (raw frame.duration), ``msPerFrame``, ``duration`` (total ms), ``yoyo``, ``delay``,
    ``repeatDelay``, ``textureKeys``. Keys keep the order of ``meta.frameTags``."""
    frames: dict[str, dict[str, Any]]
    """Texture frame name -> ``cutX``, ``cutY``, ``cutWidth``, ``cutHeight`` (the region of the PNG), ``width``,
    ``height``, ``x``, ``y``, ``realWidth``, ``realHeight``, ``trimmed``, ``rotated``, ``sourceIndex`` and, when read
    with ``pixels=True``, ``rgba``: the region as the browser decoded it, an (h, w, 4) uint8 array with fully
    transparent pixels as 0, 0, 0, 0. Keys keep the order of ``frame_names``."""
    frame_names: list[str]
    """``this.textures.get(key).getFrameNames()``: JavaScript key order, so integer-like names come first, ascending."""
    texture_size: tuple[int, int] | None
    """(width, height) of the loaded image, None when no texture was made."""
    errors: list[str] = field(default_factory=list)
    """Console errors, uncaught page errors, failed or 4xx/5xx requests, Phaser ``loaderror`` events, exceptions."""
    warnings: list[str] = field(default_factory=list)
    """Console warnings, such as Phaser's 'No Aseprite data found' or 'Invalid atlas json'."""
    game_data: dict[str, Any] | None = None
    """The sheet's JSON as Phaser keeps it in ``this.cache.json`` (``slices``: ``meta.slices``; ``frames``), and
    ``played``: animation key -> one entry per frame as a sprite at (100, 100) plays it, ``frame`` (its name),
    ``slices`` (slice name -> None where absent, else ``bounds`` and ``worldX``, ``worldY``: the bounds' top-left
    corner in the world, read through the docs' snippet) and ``rootMotion``; None when Phaser cached no JSON."""
    phaser_version: str | None = None
    browser_version: str | None = None
    seconds: float = 0.0


def _chromium() -> str:
    return os.environ.get("PIXEL_SPRITES_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def phaser_available() -> str | None:
    """None if Phaser in headless Chromium can be run here, otherwise the reason it cannot."""
    node = shutil.which("node")
    if node is None:
        return f"node is not installed; {SETUP_HINT}"
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
        major = int(version.lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError) as error:
        return f"could not tell node's version: {error}"
    if major < 20:
        return f"node {version} is too old: playwright-core needs 20 or newer"
    for needed in ("phaser/dist/phaser.min.js", "playwright-core/package.json"):
        if not (PHASER_DIR / "node_modules" / needed).is_file():
            return f"{PHASER_DIR / 'node_modules' / needed} is missing; {SETUP_HINT}"
    chromium = _chromium()
    if not (os.path.isfile(chromium) and os.access(chromium, os.X_OK)):
        return f"Chromium is not installed at {chromium}; {SETUP_HINT}"
    return None


def require_phaser() -> None:
    """Skip the calling test where Phaser cannot run here; in CI (``CI`` set) fail it instead: CI installs Chromium
    and the npm packages, and without them the check would never run."""
    problem = phaser_available()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the Phaser check cannot run: {problem}", pytrace=False)
        pytest.skip(problem)


def _run_harness(arguments: list[str], timeout: float) -> dict[str, Any]:
    """Run ``run.mjs`` with ``arguments`` (and Chromium, the time-out) and return the JSON report it prints last.

    Raises :class:`PhaserError` when the harness cannot run here, does not finish, or prints no report.
    """
    reason = phaser_available()
    if reason is not None:
        raise PhaserError(reason)
    command = [shutil.which("node") or "node", str(RUN_SCRIPT), *arguments]
    command += ["--chromium", _chromium(), "--timeout-ms", str(int(timeout * 1000))]
    try:
        run = subprocess.run(command, cwd=PHASER_DIR, capture_output=True, text=True, timeout=timeout + 30)
    except subprocess.TimeoutExpired as error:
        raise PhaserError(f"Phaser harness did not finish in {timeout + 30:.0f} s") from error
    try:
        report: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError) as error:
        raise PhaserError(f"Phaser harness failed (exit {run.returncode}): {run.stderr.strip()}") from error
    return report


def _run_on_sheets(flag: str, sheets: list[tuple[Path, Path]], timeout: float, *extra: str) -> dict[str, Any]:
    """:func:`_run_harness` with ``flag`` (``--draw``, ``--sheets``) naming a file that lists ``sheets``."""
    with tempfile.TemporaryDirectory(prefix="pixel-sprites-phaser-") as scratch:
        listing = Path(scratch) / "sheets.json"
        listing.write_text(
            json.dumps([{"json": str(Path(j).resolve()), "image": str(Path(i).resolve())} for j, i in sheets])
        )
        return _run_harness([flag, str(listing), *extra], timeout)


def phaser_load(json_path: Path, image_path: Path, *, pixels: bool = False, timeout: float = 60.0) -> PhaserSheet:
    """Load the sheet in Phaser and report everything it made and logged; never raises for what Phaser logged.

    Raises :class:`PhaserError` only when the harness itself could not run (see :func:`phaser_available`).
    """
    arguments = ["--json", str(Path(json_path).resolve()), "--image", str(Path(image_path).resolve())]
    started = time.monotonic()
    report = _run_harness(arguments + (["--pixels"] if pixels else []), timeout)
    seconds = time.monotonic() - started

    frames: dict[str, dict[str, Any]] = {}
    for name, frame in (report.get("frames") or {}).items():
        frame = dict(frame)
        if "rgba" in frame:
            data = np.frombuffer(base64.b64decode(frame["rgba"]), dtype=np.uint8)
            frame["rgba"] = data.reshape(frame["cutHeight"], frame["cutWidth"], 4)
        frames[name] = frame
    animations = {}
    for key in report.get("animationOrder", []):
        anim = dict(report["animations"][key])
        # Phaser leaves frameRate null (and duration NaN) for an animation that found none of its frames.
        anim["frameRate"] = None if anim["frameRate"] is None else float(anim["frameRate"])
        anim["repeat"] = int(anim["repeat"])
        animations[key] = anim
    texture = report.get("texture")
    return PhaserSheet(
        animations=animations,
        frames=frames,
        frame_names=list(texture["frameNames"]) if texture else [],
        texture_size=(texture["width"], texture["height"]) if texture else None,
        errors=list(report.get("errors", [])),
        warnings=list(report.get("warnings", [])),
        game_data=report.get("gameData"),
        phaser_version=report.get("phaserVersion"),
        browser_version=report.get("browserVersion"),
        seconds=seconds,
    )


def phaser_animations(json_path: Path, image_path: Path, *, strict: bool = True) -> dict[str, dict[str, Any]]:
    """Load with ``this.load.aseprite`` and ``this.anims.createFromAseprite`` in Phaser in headless Chromium.

    Returns {animation key: {"frames": [frame names, in order], "durations": [ms per frame as Phaser computed],
    "repeat": int, "frameRate": float, ...}} (see :attr:`PhaserSheet.animations`). With ``strict`` (the default)
    any error or warning Phaser or the browser logged raises :class:`PhaserError`; use :func:`phaser_load` to see
    them, and the texture's frames, instead.
    """
    sheet = phaser_load(json_path, image_path)
    if strict and (sheet.errors or sheet.warnings):
        raise PhaserError("Phaser logged problems:\n" + "\n".join(sheet.errors + sheet.warnings))
    return sheet.animations


def phaser_lighting(json_path: Path, image_path: Path, normal_path: Path, *, timeout: float = 90.0) -> dict[str, Any]:
    """Light every frame of the sheet with Phaser's Light2D pipeline (WebGL on SwiftShader), the normal map loaded as
    a game loads it (``this.load.atlas({key, textureURL, normalMap, atlasURL})``), once from the right and once
    from the left.

    Returns ``{"frames": {frame name: {"right": [left half, right half], "left": [...]}}, "errors": [...],
    "phaserVersion": ...}``: the mean R+G+B of the opaque screen pixels of each half of the frame, lit from that
    side. Raises :class:`PhaserError` only when the harness itself could not run.
    """
    arguments = ["--json", str(Path(json_path).resolve()), "--image", str(Path(image_path).resolve())]
    return _run_harness([*arguments, "--normal", str(Path(normal_path).resolve())], timeout)


def phaser_draw(sheets: list[tuple[Path, Path]], *, timeout: float = 120.0) -> dict[str, Any]:
    """Draw every frame of each sheet (JSON, PNG) with Phaser's WebGL renderer (SwiftShader), each as an Image at
    origin (0, 0), in one run (``tests/js/phaser/draw.html``).

    Returns ``{"frames": {(sheet index, frame name): the drawn (realHeight, realWidth, 4) pixels}, "errors": [...],
    "phaserVersion": ...}``. Raises :class:`PhaserError` only when the harness itself could not run.
    """
    report = _run_on_sheets("--draw", sheets, timeout)
    frames = {}
    if "rgba" in report:
        canvas = np.frombuffer(base64.b64decode(report["rgba"]), np.uint8).reshape(report["height"], report["width"], 4)
        for item in report["drawn"]:
            x, y, w, h = item["x"], item["y"], item["w"], item["h"]
            frames[item["sheet"], item["name"]] = canvas[y : y + h, x : x + w].copy()
    errors = list(report.get("errors", [])) + list(report.get("loadErrors", []))
    if report.get("exception"):
        errors.append(report["exception"])
    return {"frames": frames, "errors": errors, "phaserVersion": report.get("phaserVersion")}


def phaser_load_many(sheets: list[tuple[Path, Path]], *, timeout: float = 90.0) -> dict[str, Any]:
    """Load several sheets (``(json, image)`` each) in one Phaser scene, each under its own texture key, with every
    frame's pixels (``tests/js/phaser/many.html``).

    Returns ``{"sheets": [{"animations": {key: {"frames", "textureKeys"}}, "frames": {name: {"rgba": (h, w, 4)}},
    "size": [w, h]}] (in the order given), "errors": [...], "warnings": [...]}``. Raises :class:`PhaserError` only
    when the harness itself could not run.
    """
    report = _run_on_sheets("--sheets", sheets, timeout, "--pixels")
    loaded = []
    for number in range(len(sheets)):
        sheet = dict((report.get("sheets") or {}).get(f"sheet{number}", {}))
        for frame in sheet.get("frames", {}).values():
            data = np.frombuffer(base64.b64decode(frame["rgba"]), dtype=np.uint8)
            frame["rgba"] = data.reshape(frame["cutHeight"], frame["cutWidth"], 4)
        loaded.append(sheet)
    errors = list(report.get("errors", [])) + ([report["exception"]] if report.get("exception") else [])
    return {"sheets": loaded, "errors": errors, "warnings": list(report.get("warnings", []))}
