"""The Game Data settings of the scene: named points and boxes projected from the rig, and In Place.

A mixin of the scene's Pixel Sprites settings (``scene.pixel_sprites``), as the preview's are. The panel edits the
lists item by item; the batch script and the Flamenco job type set them from text (``--points``, ``--boxes``),
each name looked up in the scene. :meth:`GameDataSettings.rig_request` is what a job asks Blender to project.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import bpy

from ..engine import options
from ..engine.errors import OptionError
from ..engine.sets.rig_names import RigRequest, RigSource, check_names, parse_list

POINTS_FLAG = "--points"
BOXES_FLAG = "--boxes"


def _sentence(help_text: str) -> str:
    return help_text[0].upper() + help_text[1:]


def _keep_one_box_source(changed: str, other: str) -> Any:
    """An update callback: a box is an object or a collection, so choosing one empties the other."""

    def update(item: Any, context: Any) -> None:
        if getattr(item, changed) is not None and getattr(item, other) is not None:
            setattr(item, other, None)

    return update


class PIXEL_SPRITES_PG_rig_point(bpy.types.PropertyGroup):
    """A point the game attaches things to: an object's origin, or a bone's head or tail."""

    name: bpy.props.StringProperty(  # type: ignore[valid-type]
        name="Name",
        description="The point's name in the engine files (a Marker2D in Godot, a slice in Aseprite); empty for the "
        "bone's name, or the object's",
    )
    target: bpy.props.PointerProperty(  # type: ignore[valid-type]
        name="Object",
        type=bpy.types.Object,
        description="The object whose origin is the point (an Empty, or any object), or the armature of the bone",
    )
    bone: bpy.props.StringProperty(  # type: ignore[valid-type]
        name="Bone", description="A bone of the armature: the point is its head; empty for the object's origin"
    )
    tail: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="Tail", description="The bone's tail (its tip, such as a fingertip) instead of its head", default=False
    )


class PIXEL_SPRITES_PG_rig_box(bpy.types.PropertyGroup):
    """A hit or hurt box: an object's geometry, or every mesh of a collection, as it deforms."""

    name: bpy.props.StringProperty(  # type: ignore[valid-type]
        name="Name",
        description="The box's name in the engine files (an Area2D in Godot, a slice in Aseprite); empty for the "
        "object's name, or the collection's",
    )
    target: bpy.props.PointerProperty(  # type: ignore[valid-type]
        name="Object",
        type=bpy.types.Object,
        description="The object whose geometry is the box; it may be hidden from renders",
        update=_keep_one_box_source("target", "collection"),
    )
    collection: bpy.props.PointerProperty(  # type: ignore[valid-type]
        name="Collection",
        type=bpy.types.Collection,
        description="A collection whose meshes, together, are the box (instead of one object)",
        update=_keep_one_box_source("collection", "target"),
    )


def point_source(item: PIXEL_SPRITES_PG_rig_point, number: int) -> RigSource:
    """The point an item of the list asks for (``number`` counts from 1, for the message).

    Raises
    ------
    OptionError
        Naming the item, if it has no object.
    """
    if item.target is None:
        raise OptionError(
            f"Game Data: point {number} ({item.name or 'no name'}) has no object: choose one or remove it"
        )
    bone = item.bone.strip() or None
    own = bone if bone is not None else item.target.name
    return RigSource(item.name.strip() or own, item.target.name, bone, item.tail and bone is not None)


def box_source(item: PIXEL_SPRITES_PG_rig_box, number: int) -> RigSource:
    """The box an item of the list asks for (``number`` counts from 1, for the message); its object, or else its
    collection (choosing one empties the other).

    Raises
    ------
    OptionError
        Naming the item, if it has neither an object nor a collection.
    """
    source = item.target or item.collection
    if source is None:
        raise OptionError(
            f"Game Data: box {number} ({item.name or 'no name'}) has no object nor collection: choose one or remove it"
        )
    return RigSource(item.name.strip() or source.name, source.name)


def _scene_collections(scene: bpy.types.Scene) -> dict[str, bpy.types.Collection]:
    return {collection.name: collection for collection in scene.collection.children_recursive}


def resolved_point(scene: bpy.types.Scene, source: RigSource) -> bpy.types.Object:
    """The scene's object of a point given by name, its bone checked.

    Raises
    ------
    OptionError
        Naming the point: an object not in the scene, or a bone not in the armature.
    """
    target = scene.objects.get(source.object)
    if target is None:
        raise OptionError(f"{POINTS_FLAG} {source.written}: no object named {source.object!r} in the scene")
    if source.bone is not None:
        if target.type != "ARMATURE":
            raise OptionError(f"{POINTS_FLAG} {source.written}: {source.object!r} is not an armature, it has no bones")
        if target.data.bones.get(source.bone) is None:
            raise OptionError(
                f"{POINTS_FLAG} {source.written}: no bone named {source.bone!r} in the armature {source.object!r}"
            )
    return target


def resolved_box(scene: bpy.types.Scene, source: RigSource) -> bpy.types.Object | bpy.types.Collection:
    """The scene's object or collection of a box given by name.

    Raises
    ------
    OptionError
        Naming the box: a name not in the scene, one that is both an object and a collection, or a collection
        without meshes.
    """
    target = scene.objects.get(source.object)
    collection = _scene_collections(scene).get(source.object)
    if target is not None and collection is not None:
        raise OptionError(
            f"{BOXES_FLAG} {source.written}: {source.object!r} is both an object and a collection; rename one"
        )
    if collection is not None:
        if not any(item.type == "MESH" for item in collection.all_objects):
            raise OptionError(f"{BOXES_FLAG} {source.written}: the collection {source.object!r} holds no mesh")
        return collection
    if target is None:
        raise OptionError(
            f"{BOXES_FLAG} {source.written}: no object or collection named {source.object!r} in the scene"
        )
    return target


def _own_name_or_empty(source: RigSource) -> str:
    """The item's name: empty where it is the source's own, so that it follows a renamed bone or object."""
    own = source.bone if source.bone is not None else source.object
    return "" if source.name == own else source.name


class GameDataSettings:
    """``rig_points``, ``rig_boxes`` and ``in_place``: inherited by ``PIXEL_SPRITES_PG_settings``."""

    rig_points: bpy.props.CollectionProperty(type=PIXEL_SPRITES_PG_rig_point)  # type: ignore[valid-type]
    rig_points_index: bpy.props.IntProperty(name="Active Point")  # type: ignore[valid-type]
    rig_boxes: bpy.props.CollectionProperty(type=PIXEL_SPRITES_PG_rig_box)  # type: ignore[valid-type]
    rig_boxes_index: bpy.props.IntProperty(name="Active Box")  # type: ignore[valid-type]
    in_place: bpy.props.BoolProperty(  # type: ignore[valid-type]
        name="In Place", description=_sentence(options.IN_PLACE_HELP), default=False
    )

    def rig_request(self) -> RigRequest | None:
        """The game data the scene asks for; None when no point, no box and In Place off.

        Raises
        ------
        OptionError
            Naming the item: one without a source, a name the engine files use, or two outputs of one name.
        """
        points = tuple(point_source(item, number) for number, item in enumerate(self.rig_points, 1))
        boxes = tuple(box_source(item, number) for number, item in enumerate(self.rig_boxes, 1))
        request = RigRequest(points, boxes, bool(self.in_place))
        return request if request.wanted else None

    def set_game_data(self, points: str | None = None, boxes: str | None = None) -> None:
        """Replace the points and boxes with those written as ``--points`` and ``--boxes`` take them (None leaves a
        list as it is; an empty text empties it), each name looked up in the scene (these settings' ``id_data``).

        Raises
        ------
        OptionError
            Naming the item, before either list changes: bad text, a name not in the scene, a bone not in the
            armature, an ambiguous box, a collection without meshes, or names the outputs cannot hold.
        """
        scene = self.id_data  # type: ignore[attr-defined]
        new_points = parse_list(points, POINTS_FLAG) if points is not None else None
        new_boxes = parse_list(boxes, BOXES_FLAG) if boxes is not None else None
        point_targets = [resolved_point(scene, source) for source in new_points or ()]
        box_targets = [resolved_box(scene, source) for source in new_boxes or ()]
        check_names(
            new_points if new_points is not None else self._current(self.rig_points, point_source),
            new_boxes if new_boxes is not None else self._current(self.rig_boxes, box_source),
        )
        if new_points is not None:
            self.rig_points.clear()  # type: ignore[attr-defined]
            for source, target in zip(new_points, point_targets, strict=True):
                item = self.rig_points.add()  # type: ignore[attr-defined]
                item.name, item.target = _own_name_or_empty(source), target
                item.bone, item.tail = source.bone or "", source.tail
        if new_boxes is not None:
            self.rig_boxes.clear()  # type: ignore[attr-defined]
            for source, box in zip(new_boxes, box_targets, strict=True):
                item = self.rig_boxes.add()  # type: ignore[attr-defined]
                item.name = _own_name_or_empty(source)
                if isinstance(box, bpy.types.Collection):
                    item.collection = box
                else:
                    item.target = box

    @staticmethod
    def _current(items: Any, source: Any) -> list[RigSource]:
        return [source(item, number) for number, item in enumerate(items, 1)]

    def game_data_text(self, kind: str) -> str:
        """The points (``kind`` ``points``) or boxes as ``--points`` and ``--boxes`` write them, leaving out items
        without a source (for the Flamenco job type's settings)."""
        items, source = (self.rig_points, point_source) if kind == "points" else (self.rig_boxes, box_source)
        written = []
        for number, item in enumerate(items, 1):
            try:
                written.append(source(item, number).written)
            except OptionError:
                continue
        return ",".join(written)


CLASSES: Sequence[type] = (PIXEL_SPRITES_PG_rig_point, PIXEL_SPRITES_PG_rig_box)
