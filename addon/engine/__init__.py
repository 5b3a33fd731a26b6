"""The sprite engine: frames → small frames → palette → sprites. Never imports bpy."""

from .character import Character, update_character
from .frames import Downscaler, DownscaleSettings, Frame, FrameError, nearest_indices, read_frame, sprite_shape
from .options import DEFAULT_TOLERANCE, METHODS, Option, OptionError, check_indexed_fits
from .palette import Palette
from .palette_files import PaletteFileError, read_palette, write_palette
from .pipeline import Cancelled, OutputSettings, RunOptions, apply, fit, process
from .quantize import FitResult, PaletteSettings, fit_palette
from .remap import Remapper
from .report import Report
from .sampling import PixelReservoir
from .sheet import make_sheet
from .sources import FrameSource, SetupError, discover_frames, prepare_output_folder
from .sprite_files import write_png

__all__ = [
    "DEFAULT_TOLERANCE",
    "METHODS",
    "Cancelled",
    "Character",
    "DownscaleSettings",
    "Downscaler",
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
    "apply",
    "check_indexed_fits",
    "discover_frames",
    "fit",
    "fit_palette",
    "make_sheet",
    "nearest_indices",
    "prepare_output_folder",
    "process",
    "read_frame",
    "read_palette",
    "sprite_shape",
    "update_character",
    "write_palette",
    "write_png",
]
