"""The sprite engine, by stage: frames → small frames (``frames``) → palette (``palette``, with ``colour``) →
sprites (``sprites``) → sets (``sets``) → sheets and engine files (``export``); ``jobs`` runs whole jobs, ``files``
is the plumbing every stage shares. Never imports bpy.

Names are imported on first use (PEP 562), so ``import pixel_sprites.engine`` loads no stage, and a command that
writes no sheet never imports the Godot or Aseprite writers.
"""

from __future__ import annotations

import importlib
from typing import Any

# Public name → (module below this package, the name there; None for the module itself).
_EXPORTS: dict[str, tuple[str, str | None]] = {
    "Palette": ("colour.palette", "Palette"),
    "Cancelled": ("errors", "Cancelled"),
    "FrameError": ("errors", "FrameError"),
    "OptionError": ("errors", "OptionError"),
    "PaletteFileError": ("errors", "PaletteFileError"),
    "SetupError": ("errors", "SetupError"),
    "SheetError": ("errors", "SheetError"),
    "grid_sprites": ("export.grid", "grid_sprites"),
    "make_sheet": ("export.grid", "make_sheet"),
    "DEFAULT_MAX_SIZE": ("export.layout", "DEFAULT_MAX_SIZE"),
    "SHEET_FORMATS": ("export.sheets", "FORMATS"),
    "SHEET_LAYOUTS": ("export.sheets", "LAYOUTS"),
    "SheetOptions": ("export.sheets", "SheetOptions"),
    "SheetReport": ("export.sheets", "SheetReport"),
    "write_sheets": ("export.sheets", "write_sheets"),
    "safe_name": ("files.names", "safe_name"),
    "unique_safe_names": ("files.names", "unique_safe_names"),
    "write_png": ("files.png", "write_png"),
    "check_writable": ("files.record", "check_writable"),
    "claim": ("files.record", "claim"),
    "DownscaleSettings": ("frames.downscale", "DownscaleSettings"),
    "Downscaler": ("frames.downscale", "Downscaler"),
    "Frame": ("frames.downscale", "Frame"),
    "nearest_indices": ("frames.downscale", "nearest_indices"),
    "read_frame": ("frames.downscale", "read_frame"),
    "sprite_shape": ("frames.downscale", "sprite_shape"),
    "FrameSource": ("frames.sources", "FrameSource"),
    "discover_frames": ("frames.sources", "discover_frames"),
    "prepare_output_folder": ("frames.sources", "prepare_output_folder"),
    "DEFAULT_TOLERANCE": ("options", "DEFAULT_TOLERANCE"),
    "METHODS": ("options", "METHODS"),
    "Option": ("options", "Option"),
    "check_indexed_fits": ("options", "check_indexed_fits"),
    "options": ("options", None),
    "read_palette": ("palette.files", "read_palette"),
    "write_palette": ("palette.files", "write_palette"),
    "FitResult": ("palette.fit", "FitResult"),
    "PaletteSettings": ("palette.fit", "PaletteSettings"),
    "fit_palette": ("palette.fit", "fit_palette"),
    "Remapper": ("palette.remap", "Remapper"),
    "PixelReservoir": ("palette.sampling", "PixelReservoir"),
    "Facing": ("sets.facings", "Facing"),
    "facings": ("sets.facings", "facings"),
    "Action": ("sets.manifest", "Action"),
    "DEFAULT_FPS": ("sets.manifest", "DEFAULT_FPS"),
    "SpriteSet": ("sets.manifest", "SpriteSet"),
    "open_sprite_set": ("sets.manifest", "open_sprite_set"),
    "Character": ("sprites.character", "Character"),
    "add_frames_with_locked_palette": ("sprites.character", "add_frames_with_locked_palette"),
    "locked_character": ("sprites.character", "locked_character"),
    "record_frames": ("sprites.character", "record_frames"),
    "update_character": ("sprites.character", "update_character"),
    "OutputSettings": ("sprites.pipeline", "OutputSettings"),
    "RunOptions": ("sprites.pipeline", "RunOptions"),
    "apply": ("sprites.pipeline", "apply"),
    "fit": ("sprites.pipeline", "fit"),
    "process": ("sprites.pipeline", "process"),
    "Report": ("sprites.report", "Report"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    module = importlib.import_module(f".{module_name}", __name__)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
