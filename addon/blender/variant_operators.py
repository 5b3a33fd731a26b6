"""Adding and removing the panel's palette variants (Output > Palette Variants)."""

from __future__ import annotations

import bpy


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
        settings = context.scene.pixel_sprites
        if not 0 <= settings.active_palette_variant < len(settings.palette_variants):
            return {"CANCELLED"}
        settings.palette_variants.remove(settings.active_palette_variant)
        settings.active_palette_variant = max(0, settings.active_palette_variant - 1)
        return {"FINISHED"}


CLASSES = (PIXEL_SPRITES_OT_variant_add, PIXEL_SPRITES_OT_variant_remove)
