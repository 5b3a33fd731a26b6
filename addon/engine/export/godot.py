"""Godot 4 ``SpriteFrames`` text resources (``.tres``) for sheet pages, written the way Godot's own saver writes them.

One ``.tres`` describes an action's pages: an ``ext_resource`` (``Texture2D``) for each page's PNG, an
``AtlasTexture`` sub-resource for each cell (the page, the cell's rectangle, ``filter_clip`` so that a
neighbouring cell never bleeds in when the sprite is filtered or scaled), and a ``[resource]`` whose
``animations`` property lists one animation per placed animation. An ``AnimatedSprite2D`` plays it as is.
On packed pages a cell is trimmed: its ``AtlasTexture`` has the trimmed ``region`` and a ``margin`` of
``Rect2(offset x, offset y, full w - trimmed w, full h - trimmed h)``, so the texture keeps the full sprite's size
and draws the pixels at their place; cells with one rectangle and one trim share one ``AtlasTexture``, and an
animation spread over pages is one animation.

What Godot does, read from its sources (``godotengine/godot``):

* ``scene/resources/resource_format_text.cpp``, ``ResourceLoaderText::load``: an ``ext_resource`` ``path``
  that has no ``://`` and is a relative path is joined to the folder of the ``.tres`` being loaded and then
  localised ("path is relative to file being loaded"); ``get_dependencies`` and ``rename_dependencies`` do the
  same. So the PNGs are named by their bare file names: the ``.tres`` and its pages can sit anywhere in a
  project and move together, with no assumption about where ``res://`` is. (Godot's own saver writes
  ``res://`` paths, so re-saving the file in the editor turns them absolute; that is fine.)
* The same file, ``ResourceFormatSaverTextInstance::save``: the header is
  ``[gd_resource type="SpriteFrames" load_steps=N format=3 uid="uid://…"]`` followed by an empty line. ``uid``
  is written only when the resource has one and is optional to the loader ("field is optional"); the editor
  gives the file one of its own, so none is written here (a made-up one could clash with another file's).
  ``load_steps`` counts the sub-resources, the main resource and the external resources and is written only
  when above 1; it only feeds a progress bar, and the newest sources (master) neither write nor read it. It is
  written here, as the Godot 4 releases before that write it. ``format`` is 3 (``FORMAT_VERSION_COMPAT``)
  unless a file holds a ``PackedVector4Array`` or a large ``PackedByteArray``, which this one never does.
* External ids are ``<n>_<5 characters>`` numbered in the order the saver meets them; sub-resource ids are
  ``<class>_<5 characters>`` and must be letters, digits and underscores (``Resource::set_scene_unique_id``).
  Godot draws the characters at random (``Resource::generate_scene_unique_id``: ``a``–``y`` and ``0``–``8``);
  here they come from a SHA-256 of the page's file name and the cell's index, so the same pages give the same
  bytes. The saver visits the animations in name order (``SpriteFrames::_get_animations`` sorts them), which
  fixes the order of the ``ext_resource`` and ``sub_resource`` sections; this module keeps that order, so a
  re-save in the editor changes little. A sub-resource comes before anything that refers to it, which the
  loader requires.
* ``core/variant/variant_parser.cpp``, ``VariantWriter::write``: a float is written so that it reads back as
  a float (``12.0``, never ``12``), a ``Rect2``'s numbers without the ``.0`` (``Rect2(0, 0, 32, 48)``), a
  dictionary as ``{`` newline, ``key: value`` lines joined by ``,`` newline, keys sorted, newline ``}``, an
  array as ``[a, b]``, and a ``StringName`` as ``&"…"``.
* The same file, ``VariantParser::get_token``: a file is read byte by byte and each string is re-read as
  UTF-8 afterwards, so a character outside ASCII must be written as raw UTF-8: a ``\\uXXXX`` escape above
  ``\\u007F`` would come back as a space or as mojibake. Inside quotes ``\\`` and ``"`` are escaped, and the
  escapes the reader knows (``\\b \\t \\n \\f \\r \\uXXXX``) stand for control characters; Godot's writer uses
  ``\\a`` and ``\\v`` too, which its reader turns into the letters ``a`` and ``v``, so they are not used here.
* ``scene/resources/sprite_frames.cpp``, ``_set_animations``: each animation is a dictionary with ``name``,
  ``speed`` (frames per second), ``loop`` and ``frames``, each frame a dictionary with ``texture`` and
  ``duration`` (a multiple of ``1 / speed``); one that lacks a key is skipped, and two animations with one
  name leave only the last, so names must be unique.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..files.atomic import write_atomically
from .layout import Page, Trim

FORMAT = 3
ATLAS_CLASS = "AtlasTexture"
CANVAS_CLASS = "CanvasTexture"
TEXTURE_CLASS = "Texture2D"
RESOURCE_CLASS = "SpriteFrames"

# The characters Resource::generate_scene_unique_id draws from: 'a' to 'y' and '0' to '8'.
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxy012345678"
_ID_LENGTH = 5
# Control characters with a letter escape that Godot's reader understands; the rest get \uXXXX.
_LETTER_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def sprite_frames_text(
    pages: Sequence[Page],
    image_names: Sequence[str],
    sprite_size: tuple[int, int],
    normal_names: Sequence[str] | None = None,
) -> str:
    """The ``SpriteFrames`` resource for ``pages``, as Godot 4 would save it.

    ``image_names[i]`` is the file name of ``pages[i]``'s PNG, in the folder of the ``.tres``; ``sprite_size``
    is the (width, height) of every cell. A page that no animation uses gets no ``ext_resource``, as in Godot.
    With ``normal_names`` (each page's normal sheet), every page's cells are cut from a ``CanvasTexture`` whose
    diffuse texture is the page and whose normal texture its normal sheet, so a 2D light lights the sprites.

    Raises
    ------
    ValueError
        If the names do not match the pages, an image name is not a bare file name, an animation's name is
        empty or repeated, its frame range or rate is invalid, or a cell lies outside its page.
    """
    width, height = _check_size(sprite_size)
    if len(image_names) != len(pages):
        raise ValueError(f"{len(pages)} pages need {len(pages)} image names, got {len(image_names)}")
    for name in image_names:
        _check_image_name(name)
    if len({name.casefold() for name in image_names}) != len(image_names):
        raise ValueError(f"the pages' image names must differ: {list(image_names)}")
    if normal_names is not None:
        if len(normal_names) != len(pages):
            raise ValueError(f"{len(pages)} pages need {len(pages)} normal sheet names, got {len(normal_names)}")
        for name in normal_names:
            _check_image_name(name)

    animations = frames_animations(pages)

    ext_ids: dict[int, str] = {}  # page index → id
    normal_ids: dict[int, str] = {}  # page index → id of its normal sheet
    canvas_ids: dict[int, str] = {}  # page index → id of its CanvasTexture
    sub_ids: dict[tuple[int, int], str] = {}  # (page index, cell index) → id
    taken: set[str] = set()
    # Frames that share a place and a trim share one AtlasTexture: the first cell that has them.
    shared: dict[tuple[int, int, int, Trim | None], int] = {}
    used: dict[tuple[int, int], tuple[int, int]] = {}  # (page index, cell index) → the key of its AtlasTexture
    for animation in animations:
        for page_index, _ in animation.cells:
            if page_index in ext_ids:
                continue
            number = len(ext_ids) + len(normal_ids) + 1
            ext_ids[page_index] = f"{number}_{short_id(f'{number}/{image_names[page_index]}')}"
            if normal_names is not None:
                number += 1
                normal_ids[page_index] = f"{number}_{short_id(f'{number}/{normal_names[page_index]}')}"
                canvas_ids[page_index] = unique_id(CANVAS_CLASS, f"{image_names[page_index]}/canvas", taken)
        for page_index, cell_index in animation.cells:
            page, cell = pages[page_index], pages[page_index].cells[cell_index]
            key = (page_index, shared.setdefault((page_index, cell.x, cell.y, cell.trim), cell_index))
            used[page_index, cell_index] = key
            if key in sub_ids:
                continue
            shown_width, shown_height = (width, height) if cell.trim is None else (cell.trim.width, cell.trim.height)
            if cell.x < 0 or cell.y < 0 or cell.x + shown_width > page.width or cell.y + shown_height > page.height:
                raise ValueError(
                    f"cell {cell_index} of page {page.name!r} at ({cell.x}, {cell.y}) with a "
                    f"{shown_width}x{shown_height} sprite lies outside the {page.width}x{page.height} page"
                )
            sub_ids[key] = unique_id(ATLAS_CLASS, f"{image_names[page_index]}/{cell_index}", taken)

    load_steps = len(ext_ids) + len(normal_ids) + len(canvas_ids) + len(sub_ids) + 1
    lines = [f'[gd_resource type="{RESOURCE_CLASS}"' + (f" load_steps={load_steps}" if load_steps > 1 else "")]
    lines[0] += f" format={FORMAT}]"
    lines.append("")
    for page_index, ext_id in ext_ids.items():
        lines.append(f'[ext_resource type="{TEXTURE_CLASS}" path={quote(image_names[page_index])} id="{ext_id}"]')
        if page_index in normal_ids:
            assert normal_names is not None
            normal = quote(normal_names[page_index])
            lines.append(f'[ext_resource type="{TEXTURE_CLASS}" path={normal} id="{normal_ids[page_index]}"]')
    if ext_ids:
        lines.append("")
    for page_index, canvas_id in canvas_ids.items():
        lines += [
            f'[sub_resource type="{CANVAS_CLASS}" id="{canvas_id}"]',
            f'diffuse_texture = ExtResource("{ext_ids[page_index]}")',
            f'normal_texture = ExtResource("{normal_ids[page_index]}")',
            "",
        ]
    for (page_index, cell_index), sub_id in sub_ids.items():
        cell = pages[page_index].cells[cell_index]
        atlas = (
            f'SubResource("{canvas_ids[page_index]}")'
            if page_index in canvas_ids
            else f'ExtResource("{ext_ids[page_index]}")'
        )
        lines += [f'[sub_resource type="{ATLAS_CLASS}" id="{sub_id}"]', f"atlas = {atlas}"]
        if cell.trim is None:
            lines.append(f"region = Rect2({cell.x}, {cell.y}, {width}, {height})")
        else:  # the margin puts the trimmed pixels back at their place in the full-size frame
            trim = cell.trim
            lines.append(f"region = Rect2({cell.x}, {cell.y}, {trim.width}, {trim.height})")
            lines.append(f"margin = Rect2({trim.x}, {trim.y}, {width - trim.width}, {height - trim.height})")
        lines += ["filter_clip = true", ""]
    lines.append("[resource]")
    written = []
    for animation in animations:
        frames = ", ".join(
            '{\n"duration": 1.0,\n"texture": SubResource("' + sub_ids[used[cell]] + '")\n}' for cell in animation.cells
        )
        written.append(
            "{\n"
            f'"frames": [{frames}],\n'
            f'"loop": {"true" if animation.loop else "false"},\n'
            f'"name": &{quote(animation.name)},\n'
            f'"speed": {float_literal(animation.fps)}\n'
            "}"
        )
    lines.append(f"animations = [{', '.join(written)}]")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class FramesAnimation:
    """One animation of a ``SpriteFrames`` as Godot holds it: its cells in play order, each (page index, cell index),
    every one shown for ``1 / fps`` seconds."""

    name: str
    fps: float
    loop: bool
    cells: list[tuple[int, int]]


def frames_animations(pages: Sequence[Page]) -> list[FramesAnimation]:
    """The animations of the ``SpriteFrames`` written for ``pages``, in the order Godot saves them (by name).

    Raises
    ------
    ValueError
        If an animation's name is empty or repeated, or its frame range or rate is invalid.
    """
    animations: list[FramesAnimation] = []
    for page_index, page in enumerate(pages):
        for animation in page.animations:
            if not 0 <= animation.first <= animation.last < len(page.cells):
                raise ValueError(
                    f"animation {animation.name!r} on page {page.name!r}: frames {animation.first}–{animation.last} "
                    f"are not cells of the page, which has {len(page.cells)}"
                )
            if not (math.isfinite(animation.fps) and animation.fps > 0):
                raise ValueError(f"animation {animation.name!r}: the frame rate must be above 0, got {animation.fps}")
            cells = [(page_index, cell) for cell in range(animation.first, animation.last + 1)]
            packed = page.cells[animation.first].trim is not None
            last = animations[-1] if animations else None
            if packed and last is not None and last.name == animation.name and page_index > last.cells[-1][0]:
                last.cells.extend(cells)  # a packed animation too long for one page continues on the next
            else:
                animations.append(FramesAnimation(animation.name, float(animation.fps), animation.loop, cells))
    names = [animation.name for animation in animations]
    for name in names:
        if not name:
            raise ValueError("an animation needs a name")
        check_text(name, "an animation name")
    if len(set(names)) != len(names):
        repeated = sorted({name for name in names if names.count(name) > 1})
        raise ValueError(f"animation names must be unique; repeated: {repeated}")
    # SpriteFrames::_get_animations sorts by name (code point order), and the saver meets resources in that order.
    return sorted(animations, key=lambda animation: animation.name)


def write_sprite_frames(
    path: Path | str,
    pages: Sequence[Page],
    image_names: Sequence[str],
    sprite_size: tuple[int, int],
    normal_names: Sequence[str] | None = None,
) -> Path:
    """Write :func:`sprite_frames_text` to ``path`` as UTF-8, atomically, and return the path."""
    path = Path(path)
    write_atomically(path, sprite_frames_text(pages, image_names, sprite_size, normal_names).encode("utf-8"))
    return path


def unique_id(kind: str, seed: str, taken: set[str]) -> str:
    """A sub-resource id ``<kind>_<5 characters>`` not yet ``taken``, from a hash of ``seed``."""
    attempt = 0
    while True:
        candidate = f"{kind}_{short_id(seed + (f'/{attempt}' if attempt else ''))}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate
        attempt += 1


def _check_size(sprite_size: tuple[int, int]) -> tuple[int, int]:
    width, height = sprite_size
    if not (isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0):
        raise ValueError(f"the sprite size must be two whole numbers above 0, got {sprite_size}")
    return width, height


def check_text(text: str, what: str) -> None:
    if "\x00" in text:
        raise ValueError(f"{what} cannot hold a NUL character: {text!r}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"{what} is not valid Unicode: {text!r}") from error


def _check_image_name(name: str) -> None:
    """A bare file name: Godot joins it to the ``.tres``'s folder only when it has no ``://`` and is relative."""
    check_text(name, "an image name")
    if not name or name in {".", ".."} or "/" in name or "\\" in name or ":" in name:
        raise ValueError(f"an image name must be a file name in the folder of the .tres, got {name!r}")


def short_id(seed: str) -> str:
    """Five characters of Godot's id alphabet, from a hash of ``seed``: random-looking but the same every time."""
    number = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:4], "little")
    characters = []
    for _ in range(_ID_LENGTH):
        number, digit = divmod(number, len(_ID_ALPHABET))
        characters.append(_ID_ALPHABET[digit])
    return "".join(characters)


def quote(text: str) -> str:
    """``text`` as a quoted string that Godot's reader turns back into ``text``: non-ASCII stays raw UTF-8."""
    escaped = []
    for character in text:
        if character in _LETTER_ESCAPES:
            escaped.append(_LETTER_ESCAPES[character])
        elif character < " " or character == "\x7f":
            escaped.append(f"\\u{ord(character):04x}")
        else:
            escaped.append(character)
    return '"' + "".join(escaped) + '"'


def float_literal(value: float) -> str:
    """A float literal as Godot writes one: the shortest digits that read back exactly, with ``.0`` if whole."""
    text = repr(value)
    return text if any(mark in text for mark in ".e") else f"{text}.0"
