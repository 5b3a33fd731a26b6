"""The live preview: the current frame as the finished sprite, updated as the frame, the scene and the settings change.

Every change (an edit of the scene, a setting of the add-on, scrubbing) asks for an update; the update runs on the
main thread from a timer once no change has come for ``DEBOUNCE_SECONDS``, so dragging a bone or scrubbing the
timeline makes one update when it pauses, and no frame waits on a preview. A single frame change (a key, a click
on the timeline) is previewed at once, in its handler: Blender draws the new frame once, with the new sprite.

An update captures the frame at sprite size (FAST: drawn off-screen, ``preview_draw``; EXACT: rendered,
``preview_exact``), turned to the chosen facing, and finishes it as a run would (``engine.jobs.preview``). What it
changes in the scene (the pivot's turn, the render settings of EXACT) is given back before it returns, even after
an error, and the depsgraph updates those changes cause are evaluated then, under a guard, so that they ask for no
update of their own.

In background mode nothing here starts: no handler asks for an update and no preview image is made.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import bpy
from bpy.app.handlers import persistent

from ..engine import facings
from ..engine.errors import OptionError, PaletteFileError, SetupError
from ..engine.jobs.preview import THIS_FRAME, PreviewPalette, PreviewSprite, preview_sprite, saved_palette
from ..engine.palette.fit import PaletteSettings
from . import (
    handler_lists,
    image_editor,
    preview_draw,
    preview_exact,
    preview_image,
    preview_props,
    render_session,
    sprites,
)
from .preview_props import AS_SET_UP
from .render_size import sprite_resolution
from .scene_state import SceneState
from .sprite_set import top_parent, turn_pivot

DEBOUNCE_SECONDS = 0.05


@dataclass
class PreviewState:
    """What the panel shows of a scene's preview, and when it was last made (``time.perf_counter``)."""

    icon_id: int = 0
    status: str = ""
    updated: float = 0.0
    sprite: PreviewSprite | None = None


_states: dict[str, PreviewState] = {}
_due: dict[str, float] = {}  # scene name → when its update may run
_fitted: dict[str, tuple[PaletteSettings, PreviewPalette]] = {}  # a palette fitted on a frame, while none is saved
_updating = False
_last_at_once = 0.0  # when the last frame change previewed at once was done (time.perf_counter)


def state(scene: bpy.types.Scene) -> PreviewState:
    return _states.setdefault(scene.name, PreviewState())


def panel_icon_id(scene: bpy.types.Scene) -> int:
    """The preview's icon for ``template_icon``; 0 before the first preview."""
    return state(scene).icon_id if scene.pixel_sprites.live_preview else 0


def status_line(scene: bpy.types.Scene) -> str:
    """What the preview shows (size, quality, facing and palette), or why it shows nothing."""
    if not scene.pixel_sprites.live_preview:
        return ""
    return state(scene).status or "Updating…"


def settings_changed(scene: bpy.types.Scene | None) -> None:
    """A setting of the add-on changed: the live preview is updated, started or stopped."""
    if scene is None:
        return
    if scene.pixel_sprites.live_preview:
        request(scene)
    else:
        stop(scene)


def request(scene: bpy.types.Scene) -> None:
    """Ask for an update of ``scene``'s preview once no other change has come for ``DEBOUNCE_SECONDS``."""
    if bpy.app.background or _updating:
        return
    _due[scene.name] = time.perf_counter() + DEBOUNCE_SECONDS
    if not bpy.app.timers.is_registered(_run_due):
        bpy.app.timers.register(_run_due, first_interval=DEBOUNCE_SECONDS, persistent=True)


def stop(scene: bpy.types.Scene) -> None:
    """Live Preview off: no update waits, and no preview image is left."""
    _due.pop(scene.name, None)
    _states.pop(scene.name, None)
    _fitted.pop(scene.name, None)
    if not any(other.pixel_sprites.live_preview for other in bpy.data.scenes):
        preview_image.remove_image()


def _run_due() -> float | None:
    now = time.perf_counter()
    for name, due in list(_due.items()):
        if due > now:
            continue
        del _due[name]
        scene = bpy.data.scenes.get(name)
        if scene is not None and scene.pixel_sprites.live_preview:
            if _busy_rendering() or _timeline_moving():
                # After the render (its frames are not the preview's), or once scrubbing or playback pauses: no
                # frame of the timeline waits on a preview.
                _due[name] = now + DEBOUNCE_SECONDS
                continue
            update(scene)
    if not _due:
        return None
    return max(0.0, min(_due.values()) - time.perf_counter())


def _timeline_moving() -> bool:
    """Whether the timeline is being scrubbed or played in any window."""
    for window in getattr(bpy.context.window_manager, "windows", []):
        screen = window.screen
        if screen is not None and (getattr(screen, "is_scrubbing", False) or screen.is_animation_playing):
            return True
    return False


def _busy_rendering() -> bool:
    is_job_running = getattr(bpy.app, "is_job_running", None)
    rendering = bool(is_job_running("RENDER")) if is_job_running is not None else False
    return rendering or render_session.current is not None


def update(scene: bpy.types.Scene) -> PreviewState:
    """Make ``scene``'s preview of its current frame now; an error is shown in the status line, not raised."""
    global _updating
    shown = state(scene)
    _updating = True
    try:
        sprite = finished_sprite(scene)
    except (SetupError, OptionError, PaletteFileError, RuntimeError, ValueError) as error:
        shown.status = f"Error: {error}"
    else:
        shown.sprite = sprite
        preview_image.show_in_image(sprite.rgba)
        shown.icon_id = preview_image.show_in_icon(scene.name, sprite.rgba)
        shown.status = _described(scene, sprite)
    finally:
        _evaluate_own_changes()
        _updating = False
    shown.updated = time.perf_counter()
    _redraw()
    return shown


def finished_sprite(scene: bpy.types.Scene) -> PreviewSprite:
    """The current frame of ``scene`` as the finished sprite, at the chosen quality and facing: what the panel
    shows, and (EXACT) the very sprite Render Sprites writes for this frame with Render at Sprite Size on."""
    settings = scene.pixel_sprites
    job = settings.sprite_job(sprites.renders_folder(scene), frames_at_sprite_size=True)
    palette = saved_palette(job)
    with _turned_to_facing(scene) as mirrored:
        if settings.preview_quality == "EXACT":
            frame = preview_exact.render_sprite_size(scene)
        else:
            width, height = sprite_resolution(scene)
            frame = preview_draw.draw_sprite_size(scene, bpy.context, width, height)
    if palette is None:
        palette = _palette_fitted_before(scene.name, job.palette)
    sprite = preview_sprite(frame, job, palette=palette, mirrored=mirrored)
    if palette is None:
        _fitted[scene.name] = (job.palette, sprite.palette)
    return sprite


def _palette_fitted_before(scene_name: str, settings: PaletteSettings) -> PreviewPalette | None:
    """The palette fitted on an earlier preview frame with these settings: kept, so that frames do not each
    get a palette of their own."""
    fitted = _fitted.get(scene_name)
    return fitted[1] if fitted is not None and fitted[0] == settings else None


@contextmanager
def _turned_to_facing(scene: bpy.types.Scene) -> Iterator[bool]:
    """The pivot turned to the chosen facing (its rendered twin for a mirrored one) and given back afterwards;
    yields whether the sprite is then flipped."""
    settings = scene.pixel_sprites
    listed = {
        facing.name: facing
        for facing in facings(settings.directions, start=settings.start_facing, mirror=settings.mirror)
    }
    facing = listed.get(settings.preview_facing) if settings.preview_facing != AS_SET_UP else None
    if facing is None:
        yield False
        return
    active = bpy.context.view_layer.objects.active if bpy.context.view_layer else None
    pivot = settings.pivot_object or (top_parent(active) if active is not None else None)
    if pivot is None:
        raise SetupError("Facing: no pivot object to turn; choose one, or make the character's object active")
    rendered = [item for item in listed.values() if item.index == facing.mirror_of]
    angle = rendered[0].angle if rendered else facing.angle
    saved = SceneState.capture(scene, pivot, None)
    try:
        turn_pivot(pivot, saved, angle)
        bpy.context.view_layer.update()  # the off-screen draw shows the evaluated scene
        yield facing.mirror_of is not None
    finally:
        pivot.delta_rotation_euler = saved.delta_rotation_euler
        pivot.delta_rotation_quaternion = saved.delta_rotation_quaternion


def _evaluate_own_changes() -> None:
    """Evaluate the depsgraph now, while the guard is up: the updates the preview's own changes (and their undoing)
    cause are then handled as the preview's, instead of asking for another preview."""
    view_layer = bpy.context.view_layer
    if view_layer is not None:
        view_layer.update()


def _described(scene: bpy.types.Scene, sprite: PreviewSprite) -> str:
    settings = scene.pixel_sprites
    height, width = sprite.rgba.shape[:2]
    palette = sprite.palette
    source = "fitted on this frame (none saved yet)" if palette.source == THIS_FRAME else palette.source
    facing = "" if settings.preview_facing == AS_SET_UP else f" · {settings.preview_facing}"
    return f"{width}×{height}{facing} · palette {source}, {len(palette.palette)} colours"


def _redraw() -> None:
    for window in getattr(bpy.context.window_manager, "windows", []):
        for area in window.screen.areas:
            if area.type in ("VIEW_3D", "IMAGE_EDITOR"):
                area.tag_redraw()


@persistent
def _on_frame_change(scene: bpy.types.Scene, *_: object) -> None:
    """A frame change stepped to by hand is previewed at once, before Blender draws the new frame, so that the
    new sprite comes with that one redraw rather than needing a second; scrubbing, playing and frame changes in
    quick succession wait for the pause (``request``)."""
    global _last_at_once
    if not scene.pixel_sprites.live_preview or bpy.app.background or _updating:
        return
    if _busy_rendering():  # an animation render's frames: on the render thread, and not the preview's to show
        return
    if _timeline_moving() or time.perf_counter() - _last_at_once < DEBOUNCE_SECONDS:
        request(scene)
        return
    _due.pop(scene.name, None)
    update(scene)
    _last_at_once = time.perf_counter()


@persistent
def _on_depsgraph_update(scene: bpy.types.Scene, depsgraph: bpy.types.Depsgraph | None = None) -> None:
    if _updating or not scene.pixel_sprites.live_preview:
        return
    if depsgraph is not None and all(_is_preview_image(update.id) for update in depsgraph.updates):
        return
    request(scene)


def _is_preview_image(changed: bpy.types.ID) -> bool:
    return isinstance(changed, bpy.types.Image) and changed.name == preview_image.PREVIEW_IMAGE


@persistent
def _on_load_post(*_: object) -> None:
    """A .blend saved with Live Preview on starts it again when opened with a UI."""
    _states.clear()
    _fitted.clear()
    _due.clear()
    for scene in bpy.data.scenes:
        if scene.pixel_sprites.live_preview:
            request(scene)


class PIXEL_SPRITES_OT_preview_show_image(bpy.types.Operator):
    """Show the live preview's image in an Image Editor, zoomed to fit"""

    bl_idname = "pixel_sprites.preview_show_image"
    bl_label = "Open in Image Editor"

    def execute(self, context: bpy.types.Context) -> set[str]:
        image = bpy.data.images.get(preview_image.PREVIEW_IMAGE)
        if image is None:
            self.report({"ERROR"}, "No preview yet: turn Live Preview on")
            return {"CANCELLED"}
        if image_editor.show_image(context, image) is None:
            self.report({"ERROR"}, "No window to show an Image Editor in")
            return {"CANCELLED"}
        return {"FINISHED"}


HANDLERS = (
    (bpy.app.handlers.frame_change_post, _on_frame_change),
    (bpy.app.handlers.depsgraph_update_post, _on_depsgraph_update),
    (bpy.app.handlers.load_post, _on_load_post),
)
CLASSES = (PIXEL_SPRITES_OT_preview_show_image,)


def register() -> None:
    handler_lists.add(HANDLERS)
    if settings_changed not in preview_props.listeners:
        preview_props.listeners.append(settings_changed)


def unregister() -> None:
    handler_lists.remove(HANDLERS)
    if settings_changed in preview_props.listeners:
        preview_props.listeners.remove(settings_changed)
    if bpy.app.timers.is_registered(_run_due):
        bpy.app.timers.unregister(_run_due)
    _due.clear()
    preview_image.remove_icons()
    preview_draw.free_offscreen()
