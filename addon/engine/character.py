"""A character: the frames that share one palette, remembered across render jobs.

Each render job (an angle, an action) adds its frames to the character's list
in the output folder; the palette is then fitted over all of them, so every
sprite of the character uses the same colours.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

from .atomic import write_atomically
from .frames import DownscaleSettings
from .palette import Palette
from .palette_files import read_palette
from .pipeline import OutputSettings, RunOptions, apply, process
from .quantize import PaletteSettings
from .report import Report
from .sources import FrameSource, SetupError


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.-]+", "_", name.strip()).strip("._")
    return cleaned or "character"


class Character:
    """The frame list of character ``name``, kept as JSON in ``folder``."""

    def __init__(self, folder: Path | str, name: str) -> None:
        self.folder = Path(folder)
        self.name = _safe_name(name)
        self.list_path = self.folder / f"{self.name}.frames.json"
        self.palette_path = self.folder / f"{self.name}.gpl"
        self.frame_paths: list[Path] = []
        if self.list_path.is_file():
            try:
                stored = json.loads(self.list_path.read_text(encoding="utf-8"))
                self.frame_paths = [Path(path) for path in stored["frames"]]
            except (ValueError, KeyError, TypeError) as error:
                raise SetupError(f"{self.list_path}: not a frame list of Pixel Sprites ({error})") from error

    def add(self, paths: Iterable[Path | str]) -> None:
        """Add frames it does not have yet. Call :meth:`save` to keep them."""
        self.frame_paths = sorted(set(self.frame_paths) | {Path(path).resolve() for path in paths})

    def save(self) -> None:
        data = {"character": self.name, "frames": [str(path) for path in self.frame_paths]}
        write_atomically(self.list_path, (json.dumps(data, indent=1) + "\n").encode("utf-8"))

    def frames(self, paths: Iterable[Path] | None = None) -> list[FrameSource]:
        """Frame sources (all, or just ``paths``) with sprite paths relative to the frames' common folder."""
        folders = sorted({path.parent for path in self.frame_paths})
        if not folders:
            return []
        base = Path(os.path.commonpath(folders))
        chosen = self.frame_paths if paths is None else sorted(Path(path).resolve() for path in paths)
        return [FrameSource(path, path.relative_to(base)) for path in chosen]

    def source_folders(self) -> list[Path]:
        return sorted({path.parent for path in self.frame_paths})


def update_character(
    character: Character,
    new_frames: Iterable[Path | str],
    downscale: DownscaleSettings,
    palette_settings: PaletteSettings,
    *,
    target: Palette | None = None,
    indexed: bool = False,
    locked: bool = False,
    options: RunOptions | None = None,
) -> Report:
    """Add ``new_frames`` to ``character`` and bring its sprites up to date.

    Unlocked, the palette is refitted over all the character's frames and every
    sprite is rewritten with it. Locked (and a palette saved), only the sprites
    of ``new_frames`` are written, with the saved palette, so the others stay
    byte-identical.
    """
    job_frames = [Path(path) for path in new_frames]
    character.add(job_frames)
    character.save()
    output = OutputSettings(folder=character.folder, indexed=indexed, target=target, palette_name=character.name)
    sources = character.source_folders()
    if locked and character.palette_path.is_file():
        palette = read_palette(character.palette_path)
        return apply(character.frames(job_frames), sources, downscale, palette, output, options)
    return process(character.frames(), sources, downscale, palette_settings, output, options)
