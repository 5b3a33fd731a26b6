"""The Sprites tab of the 3D View sidebar: a main panel with the actions and the last run, and sub-panels.

Sub-panels use Blender's split layout (label column, value column); labels are
kept short enough to read whole at the sidebar's default width.
"""

from __future__ import annotations

import bpy

from . import actions, jobs, render_session, sprite_set

SWATCHES_PER_ROW = 8
SKIPPED_SHOWN = 5


class _SpritesTab:
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Sprites"


class PIXEL_SPRITES_PT_main(_SpritesTab, bpy.types.Panel):
    bl_idname = "PIXEL_SPRITES_PT_main"
    bl_label = "Pixel Sprites"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        settings = context.scene.pixel_sprites
        layout.prop(settings, "enabled")
        running_set = render_session.current
        running = jobs.status()
        width = _characters_across(context)
        if running_set is not None or running is not None:
            row = layout.row()
            if running_set is not None:
                text, icon = f"Set: {running_set.status()}", "RENDER_ANIMATION"
            else:
                title, stage, done, total = running  # type: ignore[misc]
                text, icon = f"{title}: {stage} {done}/{total}", "TIME"
            lines = row.column(align=True)
            for number, line in enumerate(_wrapped(text, width - 4)):
                lines.label(text=line, icon=icon if number == 0 else "BLANK1")
            row.operator("pixel_sprites.cancel", text="", icon="CANCEL")
        else:
            column = layout.column(align=True)
            column.operator("pixel_sprites.render_set", icon="RENDER_ANIMATION")
            column.operator("pixel_sprites.render_sprites", icon="RENDER_ANIMATION")
            column.operator("pixel_sprites.process", icon="IMAGE_DATA")
            column.operator("pixel_sprites.process_render_result", icon="RENDER_STILL")
        if settings.last_summary:
            failed = settings.last_summary.startswith("Error")
            _label_lines(layout, settings.last_summary, width, "ERROR" if failed else "INFO")
        for item in list(settings.skipped)[:SKIPPED_SHOWN]:
            icon = "INFO" if item.note else "CANCEL"
            _label_lines(layout, f"{bpy.path.basename(item.path)}: {item.reason}", width, icon)
        if len(settings.skipped) > SKIPPED_SHOWN:
            _label_lines(layout, f"… and {len(settings.skipped) - SKIPPED_SHOWN} more (see the JSON report)", width)


# Blender's interface font at scale 1 averages about 7 px a character; labels also lose an icon and margins.
CHARACTER_PIXELS = 7.0
LABEL_MARGIN_PIXELS = 40


def _characters_across(context: bpy.types.Context) -> int:
    """How many characters a label holds in this sidebar, whatever its width and the interface scale."""
    scale = context.preferences.system.ui_scale if context.preferences else 1.0
    width = context.region.width if context.region else 220
    return max(12, int((width - LABEL_MARGIN_PIXELS * scale) / (CHARACTER_PIXELS * scale)))


def _label_lines(layout: bpy.types.UILayout, text: str, width: int, icon: str = "NONE") -> None:
    column = layout.column(align=True)
    for number, line in enumerate(_wrapped(text, width)):
        column.label(text=line, icon=icon if number == 0 else ("BLANK1" if icon != "NONE" else "NONE"))


def _wrapped(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters (longer words are split): Blender cuts a long label."""
    lines, line = [], ""
    for word in text.split():
        while len(word) > width:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


class _SubPanel(_SpritesTab):
    bl_parent_id = "PIXEL_SPRITES_PT_main"

    def draw(self, context: bpy.types.Context) -> None:
        self.layout.use_property_split = True
        self.layout.use_property_decorate = False
        self.draw_settings(self.layout, context.scene.pixel_sprites)

    def draw_settings(self, layout: bpy.types.UILayout, settings: bpy.types.PropertyGroup) -> None:
        raise NotImplementedError


class PIXEL_SPRITES_PT_sprite(_SubPanel, bpy.types.Panel):
    bl_idname = "PIXEL_SPRITES_PT_sprite"
    bl_label = "Sprite"

    def draw_settings(self, layout: bpy.types.UILayout, settings: bpy.types.PropertyGroup) -> None:
        layout.prop(settings, "size_mode", text="Size")
        if settings.size_mode == "SIZE":
            column = layout.column(align=True)
            column.prop(settings, "width")
            column.prop(settings, "height")
        else:
            layout.prop(settings, "pixel", text="Block")
        layout.prop(settings, "alpha_threshold", text="Alpha")
        sampling = layout.row()
        sampling.active = not settings.render_at_sprite_size  # sprite-size renders have no blocks to sample
        sampling.prop(settings, "sampling")
        layout.prop(settings, "render_at_sprite_size", text="Small Render")
        layout.prop(settings, "normal_maps")
        if settings.normal_maps:
            layout.prop(settings, "normal_y_down")


class PIXEL_SPRITES_PT_colours(_SubPanel, bpy.types.Panel):
    bl_idname = "PIXEL_SPRITES_PT_colours"
    bl_label = "Colours"

    def draw_settings(self, layout: bpy.types.UILayout, settings: bpy.types.PropertyGroup) -> None:
        layout.prop(settings, "method")
        if settings.method == "kmeans-lab":
            layout.prop(settings, "auto_colors", text="Automatic")
            if settings.auto_colors:
                layout.prop(settings, "tolerance")
                layout.prop(settings, "max_colors", text="Max")
            else:
                layout.prop(settings, "colors", text="Count")
        layout.prop(settings, "seed")
        layout.prop(settings, "target_palette", text="Target")
        layout.prop(settings, "indexed", text="Paletted")


class PIXEL_SPRITES_PT_cleanup(_SubPanel, bpy.types.Panel):
    """Pixel-art clean-up once the colours are final: stray pixels, and a one-pixel outline."""

    bl_idname = "PIXEL_SPRITES_PT_cleanup"
    bl_label = "Clean-up"
    bl_options = {"DEFAULT_CLOSED"}

    def draw_settings(self, layout: bpy.types.UILayout, settings: bpy.types.PropertyGroup) -> None:
        layout.prop(settings, "cleanup")
        layout.prop(settings, "inner_lines")
        layout.prop(settings, "outline")
        colour = layout.row()
        # selout shades from the palette, adding none; inner lines take the outline colour
        colour.active = settings.outline in ("outer", "inner") or settings.inner_lines
        colour.prop(settings, "outline_colour", text="Colour")
        neighbours = layout.row()
        neighbours.active = settings.outline != "none"
        neighbours.prop(settings, "outline_neighbours", text="Neighbours", expand=True)


class PIXEL_SPRITES_UL_actions(bpy.types.UIList):
    """The set's actions: a check box, the action and its frames."""

    def draw_item(self, context, layout, data, item, icon, active_data, active_property, index=0, flt_flag=0):  # type: ignore[no-untyped-def]
        row = layout.row(align=True)
        row.prop(item, "enabled", text="")
        row.label(text=item.action.name if item.action else sprite_set.DEFAULT_ACTION, icon="ACTION")
        step = f" /{item.frame_step}" if item.frame_step > 1 else ""
        if item.use_action_range and item.action is not None:
            start, end = actions.frame_range(item.action)
        elif item.use_action_range:
            start, end = context.scene.frame_start, context.scene.frame_end
        else:
            start, end = item.frame_start, item.frame_end
        row.label(text=f"{start}-{end}{step}")


class PIXEL_SPRITES_PT_set(_SubPanel, bpy.types.Panel):
    bl_idname = "PIXEL_SPRITES_PT_set"
    bl_label = "Directions & Actions"

    def draw_settings(self, layout: bpy.types.UILayout, settings: bpy.types.PropertyGroup) -> None:
        layout.prop(settings, "directions")
        layout.prop(settings, "start_facing", text="Faces")
        layout.prop(settings, "mirror")
        layout.prop(settings, "pivot_object", text="Pivot")
        layout.prop(settings, "animated_object", text="Animated")
        layout.use_property_split = False
        row = layout.row()
        row.template_list(
            "PIXEL_SPRITES_UL_actions", "", settings, "set_actions", settings, "active_set_action", rows=3
        )
        buttons = row.column(align=True)
        buttons.operator("pixel_sprites.action_add", text="", icon="ADD")
        buttons.operator("pixel_sprites.action_remove", text="", icon="REMOVE")
        buttons.operator("pixel_sprites.actions_from_file", text="", icon="IMPORT")
        if not settings.set_actions:
            _label_lines(layout, "Empty: the scene's animation, as one action 'default'", 24, "INFO")
        elif 0 <= settings.active_set_action < len(settings.set_actions):
            entry = settings.set_actions[settings.active_set_action]
            layout.use_property_split = True
            layout.prop(entry, "action")
            layout.prop(entry, "use_action_range", text="Own Range")
            if not entry.use_action_range:
                column = layout.column(align=True)
                column.prop(entry, "frame_start")
                column.prop(entry, "frame_end")
            layout.prop(entry, "frame_step", text="Step")
            layout.prop(entry, "loop")


class PIXEL_SPRITES_PT_output(_SubPanel, bpy.types.Panel):
    bl_idname = "PIXEL_SPRITES_PT_output"
    bl_label = "Output"

    def draw_settings(self, layout: bpy.types.UILayout, settings: bpy.types.PropertyGroup) -> None:
        layout.prop(settings, "source_folder", text="Renders")
        layout.prop(settings, "output_folder", text="Sprites")
        layout.prop(settings, "make_sheets")
        if settings.make_sheets:
            row = layout.row(align=True)
            row.prop(settings, "sheet_layout")
            row.prop(settings, "sheet_packed")
            if settings.sheet_packed:
                layout.prop(settings, "sheet_extrude", text="Extrude")
            layout.prop(settings, "max_sheet_size", text="Max Size")
            layout.prop(settings, "sheet_padding", text="Padding")
            layout.prop(settings, "sheet_margin", text="Margin")
            layout.prop(settings, "sheet_rgba", text="RGBA")
            layout.label(text="Palette Variants")
            row = layout.row()
            row.template_list(
                "PIXEL_SPRITES_UL_variants",
                "",
                settings,
                "palette_variants",
                settings,
                "active_palette_variant",
                rows=2,
            )
            buttons = row.column(align=True)
            buttons.operator("pixel_sprites.variant_add", text="", icon="ADD")
            buttons.operator("pixel_sprites.variant_remove", text="", icon="REMOVE")


class PIXEL_SPRITES_UL_variants(bpy.types.UIList):
    """The palette variants: a name and a palette file each (entry i of the file replaces palette entry i)."""

    def draw_item(self, context, layout, data, item, icon, active_data, active_property, index=0, flt_flag=0):  # type: ignore[no-untyped-def]
        row = layout.row(align=True)
        row.prop(item, "name", text="", emboss=False, icon="COLOR")
        row.prop(item, "file", text="")


class PIXEL_SPRITES_PT_character(_SubPanel, bpy.types.Panel):
    bl_idname = "PIXEL_SPRITES_PT_character"
    bl_label = "Character"

    def draw_settings(self, layout: bpy.types.UILayout, settings: bpy.types.PropertyGroup) -> None:
        layout.prop(settings, "character", text="Name")
        row = layout.row(align=True)
        row.operator("pixel_sprites.fit_palette", icon="COLOR")
        row.operator(
            "pixel_sprites.lock_palette",
            text="Unlock" if settings.palette_locked else "Lock",
            icon="LOCKED" if settings.palette_locked else "UNLOCKED",
        )
        if settings.palette:
            layout.label(text=f"Palette: {len(settings.palette)} colours")
            grid = layout.grid_flow(row_major=True, columns=SWATCHES_PER_ROW, even_columns=True, align=True)
            for item in settings.palette:
                grid.prop(item, "color", text="")


CLASSES = (
    PIXEL_SPRITES_UL_actions,
    PIXEL_SPRITES_UL_variants,
    PIXEL_SPRITES_PT_main,
    PIXEL_SPRITES_PT_sprite,
    PIXEL_SPRITES_PT_colours,
    PIXEL_SPRITES_PT_cleanup,
    PIXEL_SPRITES_PT_set,
    PIXEL_SPRITES_PT_output,
    PIXEL_SPRITES_PT_character,
)
