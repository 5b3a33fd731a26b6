"""What the Game Data sub-panel draws: In Place, and the lists of points and boxes with the selected one's fields.

The sub-panel itself is declared with the other settings panels (``setting_panels``), which hands its way of
drawing a labelled field to :func:`draw_game_data`; this module knows nothing of the panels around it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import bpy

from . import panel_text

Field = Callable[..., None]
"""``setting_panels.labelled``: a label and a field on one row, as every settings panel draws them."""
FIELD_PIXELS = 64


def _point_shown(item: Any) -> tuple[str, str, str]:
    """A point's name in the outputs, where it comes from, and its icon."""
    if item.target is None:
        return item.name or "New point", "choose an object", "EMPTY_AXIS"
    bone = item.bone.strip()
    source = "/".join([item.target.name, *([bone] if bone else []), *(["tail"] if bone and item.tail else [])])
    return item.name.strip() or bone or item.target.name, source, "BONE_DATA" if bone else "EMPTY_AXIS"


def _box_shown(item: Any) -> tuple[str, str, str]:
    """A box's name in the outputs, where it comes from, and its icon."""
    source = item.target or item.collection
    if source is None:
        return item.name or "New box", "choose an object or a collection", "MESH_CUBE"
    icon = "OUTLINER_COLLECTION" if item.target is None else "MESH_CUBE"
    return item.name.strip() or source.name, source.name, icon


def _draw_row(layout: bpy.types.UILayout, shown: tuple[str, str, str]) -> None:
    name, source, icon = shown
    row = layout.row(align=True)
    row.label(text=name, icon=icon)
    greyed = row.row()
    greyed.active = False
    greyed.label(text=source)


class PIXEL_SPRITES_UL_rig_points(bpy.types.UIList):
    """The points: each one's name in the engine files, and the object, bone or bone tail it follows."""

    def draw_item(self, context, layout, data, item, icon, active_data, active_property, index=0, flt_flag=0):  # type: ignore[no-untyped-def]
        _draw_row(layout, _point_shown(item))


class PIXEL_SPRITES_UL_rig_boxes(bpy.types.UIList):
    """The boxes: each one's name in the engine files, and the object or collection it is."""

    def draw_item(self, context, layout, data, item, icon, active_data, active_property, index=0, flt_flag=0):  # type: ignore[no-untyped-def]
        _draw_row(layout, _box_shown(item))


def _draw_list(layout: bpy.types.UILayout, settings: Any, kind: str, collection: str, index: str) -> None:
    row = layout.row()
    row.template_list(f"PIXEL_SPRITES_UL_rig_{kind}", "", settings, collection, settings, index, rows=2)
    buttons = row.column(align=True)
    single = kind[:-1] if kind == "points" else "box"
    buttons.operator(f"pixel_sprites.rig_{single}_add", text="", icon="ADD")
    buttons.operator(f"pixel_sprites.rig_{single}_remove", text="", icon="REMOVE")


def _active(items: Any, index: int) -> Any:
    return items[index] if 0 <= index < len(items) else None


def _draw_name(layout: bpy.types.UILayout, context: bpy.types.Context, item: Any, own: str, field: Field) -> None:
    field(layout, context, item, "name", "Name", field=FIELD_PIXELS)
    if not item.name.strip() and own:
        panel_text.label_lines(layout, context, f"Empty: named {own}", greyed=True)


def _draw_point(layout: bpy.types.UILayout, context: bpy.types.Context, item: Any, field: Field) -> None:
    _draw_name(layout, context, item, _point_shown(item)[0] if item.target is not None else "", field)
    field(layout, context, item, "target", "Object", field=FIELD_PIXELS)
    if item.target is not None and item.target.type == "ARMATURE":
        layout.prop_search(item, "bone", item.target.data, "bones", text="Bone", icon="BONE_DATA")
        tail = layout.row()
        tail.active = bool(item.bone.strip())
        tail.prop(item, "tail", text="Tail (Bone's Tip)")
    elif item.target is not None:
        panel_text.label_lines(layout, context, "The object's origin: an armature's bones can be chosen", greyed=True)


def _draw_box(layout: bpy.types.UILayout, context: bpy.types.Context, item: Any, field: Field) -> None:
    source = item.target or item.collection
    _draw_name(layout, context, item, source.name if source is not None else "", field)
    field(layout, context, item, "target", "Object", field=FIELD_PIXELS)
    field(layout, context, item, "collection", "Or Collection", field=FIELD_PIXELS)


def draw_game_data(layout: bpy.types.UILayout, context: bpy.types.Context, field: Field) -> None:
    """In Place, then the points and the boxes, each list with its selected item's fields below it."""
    settings = context.scene.pixel_sprites
    layout.prop(settings, "in_place", text="In Place")
    layout.label(text="Points")
    _draw_list(layout, settings, "points", "rig_points", "rig_points_index")
    point = _active(settings.rig_points, settings.rig_points_index)
    if point is None:
        hint = "Empty: no points. + adds the selected bone, or the active Empty (a hand, a muzzle)"
        panel_text.label_lines(layout, context, hint, "INFO", greyed=True)
    else:
        _draw_point(layout.column(), context, point, field)
    layout.label(text="Boxes")
    _draw_list(layout, settings, "boxes", "rig_boxes", "rig_boxes_index")
    box = _active(settings.rig_boxes, settings.rig_boxes_index)
    if box is None:
        hint = "Empty: no boxes. + adds the active mesh: hit and hurt boxes, hidden from renders or not"
        panel_text.label_lines(layout, context, hint, "INFO", greyed=True)
    else:
        _draw_box(layout.column(), context, box, field)


LISTS = (PIXEL_SPRITES_UL_rig_points, PIXEL_SPRITES_UL_rig_boxes)
