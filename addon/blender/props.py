"""Scene settings of Pixel Sprites, saved with the .blend so batch renders use them too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy

from ..engine import DownscaleSettings, PaletteSettings, options
from ..engine.options import Option

DEFAULT_OUTPUT_FOLDER = "sprites"
_METHOD_NAMES = {
    "kmeans-lab": ("k-means in CIELAB", "Perceptual colour clustering (recommended)"),
    "meanshift-seed": ("MeanShift (original)", "The original script's MeanShift in RGB, for comparison"),
}
METHOD_ITEMS = [(name, *_METHOD_NAMES[name]) for name in options.METHOD.choices]


def _description(option: Option) -> str:
    return option.help[0].upper() + option.help[1:]


def _number_property(option: Option) -> Any:  # a deferred property, which fake-bpy-module types apart
    """A scene property with the option's own range: what the command line refuses, Blender cannot hold."""
    make = bpy.props.IntProperty if isinstance(option.default, int) else bpy.props.FloatProperty
    return make(
        name=option.label,
        description=_description(option),
        default=option.default,
        min=option.minimum,
        max=option.maximum,
    )


class PIXEL_SPRITES_PG_color(bpy.types.PropertyGroup):
    """One palette colour, drawn as a swatch in the panel."""

    color: bpy.props.FloatVectorProperty(  # type: ignore[valid-type]
        name="Colour", subtype="COLOR_GAMMA", size=3, min=0.0, max=1.0
    )


class PIXEL_SPRITES_PG_skipped(bpy.types.PropertyGroup):
    """A frame the last run could not use, and why."""

    path: bpy.props.StringProperty(name="File")  # type: ignore[valid-type]
    reason: bpy.props.StringProperty(name="Reason")  # type: ignore[valid-type]


class PIXEL_SPRITES_PG_settings(bpy.types.PropertyGroup):
    enabled: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="Sprites After Render",
        description="Write sprites automatically when an animation render of this scene completes",
        default=True,
    )
    size_mode: bpy.props.EnumProperty(  # type: ignore[valid-type]
        name="Sprite Size",
        items=[
            ("PIXEL", "Pixel Block", "One sprite pixel per square block of render pixels"),
            ("SIZE", "Exact Size", "A fixed sprite width and height"),
        ],
        default="PIXEL",
    )
    pixel: _number_property(options.PIXEL)  # type: ignore[valid-type]
    width: _number_property(options.WIDTH)  # type: ignore[valid-type]
    height: _number_property(options.HEIGHT)  # type: ignore[valid-type]
    auto_colors: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="Automatic Colour Count",
        description="Use the fewest colours that keep every colour within the tolerance",
        default=True,
    )
    colors: _number_property(options.COLORS)  # type: ignore[valid-type]
    tolerance: _number_property(options.TOLERANCE)  # type: ignore[valid-type]
    max_colors: _number_property(options.MAX_COLORS)  # type: ignore[valid-type]
    seed: _number_property(options.SEED)  # type: ignore[valid-type]
    method: bpy.props.EnumProperty(  # type: ignore[valid-type]
        name=options.METHOD.label,
        description=_description(options.METHOD),
        items=METHOD_ITEMS,
        default=options.METHOD.default,
    )
    target_palette: bpy.props.StringProperty(  # type: ignore[valid-type]
        name="Target Palette",
        description="Game palette to map sprites to (.png swatch, .gpl, .hex or .pal); empty for none",
        subtype="FILE_PATH",
    )
    alpha_threshold: _number_property(options.ALPHA_THRESHOLD)  # type: ignore[valid-type]
    indexed: bpy.props.BoolProperty(name="Paletted PNG", default=False)  # type: ignore[valid-type]
    output_folder: bpy.props.StringProperty(  # type: ignore[valid-type]
        name="Output Folder",
        description="Where sprites go; empty for a 'sprites' folder beside the renders",
        subtype="DIR_PATH",
    )
    source_folder: bpy.props.StringProperty(  # type: ignore[valid-type]
        name="Renders Folder",
        description="Folder of existing renders for Process Renders; empty for the render output folder",
        subtype="DIR_PATH",
    )
    character: bpy.props.StringProperty(  # type: ignore[valid-type]
        name="Character",
        description="Frames of one character share one palette, across render jobs",
        default="character",
    )
    palette_locked: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="Palette Locked",
        description="New frames use the saved palette unchanged and earlier sprites stay as they are",
        default=False,
    )
    render_at_sprite_size: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="Render at Sprite Size",
        description=(
            "Render Sprites renders directly at sprite resolution with the narrowest pixel filter "
            "(much faster; colours can differ slightly from render + downscale)"
        ),
        default=False,
    )
    palette: bpy.props.CollectionProperty(type=PIXEL_SPRITES_PG_color)  # type: ignore[valid-type]
    skipped: bpy.props.CollectionProperty(type=PIXEL_SPRITES_PG_skipped)  # type: ignore[valid-type]
    last_summary: bpy.props.StringProperty(name="Last Run")  # type: ignore[valid-type]
    last_output: bpy.props.StringProperty(name="Last Output", subtype="DIR_PATH")  # type: ignore[valid-type]

    def downscale_settings(self, *, frames_at_sprite_size: bool = False) -> DownscaleSettings:
        if frames_at_sprite_size:
            return DownscaleSettings(pixel=1, alpha_threshold=self.alpha_threshold)
        if self.size_mode == "SIZE":
            return DownscaleSettings(size=(self.width, self.height), alpha_threshold=self.alpha_threshold)
        return DownscaleSettings(pixel=self.pixel, alpha_threshold=self.alpha_threshold)

    def palette_settings(self) -> PaletteSettings:
        return PaletteSettings(
            method=self.method,
            colors=None if self.auto_colors else self.colors,
            tolerance=self.tolerance,
            max_colors=self.max_colors,
            seed=self.seed,
        )

    def output_folder_for(self, renders_folder: Path) -> Path:
        if self.output_folder:
            return Path(bpy.path.abspath(self.output_folder))
        return renders_folder / DEFAULT_OUTPUT_FOLDER

    def target_palette_path(self) -> Path | None:
        return Path(bpy.path.abspath(self.target_palette)) if self.target_palette else None


CLASSES = (PIXEL_SPRITES_PG_color, PIXEL_SPRITES_PG_skipped, PIXEL_SPRITES_PG_settings)
