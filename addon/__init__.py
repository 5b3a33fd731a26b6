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
    _pin_multiprocessing_main()
    from . import blender

    blender.register()


def _pin_multiprocessing_main() -> None:
    """Import ``multiprocessing`` now if Blender is starting up, never from inside a ``--python`` script.

    Its import points ``sys.modules["__mp_main__"]`` at the ``__main__`` of that moment, for good. Inside a
    ``--python`` script (whose ``__main__`` has a ``__file__``) that is a namespace Blender frees after the script,
    and ``addon_utils.disable_all()`` at exit crashes on it (SIGSEGV): so the add-on imports nothing that imports
    it (it works in threads in Blender). At start-up ``__main__`` is Blender's own, which lives until exit: pinning
    the alias to it then keeps a later script that imports it (scikit-learn does, through joblib) from crashing
    Blender's exit.
    """
    import sys

    main = sys.modules.get("__main__")
    if main is not None and getattr(main, "__file__", None) is None:
        import multiprocessing  # noqa: F401


def unregister() -> None:
    from . import blender

    blender.unregister()
