"""Pixel Sprites: rendered frames to pixel-art sprites that share one palette.

This folder is both the Blender add-on (extension root together with
``blender_manifest.toml``) and the Python package ``pixel_sprites`` that the
command-line tool runs from. Only ``register``/``unregister`` touch Blender, so
importing the package works where ``bpy`` is not installed.
"""

# Read by Blender before 4.2, which loads this folder as a legacy add-on; extensions use the manifest.
bl_info = {
    "name": "Pixel Sprites",
    "author": "Pixel Sprites developers",
    "version": (0, 1, 0),
    "blender": (3, 4, 0),
    "location": "3D View > Sidebar > Sprites",
    "description": "Turn rendered frames into pixel-art sprites that share one palette",
    "category": "Render",
}


def register() -> None:
    from . import blender

    blender.register()


def unregister() -> None:
    from . import blender

    blender.unregister()
