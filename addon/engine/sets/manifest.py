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
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SetupError, SheetError
from ..files.atomic import write_atomically
from ..files.names import character_file_name
from ..files.record import claim
from ..options import FPS
from .facings import COMPASS, Facing
from .rig import RigData

DEFAULT_FPS = float(FPS.default)
MANIFEST_SUFFIX = ".set.json"
FRAME_LIST_SUFFIX = ".frames.json"
SHEETS_FOLDER_NAME = "sheets"  # the sheets' folder below the sprites, never an action (export.sheets.SHEETS_FOLDER)
LAYOUT_TEXT = "<action>/<facing>/<frame>.png"
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
    rig: RigData | None = None
    """Game data from the rig (points, boxes, root motion; see ``rig``), per action, facing and frame. Written only
    when there is some."""

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
        if self.rig is not None:
            data["rig"] = self.rig.to_dict()
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
        rig = data.get("rig")
        sprite_set = SpriteSet(
            str(data["character"]), facings, actions, size, pivot, palette, normals=normals, variants=variants,
            rig=RigData.from_dict(rig) if rig is not None else None,
        )  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SetupError(f"{path}: not a sprite set manifest of Pixel Sprites ({error})") from error
    for action in sprite_set.actions:
        problem = _timing_problem(action)
        if problem is not None:
            raise SetupError(f"{path}: actions[{action.name}].{problem}")
    return sprite_set


def _timing_problem(action: Action) -> str | None:
    """What makes an action's timing unusable (a hand-edited ``NaN``, ``Infinity``, 0 or negative number, which
    JSON readers take), as ``<field> …``; None if it plays."""
    for name, value in (("fps", action.fps), ("fps_base", action.fps_base)):
        if not math.isfinite(value) or value <= 0:
            return f"{name} must be a finite number above 0, got {value}"
    if action.frame_step < 1:
        return f"frame_step must be 1 or more, got {action.frame_step}"
    return None


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
    for action_folder in sorted(path for path in folder.iterdir() if path.is_dir() and _action_name(path.name)):
        files: set[str] = set()
        for facing_folder in (path for path in action_folder.iterdir() if path.is_dir()):
            found = {path.name for path in facing_folder.glob("*.png") if _sprite_name(path.name)}
            if found:
                facing_names.add(facing_folder.name)
                files |= found
        if files:
            ordered = sorted(
                files, key=lambda name: (frame_number(Path(name)) is None, frame_number(Path(name)) or 0, name)
            )
            actions.append(Action(action_folder.name, ordered, fps))
    if not actions:
        raise SetupError(f"{folder}: no sprites laid out as {LAYOUT_TEXT}")
    names = sorted(facing_names, key=_facing_order)
    count = len(names)
    facings = [Facing(index, name, round(index * 360.0 / count, 6)) for index, name in enumerate(names)]
    return SpriteSet(character, facings, actions)


def _action_name(name: str) -> bool:
    return name != SHEETS_FOLDER_NAME


def _sprite_name(name: str) -> bool:
    # Hidden files are temporary files and probes, never sprites.
    return not name.startswith(".")


def laid_out_as_set(relative: Path) -> bool:
    """Whether a sprite at ``relative`` (below the sprites folder) is where :func:`scan_folder` finds the sprites of
    a set: ``<action>/<facing>/<frame>.png``."""
    parts = relative.parts
    return len(parts) == 3 and _action_name(parts[0]) and _sprite_name(parts[2]) and Path(parts[2]).match("*.png")


def _manifest_path(folder: Path, character: str | None) -> Path | None:
    """The manifest :func:`open_sprite_set` reads, or None where it reads the folders.

    Raises
    ------
    SetupError
        If several manifests are there and no character is named, or the named character is neither a manifest's
        nor a frame list's in a folder that has some (a mistyped name would start a second set there).
    """
    manifests = sorted(folder.glob(f"*{MANIFEST_SUFFIX}"))
    if character is None:
        if len(manifests) > 1:
            names = ", ".join(path.name.removesuffix(MANIFEST_SUFFIX) for path in manifests)
            raise SetupError(f"{folder}: holds the sets of several characters ({names}); choose one with --character")
        return manifests[0] if manifests else None
    name = character_file_name(character)
    manifest = folder / f"{name}{MANIFEST_SUFFIX}"
    if manifest.is_file():
        return manifest
    known = {path.name.removesuffix(MANIFEST_SUFFIX) for path in manifests}
    known |= {path.name.removesuffix(FRAME_LIST_SUFFIX) for path in folder.glob(f"*{FRAME_LIST_SUFFIX}")}
    # A folder with neither (sprites laid out by hand) names its set after the character given, as it always has.
    if known and name not in known:
        raise SetupError(
            f"--character {character}: {folder} holds no set or frame list of that name ({name}{MANIFEST_SUFFIX} or "
            f"{name}{FRAME_LIST_SUFFIX}); its characters: {', '.join(sorted(known))}"
        )
    return None


def open_sprite_set(folder: Path, *, character: str | None = None, fps: float | None = None) -> SpriteSet:
    """The sprite set in ``folder``: from ``<character>.set.json`` (the only manifest there, if no character is
    named), else read from its ``<action>/<facing>/`` folders.

    ``fps``, when given (not None), is the frame rate of every action, the manifest's
    replaced (as a number of frames per second, so its ``fps_base`` becomes 1; a frame step still divides it);
    without it the manifest's rates are kept, and sprites without a manifest play at 24 fps.

    Raises
    ------
    SetupError
        If several manifests are there and no character is named, the named character is unknown there, a
        manifest is unusable, or nothing usable is found.
    """
    manifest = _manifest_path(folder, character)
    if manifest is None:
        name = character_file_name(character) if character is not None else "character"
        return scan_folder(folder, character=name, fps=fps if fps is not None else DEFAULT_FPS)
    sprite_set = load_manifest(manifest)
    if fps is not None:
        for action in sprite_set.actions:
            action.fps, action.fps_base = float(fps), 1.0
    return sprite_set


def check_set_before_work(
    folder: Path, *, character: str | None = None, adding: Iterable[Path] = ()
) -> SpriteSet | None:
    """Refuse, before any sprite is written, what :func:`open_sprite_set` would refuse once the sprites ``adding``
    (paths relative to ``folder``) are written there: sprites that form no set, an unknown or ambiguous character,
    an unusable manifest. Returns the manifest's set, or None without one.

    Raises
    ------
    SetupError
        Naming the folder or the manifest and the problem.
    """
    manifest = _manifest_path(folder, character) if folder.is_dir() else None
    if manifest is not None:
        return load_manifest(manifest)
    if not any(laid_out_as_set(path) for path in adding) and not _holds_set(folder):
        raise SetupError(
            f"{folder}: no sprites there are laid out as {LAYOUT_TEXT}, nor would the new ones be (a sprite keeps "
            "its frame's path below the frames' folder, or --root), so they form no set to make sheets of"
        )
    return None


def _holds_set(folder: Path) -> bool:
    """Whether sprites already in ``folder`` form a set."""
    try:
        scan_folder(folder)
    except (SetupError, OSError):
        return False
    return True
