"""Where the panel's results are on disk: the sprites Show Sprites plays, the sheet Show Sheet opens, the folder
Open Folder opens.

A set's sprites are ``<sprites folder>/<action>/<facing>/<frame>.png`` and its sheets ``<sprites folder>/sheets/``,
both named by the manifest ``<character>.set.json`` (``engine.sets.manifest``). Render Sprites and Process Renders
give each frame a sprite of the frame's own name, kept in the character's frame list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import bpy

from ..engine.errors import SetupError
from ..engine.files.names import character_file_name, safe_name, unique_safe_names
from ..engine.files.paths import absolute
from ..engine.sets.manifest import MANIFEST_SUFFIX, SpriteSet, frame_number, laid_out_as_set, load_manifest
from ..engine.sprites.character import Character
from . import sprites
from .preview_props import AS_SET_UP
from .sprite_set import DEFAULT_ACTION

_NUMBERED_NAME = re.compile(r"^(.*?)(\d+)(\.[^.]+)$")
# The panel asks on every redraw whether there is a sheet: a manifest is read again only once it has changed.
_read_manifests: dict[Path, tuple[tuple[int, int], SpriteSet]] = {}


@dataclass(frozen=True)
class SpriteSequence:
    """Sprites to play in order, ``rate`` a second, named ``title`` (``walk, facing S``)."""

    title: str
    files: list[Path]
    rate: float

    @property
    def numbers(self) -> list[int]:
        """The files' frame numbers, as Blender reads an image sequence: the digits before the suffix (0 for a file
        without, which is shown alone)."""
        return [frame_number(path) or 0 for path in self.files]


def sprites_folder(scene: bpy.types.Scene) -> Path:
    """Where the scene's settings put its sprites now: the Sprites folder, or ``sprites/`` beside the renders."""
    return scene.pixel_sprites.output_folder_for(sprites.renders_folder(scene))


def last_folder(scene: bpy.types.Scene) -> Path:
    """The last run's output folder, or where the next run will write when there was none."""
    settings = scene.pixel_sprites
    return Path(bpy.path.abspath(settings.last_output)) if settings.last_output else sprites_folder(scene)


def selected_action(settings: bpy.types.PropertyGroup) -> str:
    """The action selected in the set's list, by the folder name Render Sprite Set gives it."""
    entries = list(settings.set_actions)
    if not entries or not 0 <= settings.active_set_action < len(entries):
        return DEFAULT_ACTION
    chosen = entries[settings.active_set_action]
    enabled = [entry for entry in entries if entry.enabled]
    names = unique_safe_names([entry.action.name if entry.action else DEFAULT_ACTION for entry in enabled])
    for entry, name in zip(enabled, names, strict=True):
        if entry == chosen:
            return name
    return safe_name(chosen.action.name if chosen.action else DEFAULT_ACTION)


def sprite_set_of(scene: bpy.types.Scene) -> tuple[Path, SpriteSet] | None:
    """The character's set manifest where the settings write sprites, else in the last run's folder, or None."""
    name = character_file_name(scene.pixel_sprites.character)
    for folder in dict.fromkeys((sprites_folder(scene), last_folder(scene))):
        manifest = folder / f"{name}{MANIFEST_SUFFIX}"
        try:
            return folder, _manifest(manifest)
        except FileNotFoundError:
            continue
    return None


def _manifest(path: Path) -> SpriteSet:
    """The manifest at ``path`` with the sheets it lists (which ``load_manifest`` leaves to the sheets' writer)."""
    stat = path.stat()
    version = (stat.st_mtime_ns, stat.st_size)
    known = _read_manifests.get(path)
    if known is None or known[0] != version:
        sprite_set = load_manifest(path)
        try:
            sheets = json.loads(path.read_text(encoding="utf-8")).get("sheets", [])
        except (OSError, ValueError):  # written again since load_manifest read it: its sheets are known next time
            sheets = []
        sprite_set.sheets = [entry for entry in sheets if isinstance(entry, dict)] if isinstance(sheets, list) else []
        known = _read_manifests[path] = (version, sprite_set)
    return known[1]


def chosen_sprites(scene: bpy.types.Scene) -> SpriteSequence:
    """What Show Sprites plays: with actions listed, the selected action's sprites in the facing the Preview
    sub-panel names (its first facing for As Set Up); without, the sprites of the scene's renders, else those of the
    set's one action, ``default``.

    Raises
    ------
    SetupError
        Saying what to render first, when there are no such sprites; or naming a manifest that cannot be read.
    """
    settings = scene.pixel_sprites
    if not settings.set_actions:
        own = sprites_of_renders(scene)
        if own is not None:
            return own
    found = sprite_set_of(scene)
    action_name = selected_action(settings)
    if found is None:
        raise SetupError("No sprites yet: press Render Sprites or Render Sprite Set first")
    folder, sprite_set = found
    action = next((item for item in sprite_set.actions if item.name == action_name), None)
    if action is None:
        raise SetupError(f"No sprites of {action_name} in {folder}: press Render Sprite Set first")
    facing = _chosen_facing(settings, sprite_set)
    files = one_sequence([path for name in action.files if (path := folder / action.name / facing / name).is_file()])
    if not files:
        raise SetupError(f"No sprites in {folder / action.name / facing}: press Render Sprite Set first")
    return SpriteSequence(f"{action.name}, facing {facing}", files, action.rate)


def _chosen_facing(settings: bpy.types.PropertyGroup, sprite_set: SpriteSet) -> str:
    names = [facing.name for facing in sprite_set.facings]
    wanted = settings.preview_facing
    if wanted in ("", AS_SET_UP):
        return names[0]
    if wanted not in names:
        raise SetupError(f"Facing {wanted}: the last sprite set has {', '.join(names)}; render the set again")
    return str(wanted)


def sprites_of_renders(scene: bpy.types.Scene) -> SpriteSequence | None:
    """The sprites of the frames Render Sprites and Process Renders read (the Renders folder, else the render
    output folder), in the last run's folder; or None when it holds none."""
    settings = scene.pixel_sprites
    folder = last_folder(scene)
    # As the character's frame list keeps them: absolute and normalised, so that they compare.
    renders = absolute(
        bpy.path.abspath(settings.source_folder) if settings.source_folder else sprites.renders_folder(scene)
    )
    try:
        frames = Character(folder, settings.character).frames()
    except SetupError:
        return None
    own = [frame for frame in frames if not laid_out_as_set(frame.relative)]
    from_renders = [frame for frame in own if frame.path.parent == renders] or own
    files = sorted(
        (folder / frame.relative for frame in from_renders if (folder / frame.relative).is_file()),
        key=lambda path: (frame_number(path) is None, frame_number(path) or 0, path.name),
    )
    files = one_sequence(files)
    if not files:
        return None
    rate = scene.render.fps / (scene.render.fps_base * max(scene.frame_step, 1))
    return SpriteSequence(f"{settings.character}, {len(files)} sprites", files, rate)


def one_sequence(files: list[Path]) -> list[Path]:
    """The files Blender can read as one image sequence with the first: in its folder, named as it is but for the
    number (``0001.png``, ``0002.png``; not ``still_0001.png``)."""
    if not files:
        return []
    first = _NUMBERED_NAME.match(files[0].name)
    if first is None:
        return files[:1]

    def same_pattern(path: Path) -> bool:
        match = _NUMBERED_NAME.match(path.name)
        return (
            match is not None
            and path.parent == files[0].parent
            and (match.group(1), len(match.group(2)), match.group(3))
            == (first.group(1), len(first.group(2)), first.group(3))
        )

    return [path for path in files if same_pattern(path)]


def chosen_sheet(scene: bpy.types.Scene) -> Path | None:
    """The first page of the sheet of the selected action (or the set's atlas), as the manifest names it; None
    before the set has sheets."""
    try:
        found = sprite_set_of(scene)
    except SetupError:
        return None
    if found is None:
        return None
    folder, sprite_set = found
    action_name = selected_action(scene.pixel_sprites)
    entries = [entry for entry in sprite_set.sheets if entry.get("name") == action_name]
    entries = entries or [entry for entry in sprite_set.sheets if entry.get("name", "").endswith("_atlas")]
    for entry in entries:
        page = entry.get("image") or entry.get("image_1")
        if page and (folder / page).is_file():
            return folder / page
    return None
