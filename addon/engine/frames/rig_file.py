"""``rig.json``: the game data Blender projects from the rig, beside the renders it belongs to.

Blender writes it at the top of the folder the frames are found below (``sprite_size/`` under Render at Sprite
Size), keyed by each frame's path relative to that folder, ``/``-separated. Positions are in the camera's view,
as ``world_to_camera_view`` gives them: ``u`` from the left edge (0) to the right (1), ``v`` from the bottom (0)
to the top (1); the engine turns them into sprite pixels (:mod:`..sets.rig`). Per frame:

- ``points``: ``{name: {"u", "v", "front"}}``, ``front`` true where the point is nearer the camera than the set's
  pivot;
- ``boxes``: ``{name: {"u0", "v0", "u1", "v1"}}``, the projected geometry's bounds, or ``null`` where none of it is
  in front of the camera;
- ``root_motion`` (In Place only): ``{"floor_x", "floor_y", "u", "v"}``, the motion taken out since the action's
  first frame: on the floor in world units (``floor_x`` to the camera's right, ``floor_y`` away from it), and where
  it moves the pivot in the view (``u``, ``v``, differences of view coordinates).

Frame-list renders (farms) add their frames to the file under its lock, as the camera file of normal maps is.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FrameError
from ..files import kinds
from ..files.atomic import write_atomically
from ..files.locking import DEFAULT_LOCK_TIMEOUT, character_lock
from ..files.record import claim

RIG_FILE = "rig.json"
FORMAT = "pixel-sprites rig"
VERSION = 1


@dataclass(frozen=True)
class ViewPoint:
    """A point in the camera's view on one frame."""

    u: float
    v: float
    front: bool


@dataclass(frozen=True)
class ViewBox:
    """The bounds of a box's projected geometry in the camera's view on one frame."""

    u0: float
    v0: float
    u1: float
    v1: float


@dataclass(frozen=True)
class ViewRootMotion:
    """The motion In Place took out, since the action's first frame (see the module docstring)."""

    floor_x: float
    floor_y: float
    u: float
    v: float


@dataclass(frozen=True)
class ViewFrameRig:
    """One frame's game data as Blender projected it."""

    points: Mapping[str, ViewPoint] = field(default_factory=dict)
    boxes: Mapping[str, ViewBox | None] = field(default_factory=dict)
    root_motion: ViewRootMotion | None = None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "points": {name: {"u": p.u, "v": p.v, "front": p.front} for name, p in self.points.items()},
            "boxes": {
                name: None if box is None else {"u0": box.u0, "v0": box.v0, "u1": box.u1, "v1": box.v1}
                for name, box in self.boxes.items()
            },
        }
        if self.root_motion is not None:
            motion = self.root_motion
            data["root_motion"] = {"floor_x": motion.floor_x, "floor_y": motion.floor_y, "u": motion.u, "v": motion.v}
        return data


@dataclass(frozen=True)
class RigFile:
    """What ``rig.json`` holds: the names of the points and boxes, whether In Place was on, and each frame's data by
    its path relative to the file's folder."""

    points: tuple[str, ...] = ()
    boxes: tuple[str, ...] = ()
    in_place: bool = False
    frames: Mapping[str, ViewFrameRig] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "points": list(self.points),
            "boxes": list(self.boxes),
            "in_place": self.in_place,
            "frames": {key: self.frames[key].to_dict() for key in sorted(self.frames)},
        }


def _field(data: object, name: str, where: str) -> object:
    if not isinstance(data, dict) or name not in data:
        raise ValueError(f"{where}.{name} is missing")
    return data[name]


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{where} must be a finite number, got {value!r}")
    return float(value)


def _frame(data: object, key: str) -> ViewFrameRig:
    if not isinstance(data, dict):
        raise ValueError(f"frames[{key}] must be an object")
    points = {}
    for name, point in dict(data.get("points", {})).items():
        where = f"frames[{key}].points[{name}]"
        u, v = (_number(_field(point, part, where), f"{where}.{part}") for part in ("u", "v"))
        points[str(name)] = ViewPoint(u, v, bool(_field(point, "front", where)))
    boxes: dict[str, ViewBox | None] = {}
    for name, box in dict(data.get("boxes", {})).items():
        where = f"frames[{key}].boxes[{name}]"
        sides = ("u0", "v0", "u1", "v1")
        boxes[str(name)] = (
            None if box is None else ViewBox(*(_number(_field(box, side, where), f"{where}.{side}") for side in sides))
        )
    motion = data.get("root_motion")
    root_motion = None
    if motion is not None:
        where = f"frames[{key}].root_motion"
        parts = ("floor_x", "floor_y", "u", "v")
        root_motion = ViewRootMotion(*(_number(_field(motion, part, where), f"{where}.{part}") for part in parts))
    return ViewFrameRig(points, boxes, root_motion)


def read_rig_file(path: Path) -> RigFile:
    """The game data of the ``rig.json`` at ``path``.

    Raises
    ------
    FrameError
        Naming the file and the problem, if it cannot be read or is not a rig file of Pixel Sprites (a NaN or an
        infinity in it included).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f'its "format" is not "{FORMAT}"')
        frames = {str(key): _frame(value, str(key)) for key, value in dict(data["frames"]).items()}
        return RigFile(
            tuple(str(name) for name in data.get("points", [])),
            tuple(str(name) for name in data.get("boxes", [])),
            bool(data.get("in_place", False)),
            frames,
        )
    except FileNotFoundError:
        raise FrameError(path, "no rig file there (--rig-from names a rig.json Blender wrote beside renders)") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise FrameError(path, f"not a rig file of Pixel Sprites ({reason})") from error


def write_rig_file(folder: Path, rig: RigFile, *, merge: bool, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> Path:
    """Write ``folder/rig.json``, recorded as this tool's file (never over a file it did not write).

    With ``merge`` (frame-list renders, a set's later renders), ``rig``'s frames are added to those the file holds,
    replacing the same keys, under the file's lock: processes that share the folder lose none. Without, the file
    holds ``rig`` alone.
    """
    path = Path(folder) / RIG_FILE
    with character_lock(path.parent, "rig", lock_timeout):
        claim({path: kinds.RIG}, root=path.parent)
        frames = dict(rig.frames)
        if merge and path.is_file():
            with contextlib.suppress(FrameError):  # ours (claimed above) but damaged: written anew
                frames = {**read_rig_file(path).frames, **frames}
        merged = RigFile(rig.points, rig.boxes, rig.in_place, frames)
        write_atomically(path, (json.dumps(merged.to_dict(), indent=1) + "\n").encode("utf-8"))
    return path
