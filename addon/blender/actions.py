"""Playing an action on an object: Blender 4.2's actions and the slotted actions of 4.4 and newer."""

from __future__ import annotations

from collections.abc import Iterator

import bpy


def is_slotted() -> bool:
    """Whether this Blender has slotted actions (4.4+): an action holds channels for several slots."""
    return "slots" in bpy.types.Action.bl_rna.properties


def fcurve_paths(action: bpy.types.Action) -> list[str]:
    """The data paths the action animates, over all its slots and layers."""
    if not is_slotted() or not getattr(action, "layers", None):
        return [fcurve.data_path for fcurve in getattr(action, "fcurves", [])]
    paths: list[str] = []
    for layer in action.layers:
        for strip in layer.strips:
            for channelbag in getattr(strip, "channelbags", []):
                paths.extend(fcurve.data_path for fcurve in channelbag.fcurves)
    return paths


def hierarchy(root: bpy.types.Object) -> Iterator[bpy.types.Object]:
    """``root`` and every object parented under it."""
    yield root
    for child in root.children:
        yield from hierarchy(child)


def animates_anything(action: bpy.types.Action, objects: list[bpy.types.Object]) -> bool:
    """Whether one of the action's channels resolves on one of ``objects``."""
    for path in fcurve_paths(action):
        for candidate in objects:
            try:
                candidate.path_resolve(path)
            except ValueError:
                continue
            return True
    return False


def frame_range(action: bpy.types.Action) -> tuple[int, int]:
    """The action's own frame range, whole frames."""
    start, end = (float(value) for value in action.frame_range)
    return round(start), round(end)


def current(target: bpy.types.Object) -> tuple[bpy.types.Action | None, object]:
    """The object's active action and, where Blender has slots, its slot: to be given back later."""
    data = target.animation_data
    if data is None:
        return None, None
    return data.action, getattr(data, "action_slot", None)


def _slot_animating(action: bpy.types.Action, target: bpy.types.Object, slots: list[object]) -> object:
    """Of ``slots``, the first whose channels animate ``target``; else the first; None if there are none."""
    for slot in slots:
        for layer in action.layers:
            for strip in layer.strips:
                channelbag = strip.channelbag(slot) if hasattr(strip, "channelbag") else None
                for fcurve in channelbag.fcurves if channelbag is not None else []:
                    try:
                        target.path_resolve(fcurve.data_path)
                    except ValueError:
                        continue
                    return slot
    return slots[0] if slots else None


def assign(target: bpy.types.Object, action: bpy.types.Action | None, slot: object = None) -> None:
    """Make ``action`` the object's active action, with ``slot`` or else the slot whose channels animate it.

    The slot is always chosen anew: the one the object played before may hold none of this object's channels,
    and then every frame would render alike.
    """
    if action is None and target.animation_data is None:
        return
    data = target.animation_data or target.animation_data_create()
    data.action = action
    if action is None or not hasattr(data, "action_slot"):
        return
    data.action_slot = slot if slot is not None else _slot_animating(action, target, list(data.action_suitable_slots))
