"""The FAST live preview: the scene drawn off-screen from its camera at sprite size, as a 3D View draws it.

The draw borrows an open 3D View for its settings. For the few milliseconds of the draw its overlays are off and
its shading is the one that looks like the render: Workbench's rendered mode (which shades with the scene's own
display shading, as Workbench's render does) or, for every other engine, Material Preview lit by the scene's
lights and world (EEVEE's look; Cycles is previewed the same way, which is fast). Everything changed is set back.
What that 3D View hides (local view, its object type filters, objects hidden in viewports) is missing here too.

Where the background goes differs between Blender's versions. Where ``draw_view3d`` takes ``draw_background``
(4.2 and newer), it leaves it out and the buffer holds straight alpha. Blender 3.4 always composites onto an
opaque black, so its alpha is lost; but the offscreen's depth buffer, which 3.4 lends the draw, still says where
an object was drawn, and the colours there are the straight display colours."""

from __future__ import annotations

from typing import Any

import bpy
import gpu
import numpy as np

from .render_size import temporarily

# Depth is cleared to the far plane; anything drawn is nearer.
FAR = 1.0

_offscreens: dict[tuple[int, int], gpu.types.GPUOffScreen] = {}


def draw_sprite_size(scene: bpy.types.Scene, context: bpy.types.Context, width: int, height: int) -> np.ndarray:
    """The scene drawn from its camera at ``width`` x ``height`` as uint8 RGBA, top row first.

    Straight alpha, 0 where no object was drawn; colours in display space, with the scene's view transform,
    as a PNG render of the scene holds them. Raises RuntimeError when it cannot draw: the scene has no camera,
    no window shows a 3D View, or the GPU cannot draw here (``blender -b``); ValueError for a size under 1.
    """
    if width < 1 or height < 1:
        raise ValueError(f"FAST preview: the size must be positive, got {width}x{height}")
    camera = scene.camera
    if camera is None:
        raise RuntimeError("FAST preview: the scene has no camera to draw from")
    space, region = _view3d(context)
    view_layer = context.view_layer if context.scene == scene else scene.view_layers[0]
    render = scene.render
    projection = camera.calc_matrix_camera(
        view_layer.depsgraph, x=width, y=height, scale_x=render.pixel_aspect_x, scale_y=render.pixel_aspect_y
    )
    offscreen = _offscreen(width, height)
    with temporarily(_shading_changes(space, render.engine)):
        view = camera.matrix_world.inverted()
        alpha_drawn = _draw(offscreen, scene, view_layer, space, region, view, projection)
    pixels = _as_array(offscreen.texture_color.read(), (height, width, 4))
    if not alpha_drawn:
        with offscreen.bind():
            framebuffer = gpu.state.active_framebuffer_get()
            depth = _as_array(framebuffer.read_depth(0, 0, width, height), (height, width))
        pixels = pixels.copy()
        pixels[..., 3] = np.where(depth < FAR, 255, 0)
    sprite = pixels[::-1].copy()  # GPU rows run bottom to top
    sprite[sprite[..., 3] == 0, :3] = 0  # as a render's transparent pixels
    return sprite


def free_offscreen() -> None:
    """Give back the offscreen kept between calls; the add-on's unregister calls this (Blender disables add-ons
    as it quits, and reports an offscreen still held then as leaked memory)."""
    for offscreen in _offscreens.values():
        offscreen.free()
    _offscreens.clear()


def _as_array(buffer: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A gpu Buffer as an array of ``shape``, its items in memory order.

    Blender 3.4's Buffer exports its rows in C order but reports Fortran strides: read as it says, the image
    comes out scrambled.
    """
    return np.asarray(buffer).ravel(order="K").reshape(shape)


def _view3d(context: bpy.types.Context) -> tuple[bpy.types.SpaceView3D, bpy.types.Region]:
    """An open 3D View and its main region: the context's own first, else the first of any window."""
    areas = []
    own = getattr(context, "area", None)
    if own is not None and own.type == "VIEW_3D":
        areas.append(own)
    window = getattr(context, "window", None)
    windows = list(context.window_manager.windows)
    if window is not None and window in windows:
        windows.insert(0, windows.pop(windows.index(window)))
    areas += [area for each in windows for area in each.screen.areas if area.type == "VIEW_3D"]
    for area in areas:
        region = next((region for region in area.regions if region.type == "WINDOW"), None)
        if region is not None:
            return area.spaces.active, region
    raise RuntimeError("FAST preview: no window shows a 3D View to draw with (Blender runs without its interface?)")


def _offscreen(width: int, height: int) -> gpu.types.GPUOffScreen:
    """The offscreen of this size, kept between calls: it holds the engines' viewport data, and EEVEE Next
    (4.2 and newer) takes far longer to draw into a new one than into the one it drew into before."""
    offscreen = _offscreens.get((width, height))
    if offscreen is None:
        free_offscreen()
        try:
            offscreen = gpu.types.GPUOffScreen(width, height)
        except Exception as error:  # SystemError in background mode, or before gpu.init() in a bpy module
            where = "Blender runs without its interface, and " if bpy.app.background else ""
            raise RuntimeError(f"FAST preview: {where}the GPU cannot draw here: {error}") from error
        _offscreens[(width, height)] = offscreen
    return offscreen


def _shading_changes(space: bpy.types.SpaceView3D, engine: str) -> list[tuple[Any, str, Any]]:
    shading = space.shading
    changes: list[tuple[Any, str, Any]] = [(space.overlay, "show_overlays", False)]
    if engine == "BLENDER_WORKBENCH":
        changes.append((shading, "type", "RENDERED"))
    else:
        changes += [
            (shading, "type", "MATERIAL"),
            (shading, "use_scene_lights", True),
            (shading, "use_scene_world", True),
            (shading, "render_pass", "COMBINED"),
        ]
    # Only real changes: each set tags the 3D View for a redraw.
    return [(owner, name, value) for owner, name, value in changes if getattr(owner, name, value) != value]


def _draw(
    offscreen: gpu.types.GPUOffScreen,
    scene: bpy.types.Scene,
    view_layer: bpy.types.ViewLayer,
    space: bpy.types.SpaceView3D,
    region: bpy.types.Region,
    view: Any,
    projection: Any,
) -> bool:
    """Draw colour-managed, leaving the background out where Blender can; True if the buffer holds the alpha."""
    arguments = (scene, view_layer, space, region, view, projection)
    try:
        try:
            offscreen.draw_view3d(*arguments, do_color_management=True, draw_background=False)
            return True
        except TypeError:  # 3.4 has no draw_background: it always draws an opaque background
            offscreen.draw_view3d(*arguments, do_color_management=True)
            return False
    except (SystemError, ValueError) as error:
        raise RuntimeError(f"FAST preview: the 3D View could not draw the scene: {error}") from error
