"""The sub-panels of settings below the main panel. All but Sprite are closed by default, so that the tab opens with
the first steps only; inside them, the settings changed least are in child panels, closed too.

Each setting takes one row, its label on the left, as in Blender's split layout; but where that layout gives labels a
fixed 40 % of the width (about eleven characters in the sidebar at its default width), a label here takes what it
needs, measured, so that labels that say what they are ("Colour Tolerance (ΔE)") are read whole. A label too long to
leave its field room goes on a line above it. Check boxes carry their label beside the box.
"""

from __future__ import annotations

import bpy

from . import actions, game_data_panel, job_outline, panel_text, sprite_set, sprites
from .render_size import sprite_resolution

SWATCHES_PER_ROW = 8
# At scale 1: the least a field keeps beside its label (paths, which need the width, have their label above).
NUMBER_FIELD_PIXELS = 40
MENU_FIELD_PIXELS = 64


class SpritesTab:
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Sprites"


class SubPanel(SpritesTab):
    bl_parent_id = "PIXEL_SPRITES_PT_main"

    def draw(self, context: bpy.types.Context) -> None:
        self.draw_settings(self.layout, context)

    def draw_settings(self, layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
        raise NotImplementedError


def labelled(
    layout: bpy.types.UILayout,
    context: bpy.types.Context,
    data: object,
    name: str,
    label: str,
    *,
    after: str = "",
    field: float = NUMBER_FIELD_PIXELS,
    above: bool = False,
    **options: object,
) -> None:
    """``label``, the field of ``data.name`` and the text ``after`` it on one row, the texts as wide as they are,
    where the field keeps ``field`` pixels (at scale 1); else, or ``above``, the label on a line above the field."""
    scale = panel_text.interface_scale(context)
    measure = panel_text.measure(context)
    width = panel_text.layout_width(context)
    label_pixels = measure(label) + panel_text.TEXT_MARGIN_PIXELS * scale
    after_pixels = measure(after) + panel_text.TEXT_MARGIN_PIXELS * scale if after else 0.0
    if not above and width - label_pixels - after_pixels >= field * scale:
        row = layout.split(factor=label_pixels / width)
        row.label(text=label)
    else:
        row = layout.column(align=True)
        row.label(text=label)
        label_pixels = 0.0
    if after:
        row = row.split(factor=1 - after_pixels / (width - label_pixels))
    if options.get("expand"):  # each choice a button named by it, side by side
        row.row(align=True).prop(data, name, **options)
    else:
        row.prop(data, name, text="", **options)
    if after:
        row.label(text=after)


def folder_field(layout: bpy.types.UILayout, context: bpy.types.Context, name: str, label: str, fallback: str) -> None:
    """A folder field; empty, a greyed line under it says which folder it stands for."""
    settings = context.scene.pixel_sprites
    labelled(layout, context, settings, name, label, above=True)
    if not getattr(settings, name):
        panel_text.label_lines(layout, context, f"Empty: {fallback}", greyed=True)


class PIXEL_SPRITES_PT_sprite(SubPanel, bpy.types.Panel):
    bl_idname = "PIXEL_SPRITES_PT_sprite"
    bl_label = "Sprite"

    def draw_settings(self, layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
        settings = context.scene.pixel_sprites
        layout.row().prop(settings, "size_mode", expand=True)
        if settings.size_mode == "SIZE":
            labelled(layout, context, settings, "width", "Width (px)")
            labelled(layout, context, settings, "height", "Height (px)")
        else:
            width, height = sprite_resolution(context.scene)
            labelled(layout, context, settings, "pixel", "Pixel Size (px)", after=f"→ {width}×{height}")
        labelled(layout, context, settings, "alpha_threshold", "Alpha Threshold")
        layout.prop(settings, "render_at_sprite_size", text="Render at Sprite Size")
        sampling = layout.column()
        sampling.active = not settings.render_at_sprite_size  # sprite-size renders have no blocks to sample
        labelled(sampling, context, settings, "sampling", "Sampling", field=MENU_FIELD_PIXELS)
        if settings.render_at_sprite_size:
            panel_text.label_lines(
                layout, context, "Sampling is unused: Render at Sprite Size renders each sprite pixel once", greyed=True
            )
        layout.prop(settings, "stabilise", text="Steady Colours")
        layout.prop(settings, "normal_maps", text="Normal Maps")
        if settings.normal_maps:
            layout.prop(settings, "normal_y_down", text="Y Down (DirectX)")


class PIXEL_SPRITES_PT_colours(SubPanel, bpy.types.Panel):
    bl_idname = "PIXEL_SPRITES_PT_colours"
    bl_label = "Colours"
    bl_options = {"DEFAULT_CLOSED"}

    def draw_settings(self, layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
        settings = context.scene.pixel_sprites
        if settings.method == "kmeans-lab":
            layout.prop(settings, "auto_colors", text="Automatic Colour Count")
            if settings.auto_colors:
                labelled(layout, context, settings, "tolerance", "Colour Tolerance (ΔE)")
                labelled(layout, context, settings, "max_colors", "Max Colours")
            else:
                labelled(layout, context, settings, "colors", "Colours")
        labelled(layout, context, settings, "target_palette", "Target Palette", above=True)
        layout.prop(settings, "indexed", text="Paletted PNG")


class PIXEL_SPRITES_PT_palette_fitting(SpritesTab, bpy.types.Panel):
    """How the palette is fitted: settings for comparing methods and for reproducing a palette."""

    bl_idname = "PIXEL_SPRITES_PT_palette_fitting"
    bl_label = "Palette Fitting"
    bl_parent_id = "PIXEL_SPRITES_PT_colours"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        settings = context.scene.pixel_sprites
        labelled(self.layout, context, settings, "method", "Method", field=MENU_FIELD_PIXELS)
        labelled(self.layout, context, settings, "seed", "Seed")


class PIXEL_SPRITES_PT_cleanup(SubPanel, bpy.types.Panel):
    """Pixel-art clean-up once the colours are final: stray pixels, and a one-pixel outline."""

    bl_idname = "PIXEL_SPRITES_PT_cleanup"
    bl_label = "Clean-up"
    bl_options = {"DEFAULT_CLOSED"}

    def draw_settings(self, layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
        settings = context.scene.pixel_sprites
        layout.prop(settings, "cleanup", text="Clean Up")
        layout.prop(settings, "inner_lines", text="Inner Lines")
        labelled(layout, context, settings, "outline", "Outline", field=MENU_FIELD_PIXELS)
        colour = layout.column()
        # selout shades from the palette, adding none; inner lines take the outline colour
        colour.active = settings.outline in ("outer", "inner") or settings.inner_lines
        labelled(colour, context, settings, "outline_colour", "Outline Colour", field=MENU_FIELD_PIXELS)
        neighbours = layout.column()
        neighbours.active = settings.outline != "none"
        labelled(
            neighbours, context, settings, "outline_neighbours", "Neighbours", field=MENU_FIELD_PIXELS, expand=True
        )


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


class PIXEL_SPRITES_PT_set(SubPanel, bpy.types.Panel):
    bl_idname = "PIXEL_SPRITES_PT_set"
    bl_label = "Directions & Actions"
    bl_options = {"DEFAULT_CLOSED"}

    def draw_settings(self, layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
        settings = context.scene.pixel_sprites
        labelled(layout, context, settings, "directions", "Directions")
        layout.prop(settings, "mirror", text="Mirror Facings")
        row = layout.row()
        row.template_list(
            "PIXEL_SPRITES_UL_actions", "", settings, "set_actions", settings, "active_set_action", rows=3
        )
        buttons = row.column(align=True)
        buttons.operator("pixel_sprites.action_add", text="", icon="ADD")
        buttons.operator("pixel_sprites.action_remove", text="", icon="REMOVE")
        buttons.operator("pixel_sprites.actions_from_file", text="", icon="IMPORT")
        if not settings.set_actions:
            panel_text.label_lines(
                layout, context, "Empty: the scene's animation, as one action 'default'", "INFO", greyed=True
            )
        elif 0 <= settings.active_set_action < len(settings.set_actions):
            entry = settings.set_actions[settings.active_set_action]
            labelled(layout, context, entry, "action", "Action", field=MENU_FIELD_PIXELS)
            layout.prop(entry, "use_action_range", text="Action's Frame Range")
            if not entry.use_action_range:
                labelled(layout, context, entry, "frame_start", "Start")
                labelled(layout, context, entry, "frame_end", "End")
            labelled(layout, context, entry, "frame_step", "Frame Step")
            layout.prop(entry, "loop", text="Loop")
        outline = job_outline.render_set(context.scene)
        if outline is not None:
            panel_text.label_lines(layout, context, outline.line(), greyed=True)
        button = layout.row()
        button.scale_y = 1.25
        button.operator("pixel_sprites.render_set", icon="ORIENTATION_GIMBAL")


class PIXEL_SPRITES_PT_pivot(SpritesTab, bpy.types.Panel):
    """What turns and what plays: needed only where the active object is not the character's."""

    bl_idname = "PIXEL_SPRITES_PT_pivot"
    bl_label = "Pivot & Facing"
    bl_parent_id = "PIXEL_SPRITES_PT_set"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        settings = context.scene.pixel_sprites
        layout = self.layout
        labelled(layout, context, settings, "start_facing", "Facing as Set Up", field=MENU_FIELD_PIXELS)
        labelled(layout, context, settings, "pivot_object", "Pivot", field=MENU_FIELD_PIXELS)
        if settings.pivot_object is None:
            panel_text.label_lines(layout, context, "Empty: the active object's top parent", greyed=True)
        labelled(layout, context, settings, "animated_object", "Animated Object", field=MENU_FIELD_PIXELS)
        if settings.animated_object is None:
            panel_text.label_lines(layout, context, "Empty: the active object", greyed=True)


class PIXEL_SPRITES_PT_game_data(SpritesTab, bpy.types.Panel):
    """Points, boxes and root motion for the game, frame by frame, projected from the rig as the set renders."""

    bl_idname = "PIXEL_SPRITES_PT_game_data"
    bl_label = "Game Data"
    bl_parent_id = "PIXEL_SPRITES_PT_set"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        game_data_panel.draw_game_data(self.layout, context, labelled)


class PIXEL_SPRITES_PT_output(SubPanel, bpy.types.Panel):
    bl_idname = "PIXEL_SPRITES_PT_output"
    bl_label = "Output"
    bl_options = {"DEFAULT_CLOSED"}

    def draw_settings(self, layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
        scene = context.scene
        settings = scene.pixel_sprites
        renders = sprites.renders_folder(scene)
        folder_field(layout, context, "source_folder", "Renders Folder", panel_text.shown_folder(renders))
        sprites_folder = settings.output_folder_for(renders)
        folder_field(layout, context, "output_folder", "Sprites Folder", panel_text.shown_folder(sprites_folder))
        layout.prop(settings, "make_sheets", text="Sheets")


class PIXEL_SPRITES_PT_sheet_layout(SpritesTab, bpy.types.Panel):
    bl_idname = "PIXEL_SPRITES_PT_sheet_layout"
    bl_label = "Sheet Layout"
    bl_parent_id = "PIXEL_SPRITES_PT_output"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        settings = context.scene.pixel_sprites
        layout = self.layout.column()
        layout.active = settings.make_sheets
        labelled(layout, context, settings, "sheet_layout", "Layout", field=MENU_FIELD_PIXELS)
        layout.prop(settings, "sheet_packed", text="Packed")
        if settings.sheet_packed:
            labelled(layout, context, settings, "sheet_extrude", "Extrude (px)")
        labelled(layout, context, settings, "max_sheet_size", "Max Sheet Size (px)")
        labelled(layout, context, settings, "sheet_padding", "Padding (px)")
        labelled(layout, context, settings, "sheet_margin", "Margin (px)")
        layout.prop(settings, "sheet_rgba", text="RGBA Sheets")


class PIXEL_SPRITES_UL_variants(bpy.types.UIList):
    """The palette variants: a name and a palette file each (entry i of the file replaces palette entry i)."""

    def draw_item(self, context, layout, data, item, icon, active_data, active_property, index=0, flt_flag=0):  # type: ignore[no-untyped-def]
        row = layout.row(align=True)
        row.prop(item, "name", text="", emboss=False, icon="COLOR")
        row.prop(item, "file", text="")


class PIXEL_SPRITES_PT_variants(SpritesTab, bpy.types.Panel):
    """Recoloured copies of every sheet: a name and a palette file each."""

    bl_idname = "PIXEL_SPRITES_PT_variants"
    bl_label = "Palette Variants"
    bl_parent_id = "PIXEL_SPRITES_PT_output"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        settings = context.scene.pixel_sprites
        row = self.layout.row()
        row.active = settings.make_sheets
        row.template_list(
            "PIXEL_SPRITES_UL_variants", "", settings, "palette_variants", settings, "active_palette_variant", rows=2
        )
        buttons = row.column(align=True)
        buttons.operator("pixel_sprites.variant_add", text="", icon="ADD")
        buttons.operator("pixel_sprites.variant_remove", text="", icon="REMOVE")


class PIXEL_SPRITES_PT_character(SubPanel, bpy.types.Panel):
    bl_idname = "PIXEL_SPRITES_PT_character"
    bl_label = "Character"
    bl_options = {"DEFAULT_CLOSED"}

    def draw_settings(self, layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
        settings = context.scene.pixel_sprites
        labelled(layout, context, settings, "character", "Character", field=MENU_FIELD_PIXELS)
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


LISTS = (PIXEL_SPRITES_UL_actions, PIXEL_SPRITES_UL_variants, *game_data_panel.LISTS)
# In the order they are drawn: a child panel follows its parent.
PANELS = (
    PIXEL_SPRITES_PT_sprite,
    PIXEL_SPRITES_PT_colours,
    PIXEL_SPRITES_PT_palette_fitting,
    PIXEL_SPRITES_PT_cleanup,
    PIXEL_SPRITES_PT_set,
    PIXEL_SPRITES_PT_pivot,
    PIXEL_SPRITES_PT_game_data,
    PIXEL_SPRITES_PT_output,
    PIXEL_SPRITES_PT_sheet_layout,
    PIXEL_SPRITES_PT_variants,
    PIXEL_SPRITES_PT_character,
)
