"""Showing an image in an Image Editor, and playing a sprite sequence there at its own rate.

The Image Editor is one the screen has; else where the user's preferences show renders (a new window, an area or
the full screen, as F11 does); else the largest other area of the window, turned into one. A sequence is played by
a timer that shows its sprites one after another, rather than by the timeline: the sprites of an action rendered
every Nth frame are numbered 1, 1+N, 1+2N…, which an image sequence following the scene's frame cannot play, and
the action's rate is not the scene's. The scene's frame is never moved.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import bpy

IMAGE_EDITOR = "IMAGE_EDITOR"
FIT_DELAY_SECONDS = 0.1  # a new Image Editor has its size once it has been drawn


def load_image(name: str, path: Path, *, sequence: bool = False) -> bpy.types.Image:
    """The image ``name`` reading ``path`` afresh (a sheet written again shows its new pixels); with ``sequence``,
    as the first of an image sequence."""
    image = bpy.data.images.get(name)
    if image is None:
        image = bpy.data.images.load(str(path), check_existing=False)
        image.name = name
    else:
        image.filepath = str(path)
    image.source = "SEQUENCE" if sequence else "FILE"
    image.reload()
    return image


def show_image(context: bpy.types.Context, image: bpy.types.Image) -> bpy.types.Area | None:
    """Show ``image`` in an Image Editor, zoomed to fit; the editor's area, or None without a window to show it."""
    area = _image_editor(context)
    if area is None:
        return None
    area.spaces.active.image = image
    area.tag_redraw()
    name = image.name
    bpy.app.timers.register(lambda: _fit_editors_showing(name), first_interval=FIT_DELAY_SECONDS)
    return area


def _image_editor(context: bpy.types.Context) -> bpy.types.Area | None:
    found = _existing_image_editor(context)
    if found is not None or context.window is None:
        return found
    preferences = context.preferences
    if not bpy.app.background and preferences is not None and preferences.view.render_display_type != "NONE":
        with contextlib.suppress(RuntimeError):  # no screen to open it from: an area is turned instead
            bpy.ops.render.view_show("INVOKE_DEFAULT")
        found = _existing_image_editor(context)
        if found is not None:
            return found
    return _turned_area(context)


def _windows(context: bpy.types.Context) -> list[bpy.types.Window]:
    """The context's window first, then the others."""
    others = [window for window in context.window_manager.windows if window != context.window]
    return [context.window, *others] if context.window is not None else others


def _existing_image_editor(context: bpy.types.Context) -> bpy.types.Area | None:
    """An Image Editor of an open window, the context's first: not a UV Editor, nor one whose image the user pinned."""
    found = (
        area
        for window in _windows(context)
        for area in window.screen.areas
        if area.type == IMAGE_EDITOR and area.ui_type == IMAGE_EDITOR and not area.spaces.active.use_image_pin
    )
    return next(found, None)


def _turned_area(context: bpy.types.Context) -> bpy.types.Area | None:
    """The largest area of the window that is neither the panel's own nor a 3D View, made an Image Editor."""
    areas = [area for area in context.window.screen.areas if area != context.area]
    candidates = [area for area in areas if area.type != "VIEW_3D"] or areas
    if not candidates:
        return None
    area = max(candidates, key=lambda item: item.width * item.height)
    area.type = IMAGE_EDITOR
    area.ui_type = IMAGE_EDITOR
    return area


def editors_showing(image_name: str) -> list[bpy.types.Area]:
    """Every Image Editor of an open window that shows the image ``image_name``."""
    return [area for _window, area in _windows_and_editors_showing(image_name)]


def _windows_and_editors_showing(image_name: str) -> list[tuple[bpy.types.Window, bpy.types.Area]]:
    return [
        (window, area)
        for window in bpy.context.window_manager.windows
        for area in window.screen.areas
        if area.type == IMAGE_EDITOR and area.spaces.active.image and area.spaces.active.image.name == image_name
    ]


def _fit_editors_showing(image_name: str) -> None:
    for window, area in _windows_and_editors_showing(image_name):
        region = next((item for item in area.regions if item.type == "WINDOW"), None)
        if region is None or region.width <= 1:
            continue
        try:
            with bpy.context.temp_override(window=window, area=area, region=region):
                bpy.ops.image.view_all(fit_view=True)
        except (RuntimeError, TypeError):  # a closed area, or a window without a screen yet: left as it is
            pass


@dataclass
class Playback:
    """The image sequence ``image_name`` playing the files numbered ``numbers``, ``interval`` seconds each."""

    image_name: str
    numbers: list[int]
    interval: float
    index: int = field(default=0)

    def show_current(self, areas: list[bpy.types.Area]) -> None:
        for area in areas:
            show_frame(area.spaces.active.image_user, self.numbers[self.index])
            area.tag_redraw()


_playing: list[Playback] = []


def show_frame(image_user: bpy.types.ImageUser, number: int) -> None:
    """Show the file numbered ``number`` of the user's image sequence, whatever the scene's frame.

    A sequence one image long, cyclic, shows image 1 + offset at every scene frame: Blender works the frame out
    again on frame changes and redraws, and finds this same one. Each setting is written only when it differs: some
    rebuild the scene's dependency graph, which is far too slow for every sprite.
    """
    for name, value in (
        ("frame_duration", 1),
        ("frame_start", 1),
        ("use_cyclic", True),
        ("use_auto_refresh", True),
        ("frame_offset", number - 1),
        ("frame_current", number),
    ):
        if getattr(image_user, name) != value:
            setattr(image_user, name, value)


def play(image: bpy.types.Image, numbers: list[int], rate: float) -> Playback:
    """Play the sequence ``image`` (its files numbered ``numbers``) at ``rate`` sprites a second, from the first,
    in every Image Editor showing it, until none does; a sequence played before stops."""
    playback = Playback(image.name, list(numbers), 1.0 / rate if rate > 0 else 1.0)
    _playing[:] = [playback]
    playback.show_current(editors_showing(image.name))
    if len(numbers) > 1 and not bpy.app.timers.is_registered(_next_sprite):
        bpy.app.timers.register(_next_sprite, first_interval=playback.interval)
    return playback


def playing() -> Playback | None:
    return _playing[0] if _playing else None


def _next_sprite() -> float | None:
    playback = playing()
    if playback is None or len(playback.numbers) < 2:
        return None
    areas = editors_showing(playback.image_name)
    if not areas:  # the editor shows another image, or was closed
        _playing.clear()
        return None
    playback.index = (playback.index + 1) % len(playback.numbers)
    playback.show_current(areas)
    return playback.interval


def stop() -> None:
    _playing.clear()
    if bpy.app.timers.is_registered(_next_sprite):
        bpy.app.timers.unregister(_next_sprite)
