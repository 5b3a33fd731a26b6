"""Reading rendered frames and downscaling them to sprite resolution.

A frame is an RGBA ``uint8`` array of shape (height, width, 4). Whatever PNG
flavour a renderer wrote (8 or 16 bit, grey, RGB, paletted) is brought to that
form, with a note saying what was converted, so the rest of the engine sees a
single format.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..errors import FrameError
from ..options import ALPHA_THRESHOLD, PIXEL, SAMPLING
from .libspng import decode_rgba8
from .png_inflate import PNG_SIGNATURE, chunk_damage, missing_image_data, with_stored_image_data

try:
    import pyspng  # libspng: the fastest decoder measured here (scripts/benchmark.py)
except ImportError:  # no wheel for Intel macOS, none in Debian's Blender: Pillow decodes instead
    pyspng = None


@dataclass(frozen=True)
class Frame:
    """A decoded frame and what was done to bring it to 8-bit RGBA."""

    rgba: NDArray[np.uint8]
    notes: tuple[str, ...] = ()


# Pillow refuses an image of more than twice its MAX_IMAGE_PIXELS (DecompressionBombError; 178,956,970 pixels,
# 13,377 x 13,377, 716 MB as RGBA, before the copies that reading makes). Every decoder is held to the same limit,
# from the header, so that a frame is read or skipped alike whichever decoder this Python has.
MAX_FRAME_PIXELS = 2 * (1024 * 1024 * 1024 // 4 // 3)
# How Python shows an object ("<_io.BytesIO object at 0x7f...>"): Pillow names its input so, which says nothing.
_OBJECT = re.compile(r"\s*<[^<>]* at 0x[0-9a-fA-F]+>")


class UnreadablePng(ValueError):
    """A PNG whose pixels cannot be had, saying why in words: ``problem`` ("it holds 450 of the 900 rows its header
    gives", "not a PNG file"), and as the message, a damaged file's called a corrupt PNG."""

    def __init__(self, problem: str, *, damaged: bool = True) -> None:
        super().__init__(f"corrupt PNG ({problem})" if damaged else problem)
        self.problem = problem


def decode_png(data: bytes) -> NDArray[np.generic]:
    """A PNG file's pixels as they are stored: 8- or 16-bit, 1 to 4 channels (paletted ones as RGBA).

    Raises
    ------
    UnreadablePng
        Saying why in words: not a PNG, too large, damaged, or holding fewer rows than its header gives.
    """
    _check_size(data)
    # pyspng ignores a tRNS chunk (the transparency of paletted and some RGB images): Pillow reads those.
    has_transparency_chunk = data.find(b"tRNS", 0, data.find(b"IDAT")) != -1
    if not has_transparency_chunk and (rgba := decode_rgba8(data)) is not None:
        return rgba  # a render: libspng called directly, without pyspng's copies and checks
    # The same pixels, with the inflating already done, and faster; a copy holds every row its header gives.
    stored = with_stored_image_data(data, zlib_fallback=True)
    if stored is None and (missing := missing_image_data(data)) is not None:
        raise UnreadablePng(missing)  # decoders would leave the missing rows transparent
    try:
        if pyspng is not None and not has_transparency_chunk:
            try:
                return np.asarray(pyspng.load(stored or data))
            except RuntimeError:
                pass  # libspng has no output format for grey + alpha; Pillow reads it, or fails
        return _decode_with_pillow(stored or data)
    except Exception as error:  # every codec has its own exception types, and words few users would follow
        raise _unreadable(data, error) from error


def _check_size(data: bytes) -> None:
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return  # no header to go by: decoding names the problem
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if width * height > MAX_FRAME_PIXELS:
        raise UnreadablePng(
            f"too large to read: {width}x{height} is {width * height:,} pixels, over the {MAX_FRAME_PIXELS:,} a frame "
            "may have",
            damaged=False,
        )


def _unreadable(data: bytes, error: Exception) -> UnreadablePng:
    """Why the decoders could not read ``data``, in words; their own messages name a BytesIO object at best."""
    if not data.startswith(PNG_SIGNATURE):
        return UnreadablePng("not a PNG file" if data else "empty file", damaged=False)
    if isinstance(error, MemoryError):
        return UnreadablePng("cannot be read: not enough memory for its pixels", damaged=False)
    problem = chunk_damage(data) or missing_image_data(data)
    if problem is None:
        said = _OBJECT.sub("", str(error)).strip()
        problem = f"cannot be decoded: {said}" if said else "cannot be decoded"
    return UnreadablePng(problem)


def _decode_with_pillow(data: bytes) -> NDArray[np.generic]:
    from PIL import PngImagePlugin

    # Straight to the PNG reader rather than through Image.open, which warns of a "decompression bomb" above
    # 89 million pixels: frames are the user's own renders, and their size is checked already (_check_size).
    with PngImagePlugin.PngImageFile(io.BytesIO(data)) as image:
        image.load()
        if image.mode == "P":
            return np.asarray(image.convert("RGBA"))
        if image.mode.startswith("I;16"):
            return np.asarray(image, dtype=np.uint16)
        if image.mode == "I":
            return np.asarray(image).astype(np.uint16)
        return np.asarray(image)


def _to_uint8(pixels: NDArray[np.generic]) -> NDArray[np.uint8]:
    if pixels.dtype == np.uint8:
        return pixels  # type: ignore[return-value]
    if pixels.dtype == np.uint16:
        return ((pixels.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    if pixels.dtype == np.bool_:
        return np.where(pixels, 255, 0).astype(np.uint8)
    raise ValueError(f"unsupported sample type {pixels.dtype}")


def png_size(path: Path | str) -> tuple[int, int] | None:
    """(width, height) from a PNG's header, without decoding it; None if it is not a readable PNG (reading the
    frame then names the problem)."""
    try:
        with open(path, "rb") as file:
            header = file.read(24)
    except OSError:
        return None
    if len(header) < 24 or not header.startswith(PNG_SIGNATURE) or header[12:16] != b"IHDR":
        return None
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def no_size_reason(path: Path | str) -> str:
    """Why :func:`png_size` found no size in the file at ``path``, in words (as reading the frame would say it)."""
    try:
        with open(path, "rb") as file:
            header = file.read(len(PNG_SIGNATURE) + 25)
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if not header:
        return "empty file"
    if not header.startswith(PNG_SIGNATURE):
        return "not a PNG file"
    return f"corrupt PNG ({chunk_damage(header) or 'it does not start with an IHDR header chunk'})"


def sizes_by_count(
    paths: Sequence[Path | str],
) -> tuple[list[tuple[int, int] | None], list[tuple[tuple[int, int], int]]]:
    """Each PNG's (width, height) from its header (None where unreadable), and the sizes with their counts,
    most common first (ties in the order first met)."""
    sizes = [png_size(path) for path in paths]
    return sizes, Counter(size for size in sizes if size is not None).most_common()


def read_frame(path: Path | str) -> Frame:
    """Read a PNG frame as 8-bit RGBA.

    Parameters
    ----------
    path : path-like
        The PNG file.

    Returns
    -------
    frame : Frame
        ``rgba`` of shape (height, width, 4), dtype uint8, and notes on any
        conversion (16-bit samples, grey, missing alpha channel).

    Raises
    ------
    FrameError
        If the file is empty, not a PNG, truncated, holds fewer rows than its header gives, is too large
        (:data:`MAX_FRAME_PIXELS`) or is otherwise undecodable.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FrameError(path, f"cannot be read ({error.strerror or error})") from error
    if not data:
        raise FrameError(path, "empty file")
    if not data.startswith(PNG_SIGNATURE):
        raise FrameError(path, "not a PNG file")
    try:
        pixels = decode_png(data)
    except UnreadablePng as error:
        raise FrameError(path, str(error)) from error

    if pixels.dtype == np.uint8 and pixels.ndim == 3 and pixels.shape[2] == 4:
        return Frame(rgba=pixels.astype(np.uint8, copy=False))  # what renders are: nothing to convert
    notes = []
    if pixels.dtype != np.uint8:
        notes.append(f"{pixels.dtype.itemsize * 8}-bit samples reduced to 8-bit")
    try:
        pixels = _to_uint8(pixels)
    except ValueError as error:
        raise FrameError(path, str(error)) from error
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    if pixels.ndim != 3 or pixels.shape[2] not in (1, 2, 3, 4) or 0 in pixels.shape:
        raise FrameError(path, f"unsupported image layout {pixels.shape}")

    channels = pixels.shape[2]
    if channels in (1, 2):
        notes.append("greyscale image expanded to RGB")
        rgb = np.repeat(pixels[:, :, :1], 3, axis=2)
    else:
        rgb = pixels[:, :, :3]
    if channels in (2, 4):
        alpha = pixels[:, :, -1:]
    else:
        notes.append("no alpha channel: every pixel is opaque")
        alpha = np.full((*pixels.shape[:2], 1), 255, dtype=np.uint8)
    rgba = np.ascontiguousarray(np.concatenate([rgb, alpha], axis=2))
    return Frame(rgba=rgba, notes=tuple(notes))


def sprite_shape(
    frame_shape: tuple[int, int],
    *,
    size: tuple[int, int] | None = None,
    pixel: int | None = None,
) -> tuple[int, int]:
    """The (height, width) of the sprite for a frame of ``frame_shape``.

    Exactly one of ``size`` (width, height) or ``pixel`` (the side of the
    square block of render pixels that becomes one sprite pixel) is given.
    """
    if (size is None) == (pixel is None):
        raise ValueError("give exactly one of `size` or `pixel`")
    if size is not None:
        width, height = size
        if width < 1 or height < 1:
            raise ValueError(f"`size` must be positive, got {width}x{height}")
        return height, width
    assert pixel is not None
    if pixel < 1:
        raise ValueError(f"`pixel` must be at least 1, got {pixel}")
    return max(1, frame_shape[0] // pixel), max(1, frame_shape[1] // pixel)


def nearest_indices(n_in: int, n_out: int) -> NDArray[np.intp]:
    """Source index of each output sample along one axis for nearest-neighbour resizing.

    These are the samples that ``skimage.transform.resize(..., order=0,
    anti_aliasing=False)`` picks: the source pixel under the centre of each
    output pixel.
    """
    if n_in < 1 or n_out < 1:
        raise ValueError(f"sizes must be positive, got {n_in} -> {n_out}")
    centres = (np.arange(n_out) + 0.5) * (n_in / n_out)
    return np.clip(np.floor(centres), 0, n_in - 1).astype(np.intp)


@dataclass(frozen=True)
class DownscaleSettings:
    """Sprite size as (width, height) or as a block of ``pixel`` render pixels, the alpha cut and the sampling.

    ``sampling`` is ``"nearest"`` or ``"majority"`` (see :mod:`.majority`); small frames for the palette fit are
    always nearest-downscaled, and the sprites are made from the majority once the palette is known.
    """

    size: tuple[int, int] | None = None
    pixel: int | None = None
    alpha_threshold: int = ALPHA_THRESHOLD.default  # type: ignore[assignment]
    sampling: str = SAMPLING.default  # type: ignore[assignment]

    def __post_init__(self) -> None:
        SAMPLING.check(self.sampling)
        if self.size is None and self.pixel is None:
            object.__setattr__(self, "pixel", PIXEL.default)
        sprite_shape((1, 1), size=self.size, pixel=self.pixel)  # validates the values

    def downscaler(self, frame_shape: tuple[int, int]) -> Downscaler:
        """The downscaler for frames of ``frame_shape`` (height, width)."""
        out_shape = sprite_shape(frame_shape, size=self.size, pixel=self.pixel)
        return Downscaler(frame_shape, out_shape, self.alpha_threshold)


@dataclass(frozen=True)
class Downscaler:
    """Nearest-neighbour downscaling with a binary alpha, for one frame size.

    The index arrays are computed once and reused for every frame of that size.
    """

    frame_shape: tuple[int, int]
    out_shape: tuple[int, int]
    alpha_threshold: int = ALPHA_THRESHOLD.default  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if not 1 <= self.alpha_threshold <= 255:
            raise ValueError(f"`alpha_threshold` must be in 1..255, got {self.alpha_threshold}")
        rows = nearest_indices(self.frame_shape[0], self.out_shape[0])
        cols = nearest_indices(self.frame_shape[1], self.out_shape[1])
        object.__setattr__(self, "_rows", rows[:, None])
        object.__setattr__(self, "_cols", cols[None, :])

    def sample(self, values: NDArray[np.generic]) -> NDArray[np.generic]:
        """The per-pixel ``values`` (a frame's normals, say) at the very pixels the sprite's colours come from."""
        return values[self._rows, self._cols]  # type: ignore[attr-defined,no-any-return]

    def __call__(self, rgba: NDArray[np.uint8]) -> NDArray[np.uint8]:
        """Downscale ``rgba``; alpha becomes 0 or 255 and transparent pixels become (0, 0, 0, 0)."""
        if rgba.shape[:2] != self.frame_shape:
            raise ValueError(f"frame is {rgba.shape[:2]}, this downscaler expects {self.frame_shape}")
        small = rgba[self._rows, self._cols]  # type: ignore[attr-defined]
        opaque = small[:, :, 3] >= self.alpha_threshold
        small[:, :, 3] = np.where(opaque, 255, 0)
        small[~opaque] = 0
        return small
