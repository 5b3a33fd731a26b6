"""The sprite engine: frames → small frames → palette → sprites. Never imports bpy."""

from .character import (
    Character,
    add_frames_with_locked_palette,
    locked_character,
    record_frames,
    update_character,
)
from .facings import Facing, facings
from .frames import Downscaler, DownscaleSettings, Frame, FrameError, nearest_indices, read_frame, sprite_shape
from .options import DEFAULT_TOLERANCE, METHODS, Option, OptionError, check_indexed_fits
from .output_record import check_writable, claim
from .palette import Palette
from .palette_files import PaletteFileError, read_palette, write_palette
from .pipeline import Cancelled, OutputSettings, RunOptions, apply, fit, process
from .quantize import FitResult, PaletteSettings, fit_palette
from .remap import Remapper
from .report import Report
from .sampling import PixelReservoir
from .sheet import grid_sprites, make_sheet
from .sheet_files import FORMATS as SHEET_FORMATS
from .sheet_files import LAYOUTS as SHEET_LAYOUTS
from .sheet_files import SheetOptions, SheetReport, write_sheets
from .sheet_layout import DEFAULT_MAX_SIZE, SheetError
from .sources import FrameSource, SetupError, discover_frames, prepare_output_folder
from .sprite_files import write_png
from .sprite_set import DEFAULT_FPS, Action, SpriteSet, open_sprite_set, safe_name, unique_safe_names

__all__ = [
    "DEFAULT_FPS",
    "DEFAULT_MAX_SIZE",
    "DEFAULT_TOLERANCE",
    "METHODS",
    "SHEET_FORMATS",
    "SHEET_LAYOUTS",
    "Action",
    "Cancelled",
    "Character",
    "DownscaleSettings",
    "Downscaler",
    "Facing",
    "FitResult",
    "Frame",
    "FrameError",
    "FrameSource",
    "Option",
    "OptionError",
    "OutputSettings",
    "Palette",
    "PaletteFileError",
    "PaletteSettings",
    "PixelReservoir",
    "Remapper",
    "Report",
    "RunOptions",
    "SetupError",
    "SheetError",
    "SheetOptions",
    "SheetReport",
    "SpriteSet",
    "add_frames_with_locked_palette",
    "apply",
    "check_indexed_fits",
    "check_writable",
    "claim",
    "discover_frames",
    "facings",
    "fit",
    "fit_palette",
    "grid_sprites",
    "locked_character",
    "make_sheet",
    "nearest_indices",
    "open_sprite_set",
    "prepare_output_folder",
    "process",
    "read_frame",
    "read_palette",
    "record_frames",
    "safe_name",
    "sprite_shape",
    "unique_safe_names",
    "update_character",
    "write_palette",
    "write_png",
    "write_sheets",
]
