"""The Sprites tab of the 3D View sidebar."""

from __future__ import annotations

import bpy

from . import jobs

SWATCHES_PER_ROW = 8
SKIPPED_SHOWN = 5


class PIXEL_SPRITES_PT_main(bpy.types.Panel):
    bl_idname = "PIXEL_SPRITES_PT_main"
    bl_label = "Pixel Sprites"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Sprites"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        settings = context.scene.pixel_sprites
        layout.prop(settings, "enabled")
        layout.prop(settings, "character")

        box = layout.box()
        box.prop(settings, "size_mode")
        if settings.size_mode == "SIZE":
            row = box.row(align=True)
            row.prop(settings, "width")
            row.prop(settings, "height")
        else:
            box.prop(settings, "pixel")
        box.prop(settings, "alpha_threshold")
        box.prop(settings, "render_at_sprite_size")

        box = layout.box()
        box.prop(settings, "method")
        if settings.method == "kmeans-lab":
            box.prop(settings, "auto_colors")
            if settings.auto_colors:
                box.prop(settings, "tolerance")
                box.prop(settings, "max_colors")
            else:
                box.prop(settings, "colors")
        box.prop(settings, "seed")
        box.prop(settings, "target_palette")
        box.prop(settings, "indexed")

        layout.prop(settings, "source_folder")
        layout.prop(settings, "output_folder")

        running = jobs.status()
        if running is not None:
            title, stage, done, total = running
            row = layout.row()
            row.label(text=f"{title}: {stage} {done}/{total}", icon="TIME")
            row.operator("pixel_sprites.cancel", text="", icon="CANCEL")
        else:
            layout.operator("pixel_sprites.process", icon="IMAGE_DATA")
            layout.operator("pixel_sprites.render_sprites", icon="RENDER_ANIMATION")
            layout.operator("pixel_sprites.process_render_result", icon="RENDER_STILL")
            row = layout.row(align=True)
            row.operator("pixel_sprites.fit_palette", icon="COLOR")
            row.operator(
                "pixel_sprites.lock_palette",
                text="Unlock Palette" if settings.palette_locked else "Lock Palette",
                icon="LOCKED" if settings.palette_locked else "UNLOCKED",
            )

        if settings.palette:
            layout.label(text=f"Palette: {len(settings.palette)} colours")
            grid = layout.grid_flow(row_major=True, columns=SWATCHES_PER_ROW, even_columns=True, align=True)
            for item in settings.palette:
                grid.prop(item, "color", text="")
        if settings.last_summary:
            failed = settings.last_summary.startswith("Error")
            layout.label(text=settings.last_summary, icon="ERROR" if failed else "INFO")
        for item in list(settings.skipped)[:SKIPPED_SHOWN]:
            layout.label(text=f"{bpy.path.basename(item.path)}: {item.reason}", icon="CANCEL")
        if len(settings.skipped) > SKIPPED_SHOWN:
            layout.label(text=f"... and {len(settings.skipped) - SKIPPED_SHOWN} more (see the JSON report)")


CLASSES = (PIXEL_SPRITES_PT_main,)
