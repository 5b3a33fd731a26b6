"""One definition of each user-facing option: name, default, range and help.

The command line, the batch script and the Blender scene properties are all
built from these definitions, so the three accept the same values and refuse
the same ones, with the same message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import OptionError
from .export.formats import REGISTERED

# The version of Pixel Sprites, written into the JSON sheets. Blender reads bl_info and blender_manifest.toml as
# literals, so those keep copies that tests/test_project.py holds equal to this.
VERSION = "0.1.0"

METHODS = ("kmeans-lab", "meanshift-seed")
SAMPLINGS = ("nearest", "majority")
DEFAULT_TOLERANCE = 3.0
PALETTE_LIMIT = 256
# A paletted PNG has 256 entries, and one of them is the transparent colour.
INDEXED_LIMIT = 255


@dataclass(frozen=True)
class Option:
    """A numeric, choice or on/off option, as the command line spells it (``flag``) and Blender shows it
    (``label``)."""

    name: str
    label: str
    help: str
    default: int | float | str
    minimum: int | float | None = None
    maximum: int | float | None = None
    choices: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def problem(self, value: int | float | str) -> str | None:
        """What is wrong with ``value`` for this option, or None if it is allowed."""
        if self.choices and value not in self.choices:
            return f"expected one of {', '.join(self.choices)}, got {value!r}"
        not_finite = non_finite_problem(value)
        if not_finite:
            return not_finite
        too_low = self.minimum is not None and value < self.minimum  # type: ignore[operator]
        too_high = self.maximum is not None and value > self.maximum  # type: ignore[operator]
        if too_low or too_high:
            return f"must be in {self.minimum}..{self.maximum}, got {value}"
        return None

    def check(self, value: int | float | str) -> None:
        """Raise :class:`OptionError`, naming the option, if it does not allow ``value``."""
        problem = self.problem(value)
        if problem:
            raise OptionError(f"{self.flag}: {problem}")


PIXEL = Option("pixel", "Pixel Block", "render pixels per sprite pixel (render resolution ÷ this)", 10, 1, 1024)
WIDTH = Option("width", "Width", "sprite width in pixels", 64, 1, 8192)
HEIGHT = Option("height", "Height", "sprite height in pixels", 90, 1, 8192)
ALPHA_THRESHOLD = Option(
    "alpha_threshold", "Alpha Threshold", "alpha at or above this is opaque, below it transparent", 128, 1, 255
)
SAMPLING = Option(
    "sampling",
    "Sampling",
    "how a block of render pixels becomes one sprite pixel: 'nearest' keeps the pixel at its centre; 'majority' "
    "the palette colour most of the block is nearest to, so render noise does not become speckle (each frame is "
    "read twice)",
    SAMPLINGS[0],
    choices=SAMPLINGS,
)
STABILISE = Option(
    "stabilise",
    "Steady Colours",
    "within each animation a sprite pixel keeps its palette colour from the frame before until the surface under "
    "it really changes, so that render noise does not make still areas shimmer",
    False,
)
COLORS = Option("colors", "Colours", "number of palette colours", 16, 1, PALETTE_LIMIT)
MAX_COLORS = Option("max_colors", "Max Colours", "upper bound of the automatic colour count", 32, 1, PALETTE_LIMIT)
TOLERANCE = Option(
    "tolerance",
    "Tolerance",
    "with automatic colours: the mean ΔE2000 every palette colour must keep its pixels within "
    "(about 2-3 is where people begin to see a difference)",
    DEFAULT_TOLERANCE,
    0.1,
    50.0,
)
METHOD = Option("method", "Method", "palette fitting method", METHODS[0], choices=METHODS)
SEED = Option("seed", "Seed", "seed of the pixel sample and the clustering", 0, 0, 2**31 - 1)
DIRECTIONS = Option(
    "directions", "Directions", "facings to render, turning the character about the world Z axis", 8, 1, 64
)
FRAME_STEP = Option("frame_step", "Frame Step", "render every Nth frame of an action", 1, 1, 1000)
MAX_SIZE = Option(
    "max_size", "Max Sheet Size", "largest sheet side in pixels; rows wrap and further pages follow", 4096, 16, 16384
)
PADDING = Option("padding", "Padding", "pixels between sheet cells", 1, 0, 64)
MARGIN = Option("margin", "Margin", "pixels around a sheet", 0, 0, 256)
# Sheet layouts: name → (label, description), as the panel shows them.
LAYOUTS = {
    "action": ("One per Action", "One sheet per action: a row of frames per facing"),
    "atlas": ("One Atlas", "One sheet for the whole set"),
}
LAYOUT = Option(
    "layout",
    "Layout",
    "one sheet per action (rows of facings, columns of frames), or one atlas for the set",
    "action",
    choices=tuple(LAYOUTS),
)
# Packed atlases: frames trimmed to their pixels, identical ones merged, packed by MaxRects (engine/export/packing.py).
PACKED_HELP = (
    "pack the sheets: trim every frame to its opaque pixels, merge identical frames, pack them densely; the JSON, "
    "Godot and .aseprite files keep every frame's full-size place"
)
EXTRUDE = Option(
    "extrude",
    "Extrude",
    "with --packed: repeat each frame's edge pixels this far around it, for filtered sampling",
    0,
    0,
    16,
)
# The files written beside each sheet page: the registry's formats (engine/export/formats), whose package imports
# none of them until asked, so that this module stays free of every stage.
SHEET_FORMATS = REGISTERED
OUTLINES = ("none", "outer", "inner", "selout")
OUTLINE = Option(
    "outline",
    "Outline",
    "a one-pixel outline after the palette: 'outer' around the silhouette, 'inner' on its edge pixels, both in "
    "the outline colour; 'selout' around it, each pixel a darker palette colour of the hue it borders",
    OUTLINES[0],
    choices=OUTLINES,
)
OUTLINE_COLOUR = Option(
    "outline_colour",
    "Outline Colour",
    "'auto' (the palette's darkest colour, in DIN99o lightness) or #RRGGBB, added to the palette",
    "auto",
)
OUTLINE_NEIGHBOURS = Option(
    "outline_neighbours",
    "Outline Neighbours",
    "4: the outline touches the silhouette at edges; 8: at corners too",
    "4",
    choices=("4", "8"),
)
CLEANUP_HELP = (
    "clean up: a pixel unlike all four neighbours takes the colour most of its neighbours have, and with an "
    "outline its L-corners go, so it stays one pixel thin"
)
INNER_LINES_HELP = (
    "inner lines where parts overlap (an arm before the body): where depth steps between neighbouring sprite "
    "pixels, the nearer pixel takes the outline colour; needs depth frames rendered with the colour frames "
    "(Blender writes them into <renders>/depth/)"
)
# Palette variants: the one help text of each, for the command line, the batch script and the panel.
VARIANT_HELP = (
    "a palette variant NAME=FILE (.gpl, .hex, JASC .pal or PNG swatch strip) with as many entries as the sprites' "
    "palette, entry i replacing entry i: writes <sheet>.NAME.png/.json/.tres/.aseprite and previews beside every "
    "sheet, and index maps, <character>_palettes.png and a Godot palette swap shader; repeatable, kept in the "
    "manifest for later runs"
)
NO_VARIANTS_HELP = "drop the palette variants the set's manifest keeps (with --variant: only the ones given)"
# Game data from the rig: the one help text of each, for the batch script, the Flamenco job type and the panel.
POINTS_HELP = (
    "points the game attaches things to, comma-separated: an object's name (its origin), OBJECT/BONE (the bone's "
    "head) or OBJECT/BONE/tail (its tail), each optionally NAME=SOURCE; every frame gets each point's position in "
    "sprite pixels and whether it is in front of the character or behind it"
)
BOXES_HELP = (
    "hit and hurt boxes, comma-separated: an object's or a collection's name (all its meshes), each optionally "
    "NAME=SOURCE; every frame gets the smallest rectangle of sprite pixels that holds it (hidden objects work)"
)
IN_PLACE_HELP = (
    "render actions that move the character across the floor in place: their horizontal motion is taken out and "
    "given per frame as root motion"
)
RIG_FROM_HELP = "the rig.json of game data (points, boxes, root motion) Blender wrote beside the renders"
FPS = Option(
    "fps", "Frame Rate", "frame rate of every action (default: the set manifest's, or 24)", 24.0, 0.001, 1000.0
)


def non_finite_problem(value: object) -> str | None:
    """The problem of a NaN or infinite number, or None: NaN fails every comparison, so a range check alone
    would let it through, and an infinity is never meant either."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"expected a finite number, got {value}"
    return None


def outline_rgb(text: str) -> tuple[int, int, int] | None:
    """The colour ``--outline-colour`` gives: None for ``auto``, else the (r, g, b) of ``#RRGGBB``.

    Raises
    ------
    OptionError
        Naming the option, for anything else.
    """
    if text == "auto":
        return None
    digits = text[1:] if text.startswith("#") else ""
    if len(digits) != 6 or any(char not in "0123456789abcdefABCDEF" for char in digits):
        raise OptionError(f"{OUTLINE_COLOUR.flag}: expected auto or #RRGGBB, got {text!r}")
    red, green, blue = (int(digits[start : start + 2], 16) for start in (0, 2, 4))
    return red, green, blue


def check_indexed_fits(
    indexed: bool, colors: int | None, max_colors: int, method: str = METHODS[0], *, added: int = 0
) -> None:
    """Refuse, before any work, a palette larger than a paletted PNG can hold (``added``: colours the run adds to
    the fitted ones, such as a given outline colour).

    Raises
    ------
    OptionError
        If ``indexed`` and the fitted palette could have more than 255 colours.
    """
    if not indexed or method != METHODS[0]:
        return  # MeanShift's count is only known after the fit; the run checks it then
    option, count = (COLORS, colors) if colors is not None else (MAX_COLORS, max_colors)
    if count + added > INDEXED_LIMIT:
        besides = f" and {OUTLINE_COLOUR.flag}" if added else ""
        raise OptionError(
            f"{option.flag} {count}{besides} with --indexed: a paletted PNG holds at most {INDEXED_LIMIT} colours "
            "besides the transparent one"
        )
