"""The Godot 4 scene ``<stem>.tscn`` beside a ``SpriteFrames`` ``<stem>.tres``, for a set with game data: the
sprites with their points, boxes and root motion, frame by frame, played by an ``AnimationPlayer``.

The root is a ``Node2D`` named after the stem, its origin the top-left corner of the set's pivot pixel. Its
children:

* ``Sprite``, an ``AnimatedSprite2D`` showing the ``.tres`` with ``centered = false`` at ``-pivot``: the sprite's
  top-left corner, so its pixels stay on whole pixels. A packed page's frames keep the full sprite's size through
  their ``AtlasTexture`` margins, so this holds for packed sheets too.
* ``AnimationPlayer``, whose library ``""`` holds one ``Animation`` per animation of the ``.tres``, of the same
  name, length (its frames times ``1 / speed``) and looping, keying ``Sprite:animation`` and ``Sprite:frame``.
* One ``Marker2D`` per point (named by :func:`..sets.rig_names.godot_node_name`), keying ``position`` (the point
  minus the pivot, not rounded) and ``z_index`` (1 in front of the character, −1 behind).
* One ``Area2D`` per box holding ``Shape``, a ``CollisionShape2D`` with a ``RectangleShape2D`` of its own
  (``resource_local_to_scene``, so each instance of the scene animates its own), keying ``position`` (the
  rectangle's centre from the pivot), ``shape:size`` and ``disabled``.
* ``RootMotion``, a ``Marker2D`` keying ``position`` with the running total of In Place's motion, in pixels.

Every track is discrete with nearest interpolation and keyed on every frame: a weapon parented to a marker jumps
with the sprite, never between. A frame without a point's data keeps the marker where the frame before had it (the
first frame with data stands in for those before it); a box absent on a frame, or without data there, is disabled
and keeps its last rectangle. Node paths are relative to the player's ``root_node``, ``..``: the root.

The text is written as Godot's saver writes a scene (``scene/resources/resource_format_text.cpp``): the header,
the ``ext_resource`` of the ``.tres`` (a bare file name, resolved against the scene's folder), the sub-resources
each before what refers to them, then the nodes, parents first. Animation keys are a dictionary of ``times`` (a
``PackedFloat32Array``), ``transitions``, ``update`` (1: ``UPDATE_DISCRETE``) and ``values``
(``scene/resources/animation.cpp``, ``_set``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..files.atomic import write_atomically
from ..sets.rig import BoxAt, FrameRig, RigData
from ..sets.rig_names import godot_node_name
from .godot import FORMAT, FramesAnimation, float_literal, frames_animations, quote, short_id, unique_id
from .layout import Page

SPRITE = "Sprite"
PLAYER = "AnimationPlayer"
ROOT_MOTION = "RootMotion"
SHAPE = "Shape"
# AnimationLibrary::is_valid_animation_name refuses these in an animation's name.
ANIMATION_NAME_FORBIDDEN = "/:,["
_LOOP_LINEAR = 1
_UPDATE_DISCRETE = 1
_INTERPOLATION_NEAREST = 0
_Value = TypeVar("_Value")


def has_game_data(rig: RigData | None) -> bool:
    """Whether a set's game data asks for a scene: points, boxes or In Place."""
    return rig is not None and bool(rig.points or rig.boxes or rig.in_place)


@dataclass
class _Track:
    """One property keyed on every frame of one animation: its path from the root and the written values."""

    path: str
    values: list[str]


@dataclass
class _SceneAnimation:
    name: str
    fps: float
    loop: bool
    frames: int
    tracks: list[_Track] = field(default_factory=list)


def godot_scene_text(stem: str, tres_name: str, pages: Sequence[Page], rig: RigData, pivot: tuple[int, int]) -> str:
    """The scene for the ``SpriteFrames`` ``tres_name`` written for ``pages``, with ``rig``'s data; ``pivot`` is the
    set's pivot pixel.

    Raises
    ------
    ValueError
        If an animation's name is one an ``AnimationLibrary`` refuses, or the ``.tres`` could not be written for
        ``pages`` (see :func:`.godot.sprite_frames_text`).
    """
    animations = [_scene_animation(animation, pages, rig, pivot) for animation in frames_animations(pages)]
    for animation in animations:
        if any(character in animation.name for character in ANIMATION_NAME_FORBIDDEN):
            raise ValueError(f"animation {animation.name!r}: Godot's animation names cannot hold any of / : , [")
    taken: set[str] = set()
    tres_id = f"1_{short_id(f'1/{tres_name}')}"
    shape_ids = {box: unique_id("RectangleShape2D", f"{stem}/{box}", taken) for box in rig.boxes}
    animation_ids = [unique_id("Animation", f"{stem}/{animation.name}", taken) for animation in animations]
    library_id = unique_id("AnimationLibrary", stem, taken)
    rest = _first_values(animations)

    load_steps = 1 + 1 + len(shape_ids) + len(animation_ids) + 1
    lines = [f"[gd_scene load_steps={load_steps} format={FORMAT}]", ""]
    lines += [f'[ext_resource type="SpriteFrames" path={quote(tres_name)} id="{tres_id}"]', ""]
    for box, shape_id in shape_ids.items():
        name = godot_node_name(box)
        lines += [f'[sub_resource type="RectangleShape2D" id="{shape_id}"]', "resource_local_to_scene = true"]
        lines += [f"size = {rest[f'{name}/{SHAPE}:shape:size']}"] if f"{name}/{SHAPE}:shape:size" in rest else []
        lines.append("")
    for animation, animation_id in zip(animations, animation_ids, strict=True):
        lines += _animation_lines(animation, animation_id)
    lines.append(f'[sub_resource type="AnimationLibrary" id="{library_id}"]')
    entries = ",\n".join(
        f'&{quote(animation.name)}: SubResource("{animation_id}")'
        for animation, animation_id in zip(animations, animation_ids, strict=True)
    )
    lines += ["_data = {", entries, "}", ""] if entries else ["_data = {}", ""]

    lines += [f'[node name={quote(godot_node_name(stem))} type="Node2D"]', ""]
    lines += [f'[node name="{SPRITE}" type="AnimatedSprite2D" parent="."]']
    lines.append(f"position = {_vector(-pivot[0], -pivot[1])}")
    lines.append(f'sprite_frames = ExtResource("{tres_id}")')
    lines += [f"animation = &{quote(animations[0].name)}"] if animations else []
    lines += ["centered = false", ""]
    lines += [f'[node name="{PLAYER}" type="AnimationPlayer" parent="."]', "libraries = {"]
    lines += [f'&"": SubResource("{library_id}")', "}", ""]
    for point in rig.points:
        name = godot_node_name(point)
        lines.append(f'[node name={quote(name)} type="Marker2D" parent="."]')
        lines += _rest_lines(rest, name, ("position", "z_index"))
        lines.append("")
    for box in rig.boxes:
        name = godot_node_name(box)
        lines += [f'[node name={quote(name)} type="Area2D" parent="."]', ""]
        lines.append(f'[node name="{SHAPE}" type="CollisionShape2D" parent={quote(name)}]')
        lines += _rest_lines(rest, f"{name}/{SHAPE}", ("position", "shape", "disabled"), shape=shape_ids[box])
        lines.append("")
    if rig.in_place:
        lines.append(f'[node name="{ROOT_MOTION}" type="Marker2D" parent="."]')
        lines += _rest_lines(rest, ROOT_MOTION, ("position",))
        lines.append("")
    return "\n".join(lines[:-1]) + "\n"


def write_godot_scene(
    path: Path | str, tres_name: str, pages: Sequence[Page], rig: RigData, pivot: tuple[int, int]
) -> Path:
    """Write :func:`godot_scene_text` to ``path`` (its stem names the root) as UTF-8, atomically; return the path."""
    path = Path(path)
    write_atomically(path, godot_scene_text(path.stem, tres_name, pages, rig, pivot).encode("utf-8"))
    return path


def _scene_animation(
    animation: FramesAnimation, pages: Sequence[Page], rig: RigData, pivot: tuple[int, int]
) -> _SceneAnimation:
    """One animation's tracks: the sprite's, then each point's, each box's and the root motion's."""
    frames = [rig.for_sprite(pages[page].cells[cell].sprite) or FrameRig() for page, cell in animation.cells]
    count = len(frames)
    scene = _SceneAnimation(animation.name, animation.fps, animation.loop, count)
    scene.tracks.append(_Track(f"{SPRITE}:animation", [f"&{quote(animation.name)}"] * count))
    scene.tracks.append(_Track(f"{SPRITE}:frame", [str(index) for index in range(count)]))
    pivot_x, pivot_y = pivot
    for point in rig.points:
        name = godot_node_name(point)
        found = _held([frame.points.get(point) for frame in frames])
        if found is not None:
            scene.tracks.append(_Track(f"{name}:position", [_vector(p.x - pivot_x, p.y - pivot_y) for p in found]))
            scene.tracks.append(_Track(f"{name}:z_index", ["1" if p.front else "-1" for p in found]))
    for box in rig.boxes:
        name = godot_node_name(box)
        present = [frame.boxes.get(box) for frame in frames]
        rectangles: list[BoxAt] | None = _held(present)
        if rectangles is not None:
            centres = [_vector(r.x + r.w / 2 - pivot_x, r.y + r.h / 2 - pivot_y) for r in rectangles]
            scene.tracks.append(_Track(f"{name}/{SHAPE}:position", centres))
            scene.tracks.append(_Track(f"{name}/{SHAPE}:shape:size", [_vector(r.w, r.h) for r in rectangles]))
        scene.tracks.append(_Track(f"{name}/{SHAPE}:disabled", ["false" if r else "true" for r in present]))
    if rig.in_place:
        motion, totals = (0.0, 0.0), []
        for frame in frames:
            if frame.root_motion is not None:
                motion = (frame.root_motion.x, frame.root_motion.y)
            totals.append(_vector(*motion))
        scene.tracks.append(_Track(f"{ROOT_MOTION}:position", totals))
    return scene


def _held(values: list[_Value | None]) -> list[_Value] | None:
    """``values`` with each gap filled by the value before it (the first value fills those before it); None if
    there is no value at all."""
    last = next((value for value in values if value is not None), None)
    if last is None:
        return None
    held = []
    for value in values:
        last = value if value is not None else last
        held.append(last)
    return held


def _first_values(animations: Sequence[_SceneAnimation]) -> dict[str, str]:
    """What each keyed property holds before anything plays: its first key in the first animation keying it (the
    first animation is the sprite's own first), so the scene as loaded shows one consistent frame."""
    rest: dict[str, str] = {}
    for animation in animations:
        for track in animation.tracks:
            rest.setdefault(track.path, track.values[0])
    return rest


def _rest_lines(rest: dict[str, str], node: str, properties: Sequence[str], *, shape: str | None = None) -> list[str]:
    lines = []
    for name in properties:
        if name == "shape":
            lines.append(f'shape = SubResource("{shape}")')
        elif f"{node}:{name}" in rest and rest[f"{node}:{name}"] not in ("0", "false", _vector(0, 0)):
            lines.append(f"{name} = {rest[f'{node}:{name}']}")  # Godot's saver leaves out default values
    return lines


def _animation_lines(animation: _SceneAnimation, animation_id: str) -> list[str]:
    step = 1.0 / animation.fps
    times = ", ".join(_real(index * step) for index in range(animation.frames))
    transitions = ", ".join(["1"] * animation.frames)
    lines = [
        f'[sub_resource type="Animation" id="{animation_id}"]',
        f"resource_name = {quote(animation.name)}",
        f"length = {float_literal(animation.frames * step)}",
    ]
    lines += [f"loop_mode = {_LOOP_LINEAR}"] if animation.loop else []
    lines.append(f"step = {float_literal(step)}")
    for number, track in enumerate(animation.tracks):
        prefix = f"tracks/{number}"
        lines += [
            f'{prefix}/type = "value"',
            f"{prefix}/imported = false",
            f"{prefix}/enabled = true",
            f"{prefix}/path = NodePath({quote(track.path)})",
            f"{prefix}/interp = {_INTERPOLATION_NEAREST}",
            f"{prefix}/loop_wrap = true",
            f"{prefix}/keys = {{",
            f'"times": PackedFloat32Array({times}),',
            f'"transitions": PackedFloat32Array({transitions}),',
            f'"update": {_UPDATE_DISCRETE},',
            f'"values": [{", ".join(track.values)}]',
            "}",
        ]
    return [*lines, ""]


def _vector(x: float, y: float) -> str:
    return f"Vector2({_real(x)}, {_real(y)})"


def _real(value: float) -> str:
    """A number inside a ``Vector2`` or packed array as Godot writes it: no ``.0`` when whole; to 6 decimals, which
    keeps the set's data (1/10000 of a pixel) and a key's time to far less than a frame."""
    value = round(value, 6) + 0.0
    return str(int(value)) if value.is_integer() else repr(value)
