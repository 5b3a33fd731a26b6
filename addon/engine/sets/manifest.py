"""A character's sprite set: every action from every facing, described by one manifest.

Sprites of a set live in ``<sprites folder>/<action>/<facing>/<frame>.png``.
The manifest ``<character>.set.json`` at the top of the sprites folder names
the facings (index, name, angle), the actions (frames, rate, step, loop), the
sprite size, the pivot pixel and the palette; ``pixel-sprites sheet`` reads it
to rebuild the sheets without Blender. Without a manifest the same layout is
read from the folders themselves.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SetupError, SheetError
from ..files.atomic import write_atomically
from ..files.names import character_file_name
from ..files.record import claim
from ..options import FPS
from .facings import COMPASS, Facing

DEFAULT_FPS = float(FPS.default)
MANIFEST_SUFFIX = ".set.json"
_TRAILING_NUMBER = re.compile(r"(\d+)$")


def frame_duration_ms(fps: float, fps_base: float = 1.0, frame_step: int = 1) -> int:
    """How long one sprite shows, in whole milliseconds: the action plays at ``fps / (fps_base · frame_step)``.

    JSON and ``.aseprite`` files both take this one rounding, so they play alike.
    """
    if fps <= 0 or fps_base <= 0 or frame_step < 1:
        raise SheetError(
            f"a frame rate needs fps > 0, fps_base > 0 and a frame step >= 1, got {fps}, {fps_base}, {frame_step}"
        )
    return max(1, round(1000.0 * fps_base * frame_step / fps))


def frame_number(path: Path) -> int | None:
    """The frame number at the end of a sprite's file name (``walk0012.png`` → 12), or None."""
    match = _TRAILING_NUMBER.search(path.stem)
    return int(match.group(1)) if match else None


@dataclass
class Action:
    """One action of the set: its sprite files (the same names in every facing folder) and how it plays."""

    name: str
    files: list[str]
    fps: float = DEFAULT_FPS
    fps_base: float = 1.0
    frame_step: int = 1
    loop: bool = True

    @property
    def duration_ms(self) -> int:
        return frame_duration_ms(self.fps, self.fps_base, self.frame_step)

    @property
    def rate(self) -> float:
        """Frames per second at which the sprites play: ``fps / (fps_base · frame_step)``."""
        return self.fps / (self.fps_base * self.frame_step)

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "frames": [frame_number(Path(name)) for name in self.files],
            "files": self.files,
            "fps": self.fps,
            "fps_base": self.fps_base,
            "frame_step": self.frame_step,
            "rate": round(self.rate, 6),
            "duration_ms": self.duration_ms,
            "loop": self.loop,
        }


@dataclass
class SpriteSet:
    """What a sprite set holds; see the module docstring."""

    character: str
    facings: list[Facing]
    actions: list[Action]
    sprite_size: tuple[int, int] = (0, 0)
    pivot: tuple[int, int] | None = None
    palette: list[str] = field(default_factory=list)
    sheets: list[dict[str, str]] = field(default_factory=list)
    normals: dict[str, object] | None = None
    """With normal maps: ``{"world_to_camera": 3x3}``, the rotation their renders were turned with (the camera stays
    fixed while the pivot turns, so one serves every facing); None without. Written only when there are normals."""
    variants: list[dict[str, str]] = field(default_factory=list)
    """Palette variants, ``{"name", "file"}`` each (the file relative to the sprites folder where it lies below it),
    made by every later sheet run. Written only when there are some."""

    @property
    def pivot_pixel(self) -> tuple[int, int]:
        """The pivot, or the bottom centre of the sprite when none was given."""
        width, height = self.sprite_size
        return self.pivot if self.pivot is not None else (width // 2, height - 1)

    def to_dict(self) -> dict[str, object]:
        width, height = self.sprite_size
        data: dict[str, object] = {
            "character": self.character,
            "sprite_size": {"w": width, "h": height},
            "pivot": dict(zip("xy", self.pivot_pixel, strict=True)),
            "facings": [facing.to_dict() for facing in self.facings],
            "actions": [action.to_dict() for action in self.actions],
            "palette": self.palette,
            "sheets": self.sheets,
        }
        if self.normals is not None:
            data["normals"] = self.normals
        if self.variants:
            data["variants"] = self.variants
        return data

    def save(self, folder: Path) -> Path:
        path = folder / f"{self.character}{MANIFEST_SUFFIX}"
        claim({path: "manifest"}, root=folder)
        write_atomically(path, (json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
        return path


def load_manifest(path: Path) -> SpriteSet:
    """Read a set manifest.

    Raises
    ------
    SetupError
        Naming the file, if it is not a manifest of Pixel Sprites.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        facings = [
            Facing(int(item["index"]), str(item["name"]), float(item["angle"]), item.get("mirror_of"))
            for item in data["facings"]
        ]
        actions = [
            Action(
                str(item["name"]),
                [str(name) for name in item["files"]],
                float(item["fps"]),
                float(item["fps_base"]),
                int(item["frame_step"]),
                bool(item["loop"]),
            )
            for item in data["actions"]
        ]
        size = (int(data["sprite_size"]["w"]), int(data["sprite_size"]["h"]))
        pivot = (int(data["pivot"]["x"]), int(data["pivot"]["y"]))
        normals = data.get("normals")
        if normals is not None and not isinstance(normals, dict):
            raise TypeError(f"normals must be an object, got {normals!r}")
        palette = list(data.get("palette", []))
        variants = [{"name": str(item["name"]), "file": str(item["file"])} for item in data.get("variants", [])]
        return SpriteSet(
            str(data["character"]), facings, actions, size, pivot, palette, normals=normals, variants=variants
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SetupError(f"{path}: not a sprite set manifest of Pixel Sprites ({error})") from error


def _facing_order(name: str) -> tuple[int, str]:
    return (COMPASS.index(name), name) if name in COMPASS else (len(COMPASS), name)


def scan_folder(folder: Path, *, character: str = "character", fps: float = DEFAULT_FPS) -> SpriteSet:
    """A sprite set read from the layout ``folder/<action>/<facing>/<frame>.png``, for sprites without a manifest.

    Facings are ordered as the compass turns (``S, SE, E, …``) when they have compass names, else by name.
    Frames are those found in any facing of the action, in frame-number order.

    Raises
    ------
    SetupError
        If ``folder`` holds no ``<action>/<facing>/*.png`` sprites.
    """
    facing_names: set[str] = set()
    actions: list[Action] = []
    for action_folder in sorted(path for path in folder.iterdir() if path.is_dir() and path.name != "sheets"):
        files: set[str] = set()
        for facing_folder in (path for path in action_folder.iterdir() if path.is_dir()):
            found = {path.name for path in facing_folder.glob("*.png") if not path.name.startswith(".")}
            if found:
                facing_names.add(facing_folder.name)
                files |= found
        if files:
            ordered = sorted(
                files, key=lambda name: (frame_number(Path(name)) is None, frame_number(Path(name)) or 0, name)
            )
            actions.append(Action(action_folder.name, ordered, fps))
    if not actions:
        raise SetupError(f"{folder}: no sprites laid out as <action>/<facing>/<frame>.png")
    names = sorted(facing_names, key=_facing_order)
    count = len(names)
    facings = [Facing(index, name, round(index * 360.0 / count, 6)) for index, name in enumerate(names)]
    return SpriteSet(character, facings, actions)


def open_sprite_set(folder: Path, *, character: str | None = None, fps: float = DEFAULT_FPS) -> SpriteSet:
    """The sprite set in ``folder``: from ``<character>.set.json`` (the only manifest there, if no character is
    named), else read from its ``<action>/<facing>/`` folders.

    Raises
    ------
    SetupError
        If several manifests are there and no character is named, or nothing usable is found.
    """
    if character is not None:
        character = character_file_name(character)
        manifest = folder / f"{character}{MANIFEST_SUFFIX}"
        return load_manifest(manifest) if manifest.is_file() else scan_folder(folder, character=character, fps=fps)
    manifests = sorted(folder.glob(f"*{MANIFEST_SUFFIX}"))
    if len(manifests) > 1:
        names = ", ".join(path.name.removesuffix(MANIFEST_SUFFIX) for path in manifests)
        raise SetupError(f"{folder}: holds the sets of several characters ({names}); choose one with --character")
    return load_manifest(manifests[0]) if manifests else scan_folder(folder, fps=fps)
