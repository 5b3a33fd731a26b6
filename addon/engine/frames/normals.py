"""Normal frames → normal-map sprites: read a render's Normal pass, take the same samples as the colour sprite, and
encode them as game engines light 2D sprites.

A normal frame is an 8- or 16-bit PNG whose RGB holds ``n · 0.5 + 0.5`` (Blender's compositor writes the Normal pass
so, in world space; ``camera.json`` beside the normal renders gives the rotation into camera space). Sprites follow
the OpenGL convention Godot 4, Unity's URP, Phaser 3 and the PixiJS lights plugin expect: RGB =
round((n · 0.5 + 0.5) · 255) with +X toward screen right, +Y toward screen top and +Z toward the viewer. A pixel
the colour sprite leaves transparent holds the flat normal (128, 128, 255) with alpha 0; normals are never
palette-quantised.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..errors import FrameError
from .downscale import UnreadablePng, decode_png
from .sources import pass_frame_path

# Where normal renders and normal sprites live: in this folder below the render folder and the sprites folder.
NORMALS_FOLDER = "normals"
# The world → camera rotation of a set's normal renders, beside them; with a camera that moves, each frame's too.
CAMERA_FILE = "camera.json"
Rotation = tuple[tuple[float, ...], ...]
FLAT_NORMAL = (128, 128, 255)
# Below this length a sampled normal says nothing of its direction (the background's zero normal, averaged in at
# the silhouette, or a block whose voters cancel out): the pixel gets the flat normal.
_SHORTEST_NORMAL = 1e-3


@dataclass(frozen=True)
class NormalSettings:
    """Where a job's normal frames are and how to turn them into sprites."""

    folder: Path
    """The normal frames, laid out below it as the colour frames are below ``root`` (or their sprites' root)."""
    world_to_camera: Rotation | None = None
    """The 3x3 rotation from the renders' space into camera space; None when they are in camera space already."""
    flip_green: bool = False
    """Y down (DirectX), for the engines and tools that want it; the default is Y up (OpenGL)."""
    root: Path | None = None
    """The render folder whose ``normals/`` Blender writes: a colour frame below it has its normal frame at the
    same place below ``folder``, and one elsewhere in a ``normals/`` folder beside it. None: below ``folder`` at
    the sprite's own path (the command line's ``--normals-from``)."""

    frame_rotations: tuple[tuple[str, Rotation], ...] = ()
    """Rotations of single normal frames (by their path below ``folder``, ``/``-separated), for a camera that moves
    during the render; every other frame takes ``world_to_camera``."""

    @classmethod
    def reading(cls, folder: Path, *, flip_green: bool = False, root: Path | None = None) -> NormalSettings:
        """The settings of the normal frames in ``folder``, their rotations read from its camera file."""
        default, by_frame = read_camera_file(folder)
        return cls(folder, default, flip_green=flip_green, root=root, frame_rotations=by_frame)

    def frame_for(self, frame: Path, relative: Path) -> Path:
        """The normal frame of the colour frame ``frame``, whose sprite is at ``relative`` below the sprites."""
        return pass_frame_path(self.folder, self.root, frame, relative, NORMALS_FOLDER)

    def rotation_for(self, normal_frame: Path) -> Rotation | None:
        """The rotation into camera space of the normal frame at ``normal_frame``."""
        if self.frame_rotations:
            try:
                return self._rotations.get(Path(normal_frame).relative_to(self.folder).as_posix(), self.world_to_camera)
            except ValueError:
                pass
        return self.world_to_camera

    @cached_property
    def _rotations(self) -> dict[str, Rotation]:
        return dict(self.frame_rotations)


def _rotation(value: object, path: Path) -> Rotation:
    matrix = np.array(value, dtype=np.float64)
    if matrix.shape != (3, 3) or not np.isfinite(matrix).all():
        raise FrameError(path, "world_to_camera must be a 3x3 matrix of finite numbers")
    return tuple(tuple(float(number) for number in row) for row in matrix)


def read_camera_file(folder: Path) -> tuple[Rotation | None, tuple[tuple[str, Rotation], ...]]:
    """The rotation ``folder/camera.json`` gives (None if there is no file), and those it gives single frames.

    Raises
    ------
    FrameError
        Naming the file, if it is there but its rotations are not 3x3 matrices of finite numbers.
    """
    path = folder / CAMERA_FILE
    if not path.is_file():
        return None, ()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        default = _rotation(data["world_to_camera"], path)
        by_frame = tuple(sorted((str(name), _rotation(value, path)) for name, value in data.get("frames", {}).items()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise FrameError(path, f"not a camera file of Pixel Sprites ({error})") from error
    return default, by_frame


def read_normals(path: Path, shape: tuple[int, int]) -> NDArray[np.float32]:
    """The normal frame at ``path`` as (h, w, 3) vectors in -1..1.

    Raises
    ------
    FrameError
        If it cannot be read, is not RGB, or its size is not ``shape`` (height, width), the colour frame's.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FrameError(path, f"normal frame cannot be read ({error.strerror or error})") from error
    try:
        pixels = decode_png(data)
    except UnreadablePng as error:
        raise FrameError(path, f"normal frame is not a readable PNG ({error.problem})") from error
    if pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise FrameError(path, f"normal frame must be RGB or RGBA, got an image of shape {pixels.shape}")
    if pixels.shape[:2] != shape:
        raise FrameError(
            path, f"normal frame is {pixels.shape[1]}x{pixels.shape[0]}, its colour frame {shape[1]}x{shape[0]}"
        )
    scale = 65535.0 if pixels.dtype == np.uint16 else 255.0
    return (pixels[:, :, :3].astype(np.float32) * np.float32(2.0 / scale) - np.float32(1.0)).astype(np.float32)


def to_camera(normals: NDArray[np.float32], rotation_to_camera: Rotation | None) -> NDArray[np.float32]:
    """``normals`` rotated into camera space (a no-op without a rotation)."""
    if rotation_to_camera is None:
        return normals
    rotation = np.asarray(rotation_to_camera, dtype=np.float32)
    return (normals @ rotation.T).astype(np.float32)


def encode_normals(
    normals: NDArray[np.float32], opaque: NDArray[np.bool_], *, flip_green: bool = False
) -> NDArray[np.uint8]:
    """Sampled camera-space normals (h, w, 3) as an RGBA sprite: renormalised, alpha 255 where ``opaque`` (the
    colour sprite's alpha), and the flat normal with alpha 0 elsewhere."""
    length = np.linalg.norm(normals, axis=2, keepdims=True)
    usable = (length[:, :, 0] > _SHORTEST_NORMAL) & opaque
    unit = np.divide(normals, length, out=np.zeros_like(normals), where=length > _SHORTEST_NORMAL)
    if flip_green:
        unit[:, :, 1] *= -1
    rgb = np.clip(np.round((unit * 0.5 + 0.5) * 255.0), 0, 255).astype(np.uint8)
    sprite = np.empty((*opaque.shape, 4), dtype=np.uint8)
    sprite[:, :, :3] = np.where(usable[:, :, None], rgb, np.array(FLAT_NORMAL, dtype=np.uint8))
    sprite[:, :, 3] = np.where(opaque, 255, 0)
    return sprite


def flat_normals(opaque: NDArray[np.bool_]) -> NDArray[np.uint8]:
    """The flat normal sprite for a colour sprite whose normal frame is missing or damaged (its alpha kept)."""
    return encode_normals(np.zeros((*opaque.shape, 3), dtype=np.float32), opaque)


def mirror_normals(sprite: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """A normal sprite flipped left to right, for a mirrored facing: its x components turn too (R′ = 255 − R on
    opaque pixels), or the light would come from the wrong side."""
    mirrored = sprite[:, ::-1].copy()
    opaque = mirrored[:, :, 3] > 0
    mirrored[:, :, 0] = np.where(opaque, 255 - mirrored[:, :, 0], mirrored[:, :, 0])
    return mirrored
