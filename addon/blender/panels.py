"""The Sprites tab of the 3D View sidebar: the main panel (the first step first, then the last run's results where
they were made), the Preview sub-panel, and the sub-panels of settings (``setting_panels``)."""

from __future__ import annotations

import bpy

from . import job_outline, jobs, panel_text, preview, render_session, setting_panels, show_operators
from .setting_panels import SpritesTab, SubPanel

SKIPPED_SHOWN = 5
# The last run's results sit in a box, which takes this much of a label's width at scale 1.
BOX_INSET_PIXELS = 12
RENDER_BUTTON_SCALE = 1.6


class PIXEL_SPRITES_PT_main(SpritesTab, bpy.types.Panel):
    bl_idname = "PIXEL_SPRITES_PT_main"
    bl_label = "Pixel Sprites"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        settings = context.scene.pixel_sprites
        layout.prop(settings, "enabled", text="Sprites After Render")
        if render_session.current is not None or jobs.status() is not None:
            _draw_progress(layout, context)
        else:
            _draw_buttons(layout, context)
        _draw_last_run(layout, context)


def _draw_progress(layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
    running_set, running = render_session.current, jobs.status()
    if running_set is not None:
        text, icon = f"Set: {running_set.status()}", "RENDER_ANIMATION"
    else:
        title, stage, done, total = running  # type: ignore[misc]
        text, icon = f"{title}: {stage} {done}/{total}", "TIME"
    row = layout.row()
    # The Cancel button beside the lines takes about as much as an icon does.
    panel_text.label_lines(row, context, text, icon, inset=panel_text.ICON_PIXELS)
    row.operator("pixel_sprites.cancel", text="", icon="CANCEL")


def _draw_buttons(layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
    """Render Sprites first and largest, with what it will do above it; then the buttons for renders on disk."""
    panel_text.label_lines(layout, context, job_outline.render_sprites(context.scene).line(), greyed=True)
    render = layout.row()
    render.scale_y = RENDER_BUTTON_SCALE
    render.operator("pixel_sprites.render_sprites", icon="RENDER_ANIMATION")
    layout.label(text="From Existing Renders")
    column = layout.column(align=True)
    column.operator("pixel_sprites.process", icon="IMAGE_DATA")
    column.operator("pixel_sprites.process_render_result", icon="RENDER_STILL")


def _draw_last_run(layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
    """The last run's summary, its folder to copy or open, the buttons that show its sprites and sheet, and the
    frames it skipped."""
    settings = context.scene.pixel_sprites
    if not settings.last_summary:
        return
    box = layout.box()
    failed = settings.last_summary.startswith("Error")
    panel_text.label_lines(box, context, settings.last_summary, "ERROR" if failed else "INFO", inset=BOX_INSET_PIXELS)
    row = box.row(align=True)
    scale = panel_text.interface_scale(context)
    half = (panel_text.layout_width(context) - BOX_INSET_PIXELS * scale) / 2
    # Icons only where the two buttons keep their text whole beside them.
    needed = (
        panel_text.measure(context)("Show Sprites") + (panel_text.ICON_PIXELS + panel_text.TEXT_MARGIN_PIXELS) * scale
    )
    with_icons = needed <= half
    row.operator("pixel_sprites.show_sprites", icon="PLAY" if with_icons else "NONE")
    row.operator("pixel_sprites.show_sheet", icon="IMAGE_DATA" if with_icons else "NONE")
    if settings.last_output:
        row = box.row(align=True)
        row.prop(settings, "last_output", text="")
        row.operator("pixel_sprites.open_folder", text="", icon="FOLDER_REDIRECT")
    for item in list(settings.skipped)[:SKIPPED_SHOWN]:
        text = f"{bpy.path.basename(item.path)}: {item.reason}"
        panel_text.label_lines(box, context, text, "INFO" if item.note else "CANCEL", inset=BOX_INSET_PIXELS)
    if len(settings.skipped) > SKIPPED_SHOWN:
        more = f"… and {len(settings.skipped) - SKIPPED_SHOWN} more (see the JSON report)"
        panel_text.label_lines(box, context, more, inset=BOX_INSET_PIXELS)


class PIXEL_SPRITES_PT_preview(SubPanel, bpy.types.Panel):
    """The current frame as the finished sprite, updated as the scene and the settings change."""

    bl_idname = "PIXEL_SPRITES_PT_preview"
    bl_label = "Preview"

    def draw_settings(self, layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
        scene = context.scene
        settings = scene.pixel_sprites
        layout.prop(settings, "live_preview", text="Live Preview", toggle=True, icon="HIDE_OFF")
        layout.row().prop(settings, "preview_quality", expand=True)
        setting_panels.labelled(
            layout, context, settings, "preview_facing", "Facing", field=setting_panels.MENU_FIELD_PIXELS
        )
        if settings.preview_quality == "EXACT" and not settings.render_at_sprite_size:
            line = "Exact renders at sprite size even with Render at Sprite Size off"
            panel_text.label_lines(layout, context, line, "INFO", greyed=True)
        if not settings.live_preview:
            return
        icon_id = preview.panel_icon_id(scene)
        if icon_id:
            # template_icon's scale counts icon widths of 20 px at scale 1: this many fill the panel's width.
            scale = panel_text.layout_width(context) / (20 * panel_text.interface_scale(context))
            layout.template_icon(icon_value=icon_id, scale=scale)
        panel_text.label_lines(layout, context, preview.status_line(scene))
        layout.operator("pixel_sprites.preview_show_image", text="Open in Image Editor", icon="IMAGE")


# Registered in this order: a list before the panels that show it, a parent panel before its children. The
# operators of the last run's buttons come with the panel that has them.
PANELS = (PIXEL_SPRITES_PT_main, PIXEL_SPRITES_PT_preview, *setting_panels.PANELS)
CLASSES = (*show_operators.CLASSES, *setting_panels.LISTS, *PANELS)
