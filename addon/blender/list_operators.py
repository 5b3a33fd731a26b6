"""Adding and removing entries of the panel's lists: the sprite set's actions, the palette variants, and the Game
Data's points and boxes."""

from __future__ import annotations

import bpy


def _remove_active(settings: bpy.types.PropertyGroup, entries: str, active: str) -> set[str]:
    """Remove the list ``entries``' selected entry (its index in ``active``) and select the one before it."""
    collection, index = getattr(settings, entries), getattr(settings, active)
    if not 0 <= index < len(collection):
        return {"CANCELLED"}
    collection.remove(index)
    setattr(settings, active, max(0, index - 1))
    return {"FINISHED"}


class PIXEL_SPRITES_OT_action_add(bpy.types.Operator):
    """Add an action to the sprite set: the active object's current action, or the scene's animation"""

    bl_idname = "pixel_sprites.action_add"
    bl_label = "Add Action"
    bl_options = {"UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        settings = context.scene.pixel_sprites
        entry = settings.set_actions.add()
        target = settings.animated_object or context.active_object
        if target is not None and target.animation_data is not None:
            entry.action = target.animation_data.action
        entry.frame_start, entry.frame_end = context.scene.frame_start, context.scene.frame_end
        settings.active_set_action = len(settings.set_actions) - 1
        return {"FINISHED"}


class PIXEL_SPRITES_OT_action_remove(bpy.types.Operator):
    """Remove the selected action from the sprite set (its renders and sprites stay on disk)"""

    bl_idname = "pixel_sprites.action_remove"
    bl_label = "Remove Action"
    bl_options = {"UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        return _remove_active(context.scene.pixel_sprites, "set_actions", "active_set_action")


class PIXEL_SPRITES_OT_variant_add(bpy.types.Operator):
    """Add a palette variant: name it and choose its palette file (start from a copy of the character's .gpl)"""

    bl_idname = "pixel_sprites.variant_add"
    bl_label = "Add Palette Variant"
    bl_options = {"UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        settings = context.scene.pixel_sprites
        entry = settings.palette_variants.add()
        entry.name = f"variant_{len(settings.palette_variants)}"
        settings.active_palette_variant = len(settings.palette_variants) - 1
        return {"FINISHED"}


class PIXEL_SPRITES_OT_variant_remove(bpy.types.Operator):
    """Remove the selected palette variant (its files stay on disk)"""

    bl_idname = "pixel_sprites.variant_remove"
    bl_label = "Remove Palette Variant"
    bl_options = {"UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        return _remove_active(context.scene.pixel_sprites, "palette_variants", "active_palette_variant")


class PIXEL_SPRITES_OT_rig_point_add(bpy.types.Operator):
    """Add a point the game attaches things to (a hand, a muzzle): the selected bone, or the active Empty; then
    choose its object and bone below"""

    bl_idname = "pixel_sprites.rig_point_add"
    bl_label = "Add Point"
    bl_options = {"UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        settings = context.scene.pixel_sprites
        entry = settings.rig_points.add()
        active = context.active_object
        if active is not None and active.type == "ARMATURE":
            entry.target = active
            bone = active.data.bones.active
            entry.bone = bone.name if bone is not None else ""
        elif active is not None and active.type == "EMPTY":
            entry.target = active
        settings.rig_points_index = len(settings.rig_points) - 1
        return {"FINISHED"}


class PIXEL_SPRITES_OT_rig_point_remove(bpy.types.Operator):
    """Remove the selected point (the scene keeps its object and bone)"""

    bl_idname = "pixel_sprites.rig_point_remove"
    bl_label = "Remove Point"
    bl_options = {"UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        return _remove_active(context.scene.pixel_sprites, "rig_points", "rig_points_index")


class PIXEL_SPRITES_OT_rig_box_add(bpy.types.Operator):
    """Add a hit or hurt box: the active mesh (hide it from renders if it is only a box), or choose an object or a
    collection below"""

    bl_idname = "pixel_sprites.rig_box_add"
    bl_label = "Add Box"
    bl_options = {"UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        settings = context.scene.pixel_sprites
        entry = settings.rig_boxes.add()
        active = context.active_object
        if active is not None and active.type == "MESH":
            entry.target = active
        settings.rig_boxes_index = len(settings.rig_boxes) - 1
        return {"FINISHED"}


class PIXEL_SPRITES_OT_rig_box_remove(bpy.types.Operator):
    """Remove the selected box (the scene keeps its object or collection)"""

    bl_idname = "pixel_sprites.rig_box_remove"
    bl_label = "Remove Box"
    bl_options = {"UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        return _remove_active(context.scene.pixel_sprites, "rig_boxes", "rig_boxes_index")


CLASSES = (
    PIXEL_SPRITES_OT_action_add,
    PIXEL_SPRITES_OT_action_remove,
    PIXEL_SPRITES_OT_variant_add,
    PIXEL_SPRITES_OT_variant_remove,
    PIXEL_SPRITES_OT_rig_point_add,
    PIXEL_SPRITES_OT_rig_point_remove,
    PIXEL_SPRITES_OT_rig_box_add,
    PIXEL_SPRITES_OT_rig_box_remove,
)
