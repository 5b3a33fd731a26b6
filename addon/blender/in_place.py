"""In Place: an action's motion across the floor taken out of its renders, and given back as root motion.

What moves is the set's pivot object and, where the pivot is an armature, its root bone (the parentless bone whose
location the action keys, such as Mixamo's ``mixamorig:Hips``): the root is that bone's head, else the pivot's
origin. Its offset on the floor (world X and Y) since the action's first frame is measured frame by frame on the
main thread, then cancelled during the render by drivers on the pivot's delta location, whose F-curves map the frame
to the offset. A render evaluates drivers in its own depsgraph, on whatever thread it runs, at subframes too, and
with no Python there: ``frame`` is an expression Blender evaluates itself. The drivers are taken away and the delta
location given back once the render is over.
"""

from __future__ import annotations

import re

import bpy
from mathutils import Vector

from ..engine.errors import SetupError
from . import actions

_BONE_LOCATION = re.compile(r'^pose\.bones\["(?P<name>(?:[^"\\]|\\.)*)"\]\.location$')


def root_bone(armature: bpy.types.Object) -> str | None:
    """The armature's root bone: the parentless bone whose location its action keys; None if it keys none."""
    action = armature.animation_data.action if armature.animation_data is not None else None
    if action is None:
        return None
    keyed = set()
    for path in actions.fcurve_paths(action):
        match = _BONE_LOCATION.match(path)
        if match is not None:
            keyed.add(match["name"].replace('\\"', '"').replace("\\\\", "\\"))
    return next((bone.name for bone in armature.data.bones if bone.parent is None and bone.name in keyed), None)


def _root_position(pivot: bpy.types.Object, bone: str | None) -> Vector:
    if bone is None:
        return pivot.matrix_world.translation.copy()
    return pivot.matrix_world @ pivot.pose.bones[bone].head


class InPlace:
    """The pivot held in place over the scene's frame range, from :meth:`begin` (main thread, before the render) to
    :meth:`end` (after it). ``motion`` is the root's world offset on the floor on each frame since the first: the
    motion taken out, which the game gives back."""

    def __init__(self, scene: bpy.types.Scene, pivot: bpy.types.Object) -> None:
        self.scene_name = scene.name
        self.pivot_name = pivot.name
        self.motion: dict[int, Vector] = {}
        self._saved: tuple[float, float, float] | None = None
        self._had_animation_data = True

    def begin(self, scene: bpy.types.Scene) -> None:
        """Measure the motion over the scene's frames (going to each and back), then cancel it with drivers.

        Raises
        ------
        SetupError
            Naming the pivot, if its delta location has drivers of its own.
        """
        pivot = bpy.data.objects[self.pivot_name]
        data = pivot.animation_data
        if data is not None and any(driver.data_path == "delta_location" for driver in data.drivers):
            raise SetupError(f"In Place: the pivot {pivot.name!r} has drivers on its delta location; remove them")
        bone = root_bone(pivot) if pivot.type == "ARMATURE" else None
        first, last = scene.frame_start, scene.frame_end
        offsets: dict[int, Vector] = {}
        current, subframe = scene.frame_current, scene.frame_subframe
        try:
            for frame in range(first, max(first, last) + 1):
                scene.frame_set(frame)
                root = _root_position(pivot, bone)
                # Delta location is in the parent's space: the world offset taken back through the parenting.
                parenting = (pivot.matrix_world @ pivot.matrix_basis.inverted()).to_3x3()
                self.motion[frame] = Vector((root.x, root.y, 0.0))
                offsets[frame] = parenting.inverted_safe() @ self.motion[frame]
        finally:
            scene.frame_set(current, subframe=subframe)
        start = self.motion[first].copy()
        start_local = offsets[first].copy()
        for frame in self.motion:
            self.motion[frame] = self.motion[frame] - start
            offsets[frame] = offsets[frame] - start_local
        saved = (pivot.delta_location.x, pivot.delta_location.y, pivot.delta_location.z)
        self._saved, self._had_animation_data = saved, data is not None
        for axis, curve in enumerate(pivot.driver_add("delta_location")):
            _hold(curve, {frame: saved[axis] - offset[axis] for frame, offset in offsets.items()})

    def end(self) -> None:
        """Take the drivers away and give the delta location back; once only."""
        if self._saved is None:
            return
        saved, self._saved = self._saved, None
        pivot = bpy.data.objects.get(self.pivot_name)
        if pivot is None:
            return
        pivot.driver_remove("delta_location")
        pivot.delta_location = saved
        data = pivot.animation_data
        made_here = not self._had_animation_data and data is not None
        if made_here and data.action is None and not data.drivers and not data.nla_tracks:
            pivot.animation_data_clear()


def _hold(curve: bpy.types.FCurve, values: dict[int, float]) -> None:
    """Make ``curve``'s driver give ``values[frame]`` on each frame, linear between frames."""
    driver = curve.driver
    driver.type = "SCRIPTED"
    driver.expression = "frame"
    for variable in list(driver.variables):
        driver.variables.remove(variable)
    for modifier in list(curve.modifiers):  # Python's driver_add gives a Generator modifier, which would map it
        curve.modifiers.remove(modifier)
    points = curve.keyframe_points
    for point in reversed(list(points)):  # some Blenders give a new driver's curve points of its own
        points.remove(point, fast=True)
    points.add(len(values))
    for point, frame in zip(points, sorted(values), strict=True):
        point.co = (frame, values[frame])
        point.interpolation = "LINEAR"
    curve.update()
