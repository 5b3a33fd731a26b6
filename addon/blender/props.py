"""Scene settings of Pixel Sprites, saved with the .blend so batch renders use them too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy

from ..engine import DownscaleSettings, PaletteSettings, options
from ..engine.export.sheets import SheetOptions
from ..engine.export.variants import PaletteVariant
from ..engine.frames.depth import DEPTH_FOLDER, DepthSettings
from ..engine.frames.normals import NORMALS_FOLDER, NormalSettings
from ..engine.jobs.spec import SetSheets, SpriteJob
from ..engine.options import Option
from ..engine.sets.facings import COMPASS
from ..engine.sprites.finishing import FinishSettings
from . import rig_props
from .preview_props import PreviewSettings
from .rig_props import GameDataSettings

DEFAULT_OUTPUT_FOLDER = "sprites"
_METHOD_NAMES = {
    # Short names: the sidebar shows about 12 characters of a menu's value at its default width.
    "kmeans-lab": (
        "k-means Lab",
        "k-means in DIN99o (CIELAB made perceptually even), refined for the ΔE2000 error (recommended)",
    ),
    "meanshift-seed": ("MeanShift", "The original script's MeanShift in RGB, for comparison"),
}
METHOD_ITEMS = [(name, *_METHOD_NAMES[name]) for name in options.METHOD.choices]
_SAMPLING_NAMES = {
    "nearest": ("Nearest", "Each sprite pixel keeps the render pixel at the centre of its block"),
    "majority": (
        "Majority",
        "Each sprite pixel takes the palette colour most of its block is nearest to: no speckle from render noise "
        "(each frame is read twice)",
    ),
}
SAMPLING_ITEMS = [(name, *_SAMPLING_NAMES[name]) for name in options.SAMPLING.choices]


def _description(option: Option) -> str:
    return _description_text(option.help)


def _description_text(help_text: str) -> str:
    return help_text[0].upper() + help_text[1:]


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
    """A frame the last run could not use, and why; or, as a note, a file a sprite was made without (a normal or
    depth frame missing or unusable)."""

    path: bpy.props.StringProperty(name="File")  # type: ignore[valid-type]
    reason: bpy.props.StringProperty(name="Reason")  # type: ignore[valid-type]
    note: bpy.props.BoolProperty(name="Note")  # type: ignore[valid-type]


class PIXEL_SPRITES_PG_action(bpy.types.PropertyGroup):
    """One action of the sprite set: what plays, which frames, how often, whether it loops."""

    enabled: bpy.props.BoolProperty(name="Render", description="Render this action in the set", default=True)  # type: ignore[valid-type]
    action: bpy.props.PointerProperty(  # type: ignore[valid-type]
        name="Action",
        type=bpy.types.Action,
        description="The action to play on the animated object; empty for the scene's current animation",
    )
    use_action_range: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="Action's Frame Range",
        description="Render the action's own frame range; off to set the range by hand",
        default=True,
    )
    frame_start: bpy.props.IntProperty(name="Start", default=1, min=0)  # type: ignore[valid-type]
    frame_end: bpy.props.IntProperty(name="End", default=24, min=0)  # type: ignore[valid-type]
    frame_step: _number_property(options.FRAME_STEP)  # type: ignore[valid-type]
    loop: bpy.props.BoolProperty(name="Loop", description="The animation loops in game engines", default=True)  # type: ignore[valid-type]


class PIXEL_SPRITES_PG_variant(bpy.types.PropertyGroup):
    """A palette variant: its name (in its files' names, <sheet>.<name>.png) and its palette file."""

    name: bpy.props.StringProperty(name="Name", description="The variant's name, such as red or damage_flash")  # type: ignore[valid-type]
    file: bpy.props.StringProperty(  # type: ignore[valid-type]
        name="Palette File",
        description="As many entries as the character's palette, entry i replacing entry i (.gpl, .hex, .pal, .png)",
        subtype="FILE_PATH",
    )


class PIXEL_SPRITES_PG_settings(GameDataSettings, PreviewSettings, bpy.types.PropertyGroup):
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
    sampling: bpy.props.EnumProperty(  # type: ignore[valid-type]
        name=options.SAMPLING.label,
        description=_description(options.SAMPLING),
        items=SAMPLING_ITEMS,
        default=options.SAMPLING.default,
    )
    stabilise: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name=options.STABILISE.label,
        description=_description(options.STABILISE),
        default=bool(options.STABILISE.default),
    )
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
    directions: _number_property(options.DIRECTIONS)  # type: ignore[valid-type]
    start_facing: bpy.props.EnumProperty(  # type: ignore[valid-type]
        name="Facing as Set Up",
        description="Where the character faces as set up, seen from the camera (S: towards it); names turn with it",
        items=[(name, name, f"The character as set up faces {name}") for name in COMPASS],
        default="S",
    )
    mirror: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="Mirror Facings",
        description=(
            "Render the facings from S to N only and make the others by flipping their sprites left to right. "
            "Asymmetric lighting, props or details will show"
        ),
        default=False,
    )
    pivot_object: bpy.props.PointerProperty(  # type: ignore[valid-type]
        name="Pivot",
        type=bpy.types.Object,
        description="The object the character turns about (world Z through its origin); empty for the top parent "
        "of the active object",
    )
    animated_object: bpy.props.PointerProperty(  # type: ignore[valid-type]
        name="Animated Object",
        type=bpy.types.Object,
        description="The object the set's actions are assigned to (e.g. the armature); empty for the active object",
    )
    set_actions: bpy.props.CollectionProperty(type=PIXEL_SPRITES_PG_action)  # type: ignore[valid-type]
    active_set_action: bpy.props.IntProperty(name="Active Action")  # type: ignore[valid-type]
    normal_maps: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="Normal Maps",
        description=(
            "Render the Normal pass too (Cycles and EEVEE) and write a normal-map sprite beside every sprite, and a "
            "normal sheet (<sheet>_n.png) beside every sheet, for 2D lights in Godot, Unity and Phaser"
        ),
        default=False,
    )
    normal_y_down: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="Y Down (DirectX)",
        description="Normal maps with green pointing down, for engines and tools that want DirectX's convention",
        default=False,
    )
    outline: bpy.props.EnumProperty(  # type: ignore[valid-type]
        name=options.OUTLINE.label,
        description=_description(options.OUTLINE),
        items=[(name, name.capitalize() if name != "selout" else "Selout", "") for name in options.OUTLINES],
        default=options.OUTLINE.default,
    )
    outline_colour: bpy.props.StringProperty(  # type: ignore[valid-type]
        name=options.OUTLINE_COLOUR.label,
        description=_description(options.OUTLINE_COLOUR),
        default=options.OUTLINE_COLOUR.default,
    )
    outline_neighbours: bpy.props.EnumProperty(  # type: ignore[valid-type]
        name=options.OUTLINE_NEIGHBOURS.label,
        description=_description(options.OUTLINE_NEIGHBOURS),
        items=[(count, count, f"{count} neighbours") for count in options.OUTLINE_NEIGHBOURS.choices],
        default=options.OUTLINE_NEIGHBOURS.default,
    )
    cleanup: bpy.props.BoolProperty(name="Clean Up", description=_description_text(options.CLEANUP_HELP))  # type: ignore[valid-type]
    inner_lines: bpy.props.BoolProperty(name="Inner Lines", description=_description_text(options.INNER_LINES_HELP))  # type: ignore[valid-type]
    make_sheets: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="Sheets",
        description="After a sprite set, write its sheets, JSON (Phaser, PixiJS), Godot .tres, .aseprite and previews",
        default=True,
    )
    sheet_layout: bpy.props.EnumProperty(  # type: ignore[valid-type]
        name="Layout",
        items=[(name, label, description) for name, (label, description) in options.LAYOUTS.items()],
        default=options.LAYOUT.default,
    )
    max_sheet_size: _number_property(options.MAX_SIZE)  # type: ignore[valid-type]
    sheet_padding: _number_property(options.PADDING)  # type: ignore[valid-type]
    sheet_margin: _number_property(options.MARGIN)  # type: ignore[valid-type]
    sheet_rgba: bpy.props.BoolProperty(name="RGBA Sheets", description="RGBA even where a paletted PNG would do")  # type: ignore[valid-type]
    sheet_packed: bpy.props.BoolProperty(name="Packed", description=options.PACKED_HELP.capitalize(), default=False)  # type: ignore[valid-type]
    sheet_extrude: _number_property(options.EXTRUDE)  # type: ignore[valid-type]
    palette_variants: bpy.props.CollectionProperty(type=PIXEL_SPRITES_PG_variant)  # type: ignore[valid-type]
    active_palette_variant: bpy.props.IntProperty(name="Active Variant")  # type: ignore[valid-type]
    palette: bpy.props.CollectionProperty(type=PIXEL_SPRITES_PG_color)  # type: ignore[valid-type]
    skipped: bpy.props.CollectionProperty(type=PIXEL_SPRITES_PG_skipped)  # type: ignore[valid-type]
    last_summary: bpy.props.StringProperty(name="Last Run")  # type: ignore[valid-type]
    last_output: bpy.props.StringProperty(  # type: ignore[valid-type]
        name="Last Output",
        description="The folder the last run wrote its sprites to (Ctrl C over the field copies it)",
        subtype="DIR_PATH",
    )

    def downscale_settings(self, *, frames_at_sprite_size: bool = False) -> DownscaleSettings:
        if frames_at_sprite_size:  # one render pixel per sprite pixel: there is no block to take a majority of
            return DownscaleSettings(pixel=1, alpha_threshold=self.alpha_threshold)
        threshold, sampling = self.alpha_threshold, self.sampling
        if self.size_mode == "SIZE":
            return DownscaleSettings(size=(self.width, self.height), alpha_threshold=threshold, sampling=sampling)
        return DownscaleSettings(pixel=self.pixel, alpha_threshold=threshold, sampling=sampling)

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

    def sheet_options(self) -> SheetOptions:
        return SheetOptions(
            layout=self.sheet_layout, max_size=self.max_sheet_size, padding=self.sheet_padding,
            margin=self.sheet_margin, rgba=self.sheet_rgba, normals=self.normal_maps,
            packed=self.sheet_packed, extrude=self.sheet_extrude if self.sheet_packed else 0,
            variants=self.palette_variant_list(), keep_variants=False,  # the panel's list is the set's variants
        )  # fmt: skip

    def palette_variant_list(self) -> tuple[PaletteVariant, ...]:
        """The panel's palette variants that have a name and a file."""
        return tuple(
            PaletteVariant(item.name.strip(), Path(bpy.path.abspath(item.file)))
            for item in self.palette_variants
            if item.name.strip() and item.file
        )

    def sprite_job(
        self, renders: Path, *, frames_at_sprite_size: bool = False, root: Path | None = None, sheets: bool = False
    ) -> SpriteJob:
        """The scene's settings as the engine's job spec, for the character whose renders are in ``renders``: the
        one place where the scene's settings become a job (renders, sprite sets and farm tasks alike)."""
        return SpriteJob(
            output=self.output_folder_for(renders),
            downscale=self.downscale_settings(frames_at_sprite_size=frames_at_sprite_size),
            palette=self.palette_settings(),
            palette_mode="locked" if self.palette_locked else "fit",
            target_palette=self.target_palette_path(),
            indexed=self.indexed,
            character=self.character,
            root=root,
            sheets=SetSheets(self.sheet_options()) if sheets and self.make_sheets else None,
            normals=self.normal_settings(root or renders),
            finish=self.finish_settings(root or renders),
            rig=self.rig_request(),
            stabilise=self.stabilise,
        )

    def finish_settings(self, renders: Path) -> FinishSettings | None:
        """The scene's clean-up, outline and inner lines (from the depth frames the render writes below
        ``renders``); None when all are off. A bad outline colour is a settings problem, refused before any work
        (see ``sprites.settings_problem``)."""
        settings = FinishSettings(
            outline=self.outline,
            colour=options.outline_rgb(self.outline_colour.strip() or "auto"),
            neighbours=int(self.outline_neighbours),
            cleanup=self.cleanup,
            inner_lines=DepthSettings(renders / DEPTH_FOLDER, root=renders) if self.inner_lines else None,
        )
        return settings if settings.active else None

    def normal_settings(self, renders: Path) -> NormalSettings | None:
        """Where this scene's normal frames are written below ``renders``, and how they become sprites."""
        if not self.normal_maps:
            return None
        folder = renders / NORMALS_FOLDER
        return NormalSettings.reading(folder, flip_green=self.normal_y_down, root=renders)


CLASSES = (
    PIXEL_SPRITES_PG_color,
    PIXEL_SPRITES_PG_skipped,
    PIXEL_SPRITES_PG_action,
    PIXEL_SPRITES_PG_variant,
    *rig_props.CLASSES,  # before the settings that hold them
    PIXEL_SPRITES_PG_settings,
)
