"""A set's game data in sprite pixels: points, boxes and root motion per action, facing and frame.

Made from ``rig.json`` (:mod:`..frames.rig_file`, positions in the camera's view) with the sprite's size: a point at
view ``(u, v)`` is at ``x = u · width``, ``y = (1 − v) · height`` from the sprite's top-left corner, so pixel
``(i, j)`` covers ``[i, i + 1) × [j, j + 1)``. A box is the smallest rectangle of whole sprite pixels that holds
its projected bounds, clipped to the sprite, and absent (None) on a frame where nothing of it is left. A mirrored
facing's data is its rendered twin's, mirrored as its sprites are: ``x → width − x`` for points, ``x → width − x −
w`` for boxes, and root motion's ``x`` (and ``floor_x``) negated. Coordinates are always in the untrimmed
sprite's space, as Aseprite's slices are in canvas space. The set manifest keeps it (``SpriteSet.rig``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..frames.rig_file import RIG_FILE, RigFile, ViewBox, ViewFrameRig
from .facings import Facing


@dataclass(frozen=True)
class PointAt:
    """A point on one frame: sprite pixels from the top-left corner (not rounded), and whether it is in front of
    the character."""

    x: float
    y: float
    front: bool

    def pixel(self) -> tuple[int, int]:
        """The sprite pixel that holds the point."""
        return math.floor(self.x), math.floor(self.y)


@dataclass(frozen=True)
class BoxAt:
    """A box on one frame: a rectangle of whole sprite pixels."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class RootMotionAt:
    """The motion In Place took out, since the action's first frame: sprite pixels at the pivot's depth (``x``
    right, ``y`` down) and world units on the floor (``floor_x`` to the camera's right, ``floor_y`` away)."""

    x: float
    y: float
    floor_x: float
    floor_y: float


@dataclass(frozen=True)
class FrameRig:
    """One sprite's game data. A box absent on the frame is None; a point or box without data is not listed."""

    points: Mapping[str, PointAt] = field(default_factory=dict)
    boxes: Mapping[str, BoxAt | None] = field(default_factory=dict)
    root_motion: RootMotionAt | None = None

    def mirrored(self, width: int) -> FrameRig:
        """This frame's data on the sprite flipped left to right."""
        points = {name: PointAt(width - p.x, p.y, p.front) for name, p in self.points.items()}
        boxes = {
            name: None if box is None else BoxAt(width - box.x - box.w, box.y, box.w, box.h)
            for name, box in self.boxes.items()
        }
        motion = self.root_motion
        if motion is not None:
            motion = RootMotionAt(-motion.x + 0.0, motion.y, -motion.floor_x + 0.0, motion.floor_y)
        return FrameRig(points, boxes, motion)

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "points": {name: {"x": p.x, "y": p.y, "front": p.front} for name, p in self.points.items()},
            "boxes": {
                name: None if box is None else {"x": box.x, "y": box.y, "w": box.w, "h": box.h}
                for name, box in self.boxes.items()
            },
        }
        if self.root_motion is not None:
            motion = self.root_motion
            data["root_motion"] = {"x": motion.x, "y": motion.y, "floor_x": motion.floor_x, "floor_y": motion.floor_y}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> FrameRig:
        points = {
            str(name): PointAt(float(p["x"]), float(p["y"]), bool(p["front"]))
            for name, p in dict(data.get("points", {})).items()  # type: ignore[call-overload]
        }
        boxes = {
            str(name): None if box is None else BoxAt(int(box["x"]), int(box["y"]), int(box["w"]), int(box["h"]))
            for name, box in dict(data.get("boxes", {})).items()  # type: ignore[call-overload]
        }
        motion = data.get("root_motion")
        root_motion = None
        if isinstance(motion, Mapping):
            root_motion = RootMotionAt(
                float(motion["x"]), float(motion["y"]), float(motion["floor_x"]), float(motion["floor_y"])
            )
        return cls(points, boxes, root_motion)


def _round(value: float) -> float:
    """Positions kept to 1/10000 of a pixel: the manifest and engine files stay short and byte-stable."""
    return round(value, 4) + 0.0


def _box(box: ViewBox | None, width: int, height: int) -> BoxAt | None:
    if box is None:
        return None
    left = max(0, math.floor(round(min(box.u0, box.u1) * width, 6)))
    right = min(width, math.ceil(round(max(box.u0, box.u1) * width, 6)))
    top = max(0, math.floor(round((1.0 - max(box.v0, box.v1)) * height, 6)))
    bottom = min(height, math.ceil(round((1.0 - min(box.v0, box.v1)) * height, 6)))
    if right <= left or bottom <= top:
        return None  # wholly outside the sprite on this frame
    return BoxAt(left, top, right - left, bottom - top)


def sprite_frame_rig(view: ViewFrameRig, sprite_size: tuple[int, int]) -> FrameRig:
    """One frame's data from the camera's view (``rig.json``) into sprite pixels."""
    width, height = sprite_size
    points = {
        name: PointAt(_round(p.u * width), _round((1.0 - p.v) * height), p.front) for name, p in view.points.items()
    }
    boxes = {name: _box(box, width, height) for name, box in view.boxes.items()}
    motion = view.root_motion
    root_motion = None
    if motion is not None:
        root_motion = RootMotionAt(
            _round(motion.u * width), _round(-motion.v * height), _round(motion.floor_x), _round(motion.floor_y)
        )
    return FrameRig(points, boxes, root_motion)


Frames = dict[str, dict[str, dict[str, FrameRig]]]
"""Action name → facing name → sprite file name → the frame's data."""


@dataclass
class RigData:
    """A set's game data: the names of its points and boxes, whether In Place was on, and every frame's data."""

    points: list[str] = field(default_factory=list)
    boxes: list[str] = field(default_factory=list)
    in_place: bool = False
    frames: Frames = field(default_factory=dict)

    def frame(self, action: str, facing: str, file: str) -> FrameRig | None:
        return self.frames.get(action, {}).get(facing, {}).get(file)

    def for_sprite(self, sprite: Path) -> FrameRig | None:
        """The data of the sprite at ``sprite`` (``…/<action>/<facing>/<file>``), or None."""
        parts = Path(sprite).parts
        return self.frame(*parts[-3:]) if len(parts) >= 3 else None

    def to_dict(self) -> dict[str, object]:
        return {
            "points": self.points,
            "boxes": self.boxes,
            "in_place": self.in_place,
            "frames": {
                action: {
                    facing: {file: frames[file].to_dict() for file in frames} for facing, frames in facings.items()
                }
                for action, facings in self.frames.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> RigData:
        frames: Frames = {
            str(action): {
                str(facing): {str(file): FrameRig.from_dict(value) for file, value in dict(files).items()}
                for facing, files in dict(facings).items()
            }
            for action, facings in dict(data.get("frames", {})).items()  # type: ignore[call-overload]
        }
        return cls(
            [str(name) for name in data.get("points", [])],  # type: ignore[attr-defined]
            [str(name) for name in data.get("boxes", [])],  # type: ignore[attr-defined]
            bool(data.get("in_place", False)),
            frames,
        )


@dataclass(frozen=True)
class SetFrames:
    """What a set holds, for its game data: its facings, sprite size, and each action's sprite file names."""

    facings: Sequence[Facing]
    sprite_size: tuple[int, int]
    actions: Mapping[str, Sequence[str]]


def set_rig(
    rig_file: RigFile,
    frames: SetFrames,
    *,
    earlier: RigData | None = None,
    replaced: Sequence[str] | None = None,
) -> tuple[RigData, list[str]]:
    """The set's game data from ``rig_file`` (keyed by ``<action>/<facing>/<file>``, the sprite's own path), and a
    note for each rendered frame the file has no data for.

    Only the actions in ``replaced`` (all, when None) are taken from the file; the others keep ``earlier``'s data.
    A mirrored facing takes its twin's data, mirrored. Data for frames the set no longer has is dropped.
    """
    width = frames.sprite_size[0]
    result = RigData(list(rig_file.points), list(rig_file.boxes), rig_file.in_place)
    notes: list[str] = []
    for action, files in frames.actions.items():
        if replaced is not None and action not in replaced:
            kept = earlier.frames.get(action) if earlier is not None else None
            if kept is not None:
                result.frames[action] = {
                    facing: {file: data[file] for file in files if file in data} for facing, data in kept.items()
                }
            continue
        by_facing: dict[str, dict[str, FrameRig]] = {}
        for facing in frames.facings:
            if facing.mirror_of is not None:
                continue
            found: dict[str, FrameRig] = {}
            for file in files:
                key = f"{action}/{facing.name}/{file}"
                view = rig_file.frames.get(key)
                if view is None:
                    notes.append(f"{key}: no game data in {RIG_FILE} for this frame")
                    continue
                found[file] = sprite_frame_rig(view, frames.sprite_size)
            by_facing[facing.name] = found
        for facing in frames.facings:
            if facing.mirror_of is not None:
                twin = by_facing.get(frames.facings[facing.mirror_of].name, {})
                by_facing[facing.name] = {file: data.mirrored(width) for file, data in twin.items()}
        result.frames[action] = {facing.name: by_facing[facing.name] for facing in frames.facings}
    return result, notes
