"""The one description of a sprite job: what to read, how to make sprites, where to write them, and what after.

The scene builds it in one method (``PIXEL_SPRITES_PG_settings.sprite_job``), the command line and the batch
script in one adapter (``cli.jobs.sprite_job``), and :mod:`.run` runs it. What is decided once per job travels as
small frozen objects, each handed whole to the stage that reads it: ``downscale`` to the frames stage, ``palette``
to the fit, :meth:`SpriteJob.output_settings` (target palette, paletted PNGs, normal sprites, ``finish``) to the
sprite writer, ``sheets`` to the one sheet path (``set_files``), whose formats are a registry (``export.formats``).
A new option is a field of the object its stage reads, set where the job is built (the scene, ``cli.jobs``), and
read in its stage; nothing between them lists it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..colour.palette import Palette
from ..errors import SetupError
from ..export.sheets import SheetOptions
from ..files.locking import DEFAULT_LOCK_TIMEOUT
from ..files.names import character_file_name
from ..frames.downscale import DownscaleSettings
from ..frames.normals import NormalSettings
from ..options import check_indexed_fits
from ..palette.files import read_palette
from ..palette.fit import PaletteSettings
from ..sets.rig_names import RigRequest
from ..sprites.finishing import FinishSettings, check_outline_colour
from ..sprites.pipeline import OutputSettings

# How a job gets its palette: fitted over the frames, the character's saved one left as it is, or a given file.
PALETTE_MODES = ("fit", "locked", "file")
# The palette files of a job without a character are named after this.
FOLDER_PALETTE_NAME = "palette"


@dataclass(frozen=True)
class SetSheets:
    """The sheets a job writes after its sprites: how (``options``), and of which set, where the folder alone does
    not say: the character whose manifest to use, a frame rate for every action, a pivot to override."""

    options: SheetOptions = field(default_factory=SheetOptions)
    character: str | None = None
    fps: float | None = None
    """Every action's frame rate; None keeps a manifest's rates (sprites without one play at 24 fps)."""
    pivot: tuple[int, int] | None = None
    rig_file: Path | None = None
    """The ``rig.json`` whose game data (points, boxes, root motion) the manifest and engine files get; None keeps
    the manifest's."""


@dataclass(frozen=True)
class SpriteJob:
    """What one sprite job does, from frames to files."""

    output: Path
    """The sprites folder: the character's folder, or the folder a command writes into."""
    downscale: DownscaleSettings = field(default_factory=DownscaleSettings)
    palette: PaletteSettings = field(default_factory=PaletteSettings)
    palette_mode: str = "fit"
    palette_file: Path | None = None
    """The palette of the ``file`` mode; the ``locked`` mode reads the character's own."""
    target_palette: Path | None = None
    """The game's palette, which every sprite colour is mapped to after the fit; None for none."""
    indexed: bool = False
    character: str | None = None
    """The character whose frame list and palette the job keeps; None for a job on a folder (``palette.gpl``)."""
    root: Path | None = None
    """Sprites keep the frames' paths below this folder."""
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    """How long a run that writes a palette waits for another run holding the folder's lock, in seconds."""
    report_path: Path | None = None
    sheets: SetSheets | None = None
    """The sheets to write after the sprites, or None for none."""
    normals: NormalSettings | None = None
    """Normal-map sprites beside the sprites (``normals/`` below the output folder), from these normal frames."""
    finish: FinishSettings | None = None
    """Clean-up, outline and inner lines of the sprites (``--cleanup``, ``--outline``, ``--inner-lines``: its depth
    frames); None for none."""
    rig: RigRequest | None = None
    """The game data Blender projects from the rig while it renders (points, boxes, In Place) into ``rig.json``
    beside the renders; None for none. The engine reads that file through ``sheets.rig_file``."""
    stabilise: bool = False
    """Steady Colours (``--stabilise``): within each animation a sprite pixel keeps its palette colour from the frame
    before until its surface really changes (``sprites.stabilise``)."""

    def __post_init__(self) -> None:
        if self.palette_mode not in PALETTE_MODES:
            raise SetupError(f"palette mode: expected one of {', '.join(PALETTE_MODES)}, got {self.palette_mode!r}")
        if self.palette_mode == "file" and self.palette_file is None:
            raise SetupError("a job with a palette file needs the file")

    @property
    def locked(self) -> bool:
        return self.palette_mode == "locked"

    @property
    def palette_name(self) -> str:
        """The stem of the palette files: the character's file name, or ``palette`` for a folder job."""
        return character_file_name(self.character) if self.character is not None else FOLDER_PALETTE_NAME

    def check(self) -> None:
        """Refuse, before any work, what the job could only fail at later (a fit too large for paletted PNGs).

        Raises
        ------
        OptionError
            Naming the option.
        """
        adds = int(self.finish is not None and self.finish.adds_colour)
        if self.palette_mode == "fit":
            settings = self.palette
            check_indexed_fits(self.indexed, settings.colors, settings.max_colors, settings.method, added=adds)
        if self.finish is not None and self.finish.adds_colour:
            fixed = read_palette(self.palette_file) if self.palette_file is not None else None
            check_outline_colour(self.finish, fixed, self.target())

    def target(self) -> Palette | None:
        """The game's palette, read now (a file may change between jobs), or None."""
        return read_palette(self.target_palette) if self.target_palette is not None else None

    def output_settings(self) -> OutputSettings:
        return OutputSettings(
            folder=self.output,
            indexed=self.indexed,
            target=self.target(),
            palette_name=self.palette_name,
            report_path=self.report_path,
            normals=self.normals,
            finish=self.finish,
            lock_timeout=self.lock_timeout,
            stabilise=self.stabilise,
        )


def manifest_normals(settings: NormalSettings | None) -> dict[str, object] | None:
    """A set manifest's entry for normal maps made with ``settings``: the rotation into camera space (None when the
    normal frames were in camera space already); None without normal maps."""
    if settings is None:
        return None
    rotation = settings.world_to_camera
    return {"world_to_camera": [list(row) for row in rotation] if rotation is not None else None}
