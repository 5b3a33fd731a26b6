"""Runtime palette swaps: index maps, the palettes texture and the Godot 4 shader that draws through them.

* ``<stem>_index.png`` beside every sheet page: 8-bit grey+alpha, L = the pixel's index into the palette the
  variants index (0-based, in the palette file's order), A = the sheet's alpha, L = 0 where A = 0; the same layout
  as the page, so the page's JSON and ``.tres`` frames fit it too.
* ``<character>_palettes.png``: as wide as the palette, one row per palette: row 0 the sprites' own colours, then
  each variant in the order given (the convention of gdquest's and KoBeWi's palette swap shaders).
* ``<character>_palette_swap.gdshader``: a ``canvas_item`` shader that reads a texel of the index map and draws
  the colour in column L of row ``palette_row``. It fetches texels (no filtering, no mipmaps); the index map must
  be imported lossless, without mipmaps or sRGB conversion and with "Fix Alpha Border" off.
"""

from __future__ import annotations

import io

import numpy as np
from numpy.typing import NDArray

from ..files.png import encode_png

INDEX_SUFFIX = "_index"
PALETTES_SUFFIX = "_palettes"
SHADER_SUFFIX = "_palette_swap"

SHADER = """\
// Pixel Sprites palette swap (Godot 4, canvas_item): draw a sprite whose texture is an index map (<sheet>_index.png)
// in the colours of one row of the palettes texture (<character>_palettes.png): row 0 the sprites' own colours,
// row k variant k in the order they were given. Import both PNGs lossless, without mipmaps, with a nearest filter
// and with "Fix Alpha Border" off; texels are fetched, so no filter or sRGB setting changes an index. The node's
// modulate still tints the result.
shader_type canvas_item;

uniform sampler2D palettes : filter_nearest, repeat_disable;
uniform int palette_row = 0;

varying vec4 modulate;

void vertex() {
	modulate = COLOR;
}

void fragment() {
	vec4 index = texelFetch(TEXTURE, ivec2(floor(UV / TEXTURE_PIXEL_SIZE)), 0);
	int column = int(round(index.r * 255.0));
	vec4 colour = texelFetch(palettes, ivec2(column, palette_row), 0);
	COLOR = vec4(colour.rgb, colour.a * index.a) * modulate;
}
"""


def index_map_png(indices: NDArray[np.intp], alpha: NDArray[np.uint8]) -> bytes:
    """The grey+alpha PNG of a page's palette ``indices`` (any value where ``alpha`` is 0) and its alpha."""
    from PIL import Image

    grey = np.where(alpha > 0, indices, 0).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(np.dstack([grey, alpha]), "LA").save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def palettes_png(rows: list[NDArray[np.uint8]]) -> bytes:
    """One opaque row per palette, each ``(n, 3)``, one pixel per entry."""
    colours = np.stack(rows)
    alpha = np.full((*colours.shape[:2], 1), 255, np.uint8)
    return encode_png(np.concatenate([colours, alpha], axis=2))
