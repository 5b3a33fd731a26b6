"""The Blender side of Pixel Sprites: settings, operators, panel and render handlers."""

from __future__ import annotations

import bpy

from . import farm, handlers, jobs, list_operators, normal_standby, operators, panels, preview, props

CLASSES = props.CLASSES + operators.CLASSES + list_operators.CLASSES + farm.CLASSES + preview.CLASSES + panels.CLASSES


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.Scene.pixel_sprites = bpy.props.PointerProperty(type=props.PIXEL_SPRITES_PG_settings)
    handlers.register()
    jobs.register()
    normal_standby.register()
    preview.register()


def unregister() -> None:
    preview.unregister()
    normal_standby.unregister()
    jobs.unregister()
    handlers.unregister()
    del bpy.types.Scene.pixel_sprites
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
