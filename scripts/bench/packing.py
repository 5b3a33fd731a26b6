"""The packing section: packed sheets (``--packed``) of ``--packing-sprites`` 64x90 sprites, timed and measured, and
the area of packed pages against maxrects-packer (npm) and against fixed cells.

Speed and memory: the sprites (bodies of random widths and heights standing on the bottom edge, a quarter of them
repeating an earlier pose, as holds and idle loops do) are trimmed as they are made, so only trimmed sprites are
held; then trimming and merging, and packing, are timed; then every page is composed and encoded one at a time
while ``tracemalloc`` watches what is allocated beyond the trimmed sprites.

Area: for each character, the unique trimmed rectangles of each sheet group go to maxrects-packer (``smart``, no
powers of two, no rotation, the same padding and margin) in ``tests/js/maxrects``, and the packed pages' total
area is set against its bins' and against the fixed-cell pages'. Characters: two drawn here (a wide one whose
arms and weapon swing out, and one with long thin parts: a spear and a tail) and the demo set, when
``--packing-demo`` names its sprites folder (``renders/sprites`` of ``scripts/demo.py``'s output).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .inputs import SPRITE_SIZE, Inputs

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "js" / "maxrects" / "pack.mjs"
FRAMES_PER_ANIMATION = 8
REPEATED = 0.25
PADDING = 1  # the sheets' default


def body(rng: np.random.Generator, size: tuple[int, int] = SPRITE_SIZE) -> NDArray[np.uint8]:
    """A sprite: a body of random width and height standing on the bottom edge, in blocks of a few colours."""
    width, height = size
    sprite = np.zeros((height, width, 4), np.uint8)
    w, h = int(rng.integers(14, width - 4)), int(rng.integers(height // 2, height - 2))
    left = int(rng.integers(0, width - w))
    sprite[height - h - 1 : height - 1, left : left + w, :3] = rng.integers(0, 256, 3, dtype=np.uint8)
    sprite[height - h - 1 : height - 1, left : left + w, 3] = 255
    sprite[height - h - 1 : height - h + 8, left : left + w, :3] = rng.integers(0, 256, 3, dtype=np.uint8)
    return sprite


def speed_and_memory(count: int) -> dict[str, Any]:
    from pixel_sprites.engine.export.layout import Animation
    from pixel_sprites.engine.export.packed_layout import Spacing, compose_packed, pack_trimmed
    from pixel_sprites.engine.export.trimming import trim_frame
    from pixel_sprites.engine.files.png import encode_png

    rng = np.random.default_rng(0)
    trimmed: dict[Path, Any] = {}
    made: list[NDArray[np.uint8]] = []
    trimming = 0.0
    for index in range(count):
        sprite = made[int(rng.integers(0, len(made)))] if made and rng.random() < REPEATED else body(rng)
        made = [*made, sprite][-16:]  # a few recent poses to repeat; older full sprites are let go
        path = Path(f"a{index // FRAMES_PER_ANIMATION}") / f"{index % FRAMES_PER_ANIMATION:04d}.png"
        started = time.perf_counter()
        trimmed[path] = trim_frame(sprite)
        trimming += time.perf_counter() - started
    paths = list(trimmed)
    animations = [
        Animation(f"a{first // FRAMES_PER_ANIMATION}", tuple(paths[first : first + FRAMES_PER_ANIMATION]), 42, 24.0)
        for first in range(0, count, FRAMES_PER_ANIMATION)
    ]
    started = time.perf_counter()
    packed = pack_trimmed(animations, trimmed, name="bench", max_size=4096, spacing=Spacing(PADDING))
    packing = time.perf_counter() - started
    tracemalloc.start()
    started = time.perf_counter()
    for page in packed.pages:
        encode_png(compose_packed(page, trimmed, 0))
    composing = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    largest = max(page.width * page.height * 4 for page in packed.pages)
    trimmed_bytes = sum(frame.pixels.nbytes for frame in trimmed.values())
    width, height = SPRITE_SIZE
    return {
        "sprites": count,
        "merged": packed.merged,
        "pages": [[page.width, page.height] for page in packed.pages],
        "trim_and_merge_seconds": trimming,
        "pack_seconds": packing,
        "trim_merge_pack_seconds": trimming + packing,
        "compose_and_encode_seconds": composing,
        "peak_bytes_while_composing": peak,
        "largest_page_bytes": largest,
        "trimmed_sprite_bytes": trimmed_bytes,
        "full_sprite_bytes": count * width * height * 4,
    }


def reference_areas(cases: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """maxrects-packer's bins for each case, or None when Node.js or the package is missing."""
    node = shutil.which("node")
    if node is None or not (REFERENCE.parent / "node_modules" / "maxrects-packer").is_dir():
        return None
    with tempfile.TemporaryDirectory() as scratch:
        listing = Path(scratch) / "cases.json"
        listing.write_text(json.dumps(cases))
        done = subprocess.run([node, str(REFERENCE), str(listing)], capture_output=True, text=True, check=True)
    return list(json.loads(done.stdout))


def drawn_character(folder: Path, draw: Callable[[int, int, int], NDArray[np.uint8]], actions: dict[str, int]) -> Path:
    """A sprite set of 8 facings drawn by ``draw(action index, facing, frame)``, written as sprites."""
    from pixel_sprites import engine

    for action_index, (action, frames) in enumerate(actions.items()):
        for facing in range(8):
            for frame in range(frames):
                path = folder / action / engine.facings(8)[facing].name / f"{frame + 1:04d}.png"
                engine.write_png(draw(action_index, facing, frame), path)
    return folder


def wide(action: int, facing: int, frame: int) -> NDArray[np.uint8]:
    """A broad brawler (64x64): a wide body, arms swinging out, a club held at arm's length in some facings."""
    sprite = np.zeros((64, 64, 4), np.uint8)
    swing = round(6 * np.sin((frame + facing) * np.pi / 3)) if action else frame % 2
    sprite[20:62, 14:50] = (150, 90, 60 + 20 * facing, 255)  # facings never look the same
    sprite[26 + swing // 2 : 34, 2 + max(swing, 0) : 62 - max(-swing, 0)] = (200, 150, 110, 255)
    if facing % 4 in (1, 2):
        sprite[10 + swing : 40, 58 - facing : 62 - facing] = (90, 90, 100, 255)
    sprite[8:20, 24:40] = (220, 180, 140, 255)
    return sprite


def spear(action: int, facing: int, frame: int) -> NDArray[np.uint8]:
    """A lancer (48x96): a slim body, a spear far longer than it, and a thin tail that sways."""
    sprite = np.zeros((96, 48, 4), np.uint8)
    sway = round(8 * np.sin((frame + 2 * facing) * np.pi / 4)) if action else 0
    sprite[40:94, 18:30] = (60, 110, 60 + 20 * facing, 255)  # facings never look the same
    sprite[2 + abs(sway) // 2 : 90, 33 + facing % 3] = (200, 200, 210, 255)
    rows = np.arange(60, 92)
    sprite[rows, np.clip(10 - (rows - 60) // 6 + sway // 2, 0, 47)] = (120, 80, 40, 255)
    sprite[30:40, 20:28] = (230, 190, 150, 255)
    return sprite


def area_ratios(name: str, folder: Path) -> dict[str, Any]:
    """The packed pages of the set in ``folder`` against fixed cells and against maxrects-packer."""
    from pixel_sprites import engine
    from pixel_sprites.engine.export.packed_layout import trimmed_frames
    from pixel_sprites.engine.frames.downscale import read_frame

    def pages_area(options: Any) -> tuple[int, Any]:
        sprite_set = engine.open_sprite_set(folder)
        engine.write_sheets(folder, sprite_set, options)
        total = 0
        for sheet in sprite_set.sheets:
            for key, image in sheet.items():
                if key == "image" or key.startswith("image_"):
                    total += int(np.prod(read_frame(folder / image).rgba.shape[:2]))
        return total, sprite_set

    fixed, _ = pages_area(engine.SheetOptions(formats=("json",)))
    packed, sprite_set = pages_area(engine.SheetOptions(formats=("json",), packed=True))
    files = {f"{a.name}_{f.name}": (a.name, f.name, a.files) for a in sprite_set.actions for f in sprite_set.facings}
    cases = []
    for sheet in sprite_set.sheets:
        pages = [key for key in sheet if key == "image" or key.startswith("image_")]
        paths: list[Path] = []
        shown: dict[str, int] = {}  # frames of each animation on earlier pages
        for key in pages:
            content = json.loads((folder / sheet[key]).with_suffix(".json").read_text())
            paths += [folder / action / facing / name for action, facing, name in _frame_files(content, files, shown)]
        sprites = {path: read_frame(path).rgba for path in paths}
        unique = {frame.key(): frame.size for frame in trimmed_frames(paths, sprites, None, []).values()}
        sizes = [[w, h] for w, h in unique.values()]
        cases.append({"maxSize": 4096, "padding": PADDING, "border": 0, "sizes": sizes})
    reference = reference_areas(cases)
    result: dict[str, Any] = {
        "name": name,
        "fixed_area": fixed,
        "packed_area": packed,
        "packed_over_fixed": packed / fixed,
    }
    if reference is not None:
        result["maxrects_packer_area"] = sum(case["area"] for case in reference)
        result["packed_over_maxrects_packer"] = packed / result["maxrects_packer_area"]
    return result


def _frame_files(
    content: dict[str, Any], files: dict[str, tuple[str, str, list[str]]], shown: dict[str, int]
) -> list[tuple[str, str, str]]:
    """(action, facing, file name) of each frame of a JSON page, from its tags: ``files`` gives each animation's
    action, facing and files, ``shown`` how many of its frames earlier pages hold."""
    found = []
    for tag in content["meta"]["frameTags"]:
        action, facing, names = files[tag["name"]]
        first = shown.get(tag["name"], 0)
        shown[tag["name"]] = first + tag["to"] - tag["from"] + 1
        found += [(action, facing, names[index]) for index in range(first, shown[tag["name"]])]
    return found


def packing_section(inputs: Inputs) -> dict[str, Any]:
    work = inputs.options.work / "packing"
    shutil.rmtree(work, ignore_errors=True)
    characters = {
        "wide brawler": drawn_character(work / "wide", wide, {"idle": 4, "swing": 6}),
        "lancer with a tail": drawn_character(work / "spear", spear, {"idle": 4, "walk": 8}),
    }
    demo = inputs.options.packing_demo
    if demo is not None:
        shutil.copytree(demo, work / "demo", ignore=shutil.ignore_patterns("sheets"))
        characters["demo"] = work / "demo"
    return {
        "speed": speed_and_memory(inputs.options.packing_sprites),
        "areas": [area_ratios(name, folder) for name, folder in characters.items()],
    }
