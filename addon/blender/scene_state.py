"""Everything a sprite set changes in a scene, captured first and given back afterwards, whatever happened."""

from __future__ import annotations

from dataclasses import dataclass

import bpy

from . import actions


@dataclass
class SceneState:
    """Frame range and step, current frame, render output path, and the pivot's and animated object's state."""

    scene_name: str
    frame_start: int
    frame_end: int
    frame_step: int
    frame_current: int
    filepath: str
    pivot_name: str | None
    delta_rotation_euler: tuple[float, float, float]
    delta_rotation_quaternion: tuple[float, float, float, float]
    animated_name: str | None
    action: bpy.types.Action | None
    slot: object

    @classmethod
    def capture(
        cls, scene: bpy.types.Scene, pivot: bpy.types.Object | None, animated: bpy.types.Object | None
    ) -> SceneState:
        action, slot = actions.current(animated) if animated is not None else (None, None)
        return cls(
            scene.name,
            scene.frame_start,
            scene.frame_end,
            scene.frame_step,
            scene.frame_current,
            scene.render.filepath,
            pivot.name if pivot is not None else None,
            tuple(pivot.delta_rotation_euler) if pivot is not None else (0.0, 0.0, 0.0),
            tuple(pivot.delta_rotation_quaternion) if pivot is not None else (1.0, 0.0, 0.0, 0.0),
            animated.name if animated is not None else None,
            action,
            slot,
        )

    def restore(self) -> None:
        scene = bpy.data.scenes.get(self.scene_name)
        if scene is None:
            return
        scene.frame_start, scene.frame_end, scene.frame_step = self.frame_start, self.frame_end, self.frame_step
        scene.render.filepath = self.filepath
        pivot = bpy.data.objects.get(self.pivot_name) if self.pivot_name else None
        if pivot is not None:
            pivot.delta_rotation_euler = self.delta_rotation_euler
            pivot.delta_rotation_quaternion = self.delta_rotation_quaternion
        animated = bpy.data.objects.get(self.animated_name) if self.animated_name else None
        if animated is not None:
            actions.assign(animated, self.action, self.slot)
        scene.frame_set(self.frame_current)
