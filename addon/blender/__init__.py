"""The Blender side of Pixel Sprites: settings, operators, panel and render handlers."""


def register() -> None:
    pass


def unregister() -> None:
    pass
