"""What a sprite set's Godot files must hold, worked out from its other outputs, to compare with what Godot loaded.

Godot's loader is lenient: it drops a misspelled property without a word and a frame without ``duration`` with
one error line. So "it loaded" proves nothing; :func:`godot_mismatches` compares what Godot holds with what the
set's JSON pages (the same sheet, read by Phaser in other tests) and manifest say was meant, and
:func:`drawing_mismatches` compares what Godot drew with the sprite files themselves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from godot_runner import GodotSpriteFrames
from PIL import Image


def manifest_of(sprites: Path) -> dict[str, Any]:
    (manifest,) = sprites.glob("*.set.json")
    return dict(json.loads(manifest.read_text(encoding="utf-8")))


def sheet_groups(sprites: Path) -> dict[Path, list[Path]]:
    """Each ``.tres`` the manifest lists → the JSON pages of its sheet group, in page order."""
    groups = {}
    for sheet in manifest_of(sprites)["sheets"]:
        images = [sheet[key] for key in sorted(sheet, key=_page_number) if key == "image" or key.startswith("image_")]
        groups[sprites / sheet["godot"]] = [sprites / Path(image).with_suffix(".json") for image in images]
    return groups


def _page_number(key: str) -> int:
    return int(key.removeprefix("image_")) if key.startswith("image_") else 0


def animation_sources(sprites: Path) -> dict[str, tuple[dict[str, Any], str]]:
    """Animation name (``<action>_<facing>``) → (its action in the manifest, the facing's name)."""
    manifest = manifest_of(sprites)
    return {
        f"{action['name']}_{facing['name']}": (action, facing["name"])
        for action in manifest["actions"]
        for facing in manifest["facings"]
    }


def expected_animations(sprites: Path, tres: Path) -> dict[str, dict[str, Any]]:
    """What Godot should hold for ``tres``: per animation its speed and loop (the manifest's), and per frame the
    page image, region, margin and duration in ms that the JSON pages give."""
    sources = animation_sources(sprites)
    expected: dict[str, dict[str, Any]] = {}
    for page in sheet_groups(sprites)[tres]:
        data = json.loads(page.read_text(encoding="utf-8"))
        frames = list(data["frames"].values())
        for tag in data["meta"]["frameTags"]:
            action, _ = sources[tag["name"]]
            listed = []
            for frame in frames[tag["from"] : tag["to"] + 1]:
                rect, source, full = frame["frame"], frame["spriteSourceSize"], frame["sourceSize"]
                listed.append({
                    "image": data["meta"]["image"],
                    "region": [rect["x"], rect["y"], rect["w"], rect["h"]],
                    "margin": [source["x"], source["y"], full["w"] - rect["w"], full["h"] - rect["h"]],
                    "duration_ms": frame["duration"],
                })  # fmt: skip
            # A packed animation too long for one page goes on over the next pages: one animation in Godot.
            entry = expected.setdefault(tag["name"], {"speed": action["rate"], "loop": action["loop"], "frames": []})
            entry["frames"] += listed
    return expected


def godot_mismatches(loaded: GodotSpriteFrames, expected: dict[str, dict[str, Any]]) -> list[str]:
    """Every way in which what Godot holds differs from ``expected``; empty when they agree."""
    problems = []
    if set(loaded.animations) != set(expected):
        problems.append(f"animations: Godot has {sorted(loaded.animations)}, expected {sorted(expected)}")
    for name in sorted(set(loaded.animations) & set(expected)):
        held, meant = loaded.animations[name], expected[name]
        if abs(held["speed"] - meant["speed"]) > 1e-6 or held["loop"] != meant["loop"]:
            problems.append(
                f"{name}: speed {held['speed']} loop {held['loop']}, expected {meant['speed']} {meant['loop']}"
            )
        if len(held["frames"]) != len(meant["frames"]):
            problems.append(f"{name}: {len(held['frames'])} frames, expected {len(meant['frames'])}")
            continue
        for index, (frame, want) in enumerate(zip(held["frames"], meant["frames"], strict=True)):
            where = f"{name} frame {index}"
            if frame["class"] != "AtlasTexture":
                problems.append(f"{where}: texture is {frame['class']}, expected an AtlasTexture")
                continue
            if Path(str(frame["atlas"])).name != want["image"]:
                problems.append(f"{where}: page {frame['atlas']}, expected {want['image']}")
            if frame["region"] != want["region"] or frame["margin"] != want["margin"]:
                problems.append(
                    f"{where}: region {frame['region']} margin {frame['margin']}, "
                    f"expected {want['region']} {want['margin']}"
                )
            shown_ms = 1000.0 * frame["duration"] / held["speed"]  # how long an AnimatedSprite2D shows the frame
            if abs(shown_ms - want["duration_ms"]) > 0.5:
                problems.append(f"{where}: shown {shown_ms:.2f} ms, expected {want['duration_ms']} ms")
    return problems


def sprite_pixels(path: Path) -> np.ndarray:
    """A sprite file as RGBA with fully transparent pixels as 0, 0, 0, 0, as a renderer draws them."""
    rgba = np.asarray(Image.open(path).convert("RGBA")).copy()
    rgba[rgba[..., 3] == 0] = 0
    return rgba


def drawing_mismatches(sprites: Path, loaded: GodotSpriteFrames) -> list[str]:
    """Every frame whose pixels, as Godot's AnimatedSprite2D drew them, differ from its sprite file."""
    sources = animation_sources(sprites)
    problems = []
    for name, animation in loaded.animations.items():
        action, facing = sources[name]
        for index in range(len(animation["frames"])):
            sprite = sprites / action["name"] / facing / action["files"][index]
            drawn = loaded.drawn.get((name, index))
            if drawn is None:
                problems.append(f"{name} frame {index}: not drawn")
            elif not np.array_equal(drawn, sprite_pixels(sprite)):
                problems.append(f"{name} frame {index}: drawn pixels differ from {sprite}")
    return problems
