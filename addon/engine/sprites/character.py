"""A character: the frames that share one palette, remembered across render jobs.

Each render job (an angle, an action) adds its frames to the character's list
in the output folder; the palette is then fitted over all of them, so every
sprite of the character uses the same colours.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path, PurePath

from ..errors import SetupError
from ..files.atomic import write_atomically
from ..files.locking import DEFAULT_LOCK_TIMEOUT, character_lock
from ..files.names import character_file_name
from ..files.paths import absolute, below_anchor, common_folder, is_inside, portable, relative_path
from ..files.record import claim
from ..frames.downscale import DownscaleSettings
from ..frames.sources import FrameSource
from ..palette.files import read_palette
from ..palette.fit import PaletteSettings
from .finishing import check_outline_colour
from .pipeline import OutputSettings, RunOptions, apply, process
from .report import Report

__all__ = ["Character", "character_file_name", "locked_character", "record_frames", "update_character"]


def _stored(frame: Path, folder: Path) -> str:
    """How a frame is written in the list and the log: relative to the character's folder, ``/``-separated, so
    that the list survives a moved project and shares mounted at different paths. A frame on another drive has
    no relative path and keeps its absolute one."""
    relative = relative_path(frame, folder)
    return portable(relative) if relative is not None else str(frame)


def _loaded(text: str, folder: Path) -> Path:
    """A frame path as stored (relative, or absolute as lists before relative paths were), made absolute."""
    return absolute(folder / text)  # an absolute text replaces the folder


class Character:
    """The frames of character ``name`` and where their sprites go, kept as JSON in ``folder``.

    A frame's sprite keeps the frame's path below the folder that holds both
    the frame and ``folder``: with the default ``sprites/`` inside the render
    folder that is the file name, and with one output folder shared by render
    jobs in ``walk/frames/`` and ``idle/frames/`` it is ``walk/frames/0001.png``
    and ``idle/frames/0001.png``. Sprite paths are unique within a character,
    and a frame keeps the one it was first given, so adding render jobs never
    moves or replaces the sprites of earlier ones.
    """

    def __init__(self, folder: Path | str, name: str) -> None:
        self.folder = absolute(folder)
        self.name = character_file_name(name)
        self.list_path = self.folder / f"{self.name}.frames.json"
        self.log_path = _log_path(self.folder, name)
        self.palette_path = self.folder / f"{self.name}.gpl"
        self._sprites: dict[Path, Path] = {}
        if self.list_path.is_file():
            try:
                stored = json.loads(self.list_path.read_text(encoding="utf-8"))
                self._sprites = {
                    _loaded(entry["frame"], self.folder): Path(entry["sprite"]) for entry in stored["frames"]
                }
            except (ValueError, KeyError, TypeError) as error:
                raise SetupError(f"{self.list_path}: not a frame list of Pixel Sprites ({error})") from error
        self._taken = set(self._sprites.values())
        self._read_log()

    def _read_log(self) -> None:
        """Frames recorded one by one since the list was last saved (see :func:`record_frames`)."""
        if not self.log_path.is_file():
            return
        for number, line in enumerate(self.log_path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                frame, sprite = _loaded(entry["frame"], self.folder), Path(entry["sprite"])
            except (ValueError, KeyError, TypeError) as error:
                raise SetupError(f"{self.log_path}: line {number}: not a frame record ({error})") from error
            if frame not in self._sprites:
                # A record's sprite path came from the rule alone; another frame may have it by now.
                self._sprites[frame] = sprite if sprite not in self._taken else self._free_sprite_path(frame, None)
                self._taken.add(self._sprites[frame])

    def add(self, frames: Iterable[Path], *, root: Path | None = None) -> None:
        """Add frames it does not have yet. Call :meth:`save` to keep them.

        With ``root``, a frame's sprite keeps the frame's path below ``root`` (a sprite set's render folder, so
        its sprites are ``<action>/<facing>/<frame>.png`` wherever the output folder is).
        """
        for frame in map(absolute, frames):
            if frame not in self._sprites:
                sprite = self._free_sprite_path(frame, absolute(root) if root is not None else None)
                self._sprites[frame] = sprite
                self._taken.add(sprite)

    def _free_sprite_path(self, frame: Path, root: Path | None) -> Path:
        # The whole path is unique among frames; it is the fallback where the short one was given to another.
        whole = Path(below_anchor(frame))
        for candidate in (sprite_path_for(self.folder, frame, root), whole):
            if candidate not in self._taken:
                return candidate
        number = 2
        while (candidate := whole.with_stem(f"{whole.stem}_{number}")) in self._taken:
            number += 1
        return candidate

    def drop_missing_under(self, folder: Path | str, keep: Iterable[Path]) -> list[Path]:
        """Forget the frames under ``folder`` that are not in ``keep``: a re-rendered action's old frames.

        The files themselves stay on disk (renders are never deleted). Returns the frames forgotten.
        """
        folder = absolute(folder)
        kept = {absolute(path) for path in keep}
        dropped = [path for path in self._sprites if folder in path.parents and path not in kept]
        for path in dropped:
            self._taken.discard(self._sprites.pop(path))
        return dropped

    def save(self) -> None:
        """Write the whole list, which now holds what the log recorded. Hold the character's lock around
        loading, changing and saving when other processes may share the folder."""
        entries = [
            {"frame": _stored(path, self.folder), "sprite": portable(sprite)}
            for path, sprite in sorted(self._sprites.items())
        ]
        data = {"character": self.name, "frames": entries}
        claim({self.list_path: "frame list"}, root=self.folder)
        write_atomically(self.list_path, (json.dumps(data, indent=1) + "\n").encode("utf-8"))
        self.log_path.unlink(missing_ok=True)

    def frames(self, paths: Iterable[Path] | None = None) -> list[FrameSource]:
        """All the character's frames, or just those at ``paths``, in order."""
        chosen = sorted(self._sprites) if paths is None else sorted(absolute(path) for path in paths)
        return [FrameSource(path, self._sprites[path]) for path in chosen]

    def source_folders(self) -> list[Path]:
        return sorted({path.parent for path in self._sprites})


def _log_path(folder: Path, name: str) -> Path:
    return Path(folder) / f"{character_file_name(name)}.frames.log"


def sprite_path_for(folder: Path, frame: Path, root: Path | None = None) -> Path:
    """Where a frame's sprite goes below the character's ``folder`` by the rule alone (see :class:`Character`)."""
    return Path(sprite_rule(absolute(folder), absolute(frame), absolute(root) if root is not None else None))


def sprite_rule(folder: PurePath, frame: PurePath, root: PurePath | None = None) -> PurePath:
    """:func:`sprite_path_for` on absolute paths of any flavour (``PureWindowsPath`` too): the frame's path below
    ``root`` if it is there, else below the folder holding both the frame and ``folder``. Sprites on another
    drive than their frames (renders on ``D:``, sprites on ``C:``) keep the frame's path below its drive."""
    inside_root = root is not None and is_inside(frame.parent, root)
    base = root if inside_root else common_folder([folder.parent, frame.parent])
    return frame.relative_to(base) if base is not None else below_anchor(frame)


@contextmanager
def locked_character(folder: Path | str, name: str, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[Character]:
    """The character, loaded and changed while holding its lock (see ``locking``)."""
    with character_lock(folder, character_file_name(name), timeout):
        yield Character(folder, name)


def record_frames(
    character_folder: Path, name: str, frames: Sequence[Path], root: Path | None = None
) -> list[FrameSource]:
    """Append ``frames`` to the character's log, without reading its list: the same cost whatever its size.

    Returns the frames with their sprite paths (by the rule; :class:`Character` settles a clash on loading).
    """
    folder = absolute(character_folder)
    sources = [FrameSource(absolute(frame), sprite_path_for(folder, Path(frame), root)) for frame in frames]
    lines = "".join(
        json.dumps({"frame": _stored(item.path, folder), "sprite": portable(item.relative)}) + "\n" for item in sources
    )
    claim({_log_path(folder, name): "frame log"}, root=folder)
    # The lock keeps appends whole where the file system does not (NFS has no atomic append).
    with (
        character_lock(character_folder, character_file_name(name)),
        open(_log_path(character_folder, name), "a") as log,
    ):
        log.write(lines)
    return sources


def _require_locked_palette(path: Path) -> None:
    if not path.is_file():
        raise SetupError(
            f"{path}: the palette is locked but this file is missing; "
            "unlock the palette to fit a new one, or put the saved palette back"
        )


def update_character(
    character: Character,
    new_frames: Sequence[Path],
    downscale: DownscaleSettings,
    palette_settings: PaletteSettings,
    *,
    output: OutputSettings | None = None,
    root: Path | None = None,
    locked: bool = False,
    options: RunOptions | None = None,
) -> Report:
    """Add ``new_frames`` to ``character`` and bring its sprites up to date, written as ``output`` says (the job's
    settings, whole: target palette, paletted PNGs, normal sprites, clean-up and outlines; the folder and the
    palette's name are the character's).

    Unlocked, the palette is refitted over all the character's frames and every
    sprite is rewritten with it. Locked, only the sprites of ``new_frames`` are
    written, with the saved palette, so the others stay byte-identical.
    ``root`` is as for :meth:`Character.add`.

    Raises
    ------
    SetupError
        If the palette is locked but its file is missing: refitting instead would change every sprite.
    """
    output = _characters(output, character.folder, character.name)
    if locked:
        _require_locked_palette(character.palette_path)
        check_outline_colour(output.finish, read_palette(character.palette_path), output.target)
    character.add(new_frames, root=root)
    character.save()
    sources = character.source_folders()
    if locked:
        palette = read_palette(character.palette_path)
        return apply(character.frames(new_frames), sources, downscale, palette, output, options)
    return process(character.frames(), sources, downscale, palette_settings, output, options)


def add_frames_with_locked_palette(
    character_folder: Path,
    name: str,
    frames: Sequence[Path],
    downscale: DownscaleSettings,
    *,
    output: OutputSettings | None = None,
    root: Path | None = None,
    options: RunOptions | None = None,
) -> Report:
    """Write the sprites of ``frames`` alone with the character's saved palette and record them in its log, as
    ``output`` says (see :func:`update_character`).

    No other sprite, and not the frame list, is read or rewritten (a frame-list render calls this after every
    frame); what grows with the character is the folder's record of written files, read and rewritten once.

    Raises
    ------
    SetupError
        If the palette file is missing.
    """
    folder, name = Path(character_folder), character_file_name(name)
    palette_path = folder / f"{name}.gpl"
    _require_locked_palette(palette_path)
    palette = read_palette(palette_path)
    sources = record_frames(folder, name, frames, root)
    output = _characters(output, absolute(folder), name)
    return apply(sources, sorted({item.path.parent for item in sources}), downscale, palette, output, options)


def _characters(output: OutputSettings | None, folder: Path, name: str) -> OutputSettings:
    """The job's output settings, whole, writing into the character's folder under its name."""
    return replace(output or OutputSettings(folder), folder=folder, palette_name=name)
