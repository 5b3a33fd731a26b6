"""Operators of the Sprites panel. Each reads the scene settings and hands the work to the engine."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import bpy

from ..engine import discover_frames
from ..engine.errors import SetupError
from . import actions, handlers, job_outline, jobs, render_session, sprite_set, sprites
from .job_outline import JobOutline
from .normal_pass import NormalRenders
from .render_size import sprite_size_render_settings


def _renders_folder(context: bpy.types.Context) -> tuple[Path, bool]:
    """The folder the panel's operators work on, and whether its frames are already at sprite size.

    That is the Renders Folder setting if given, else where Render Sprites writes: the render output folder,
    or its ``sprite_size/`` folder with Render at Sprite Size, so that Fit and Lock Palette act on the
    character the next render updates.
    """
    settings = context.scene.pixel_sprites
    if settings.source_folder:
        return Path(bpy.path.abspath(settings.source_folder)), False
    return sprites.renders_folder(context.scene), settings.render_at_sprite_size


def _report_job(
    operator: bpy.types.Operator, context: bpy.types.Context, started: str, *, failure: str = "ERROR"
) -> None:
    """In background mode the job has run by now: report its outcome. With a UI it has only started.

    A ``failure`` level of ERROR makes the operator call raise in a Python caller; WARNING does not.
    """
    summary = context.scene.pixel_sprites.last_summary
    if jobs.runs_at_once() and summary:
        operator.report({failure} if summary.startswith("Error") else {"INFO"}, summary)
    else:
        operator.report({"INFO"}, started)


def _invoke(
    operator: bpy.types.Operator, context: bpy.types.Context, event: bpy.types.Event, outline: JobOutline | None
) -> set[str]:
    """Run the operator, after asking whether to when its job is large and it was started from the UI."""
    result: set[str]
    if bpy.app.background or outline is None or not outline.needs_confirmation:
        result = set(operator.execute(context))
        return result
    manager = context.window_manager
    try:  # Blender 4.1 and later say in the popup what is confirmed
        result = set(manager.invoke_confirm(operator, event, title=operator.bl_label, message=outline.line()))
    except TypeError:
        result = set(manager.invoke_confirm(operator, event))
    return result


class PIXEL_SPRITES_OT_process(bpy.types.Operator):
    """Make sprites from the renders already in the renders folder, with the character's shared palette"""

    bl_idname = "pixel_sprites.process"
    bl_label = "Process Renders"

    def execute(self, context: bpy.types.Context) -> set[str]:
        folder, at_sprite_size = _renders_folder(context)
        settings = context.scene.pixel_sprites
        problem = sprites.settings_problem(context.scene)
        if problem:
            self.report({"ERROR"}, problem)
            return {"CANCELLED"}
        try:
            # Blender writes an animation's frames into one folder; its subfolders hold other outputs.
            found = discover_frames([folder], exclude=[settings.output_folder_for(folder)], recursive=False)
        except SetupError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        if not found:
            self.report({"ERROR"}, f"No PNG renders in {folder}")
            return {"CANCELLED"}
        sprites.start_update(
            context.scene,
            [frame.path for frame in found],
            title="Processing renders",
            frames_at_sprite_size=at_sprite_size,
        )
        _report_job(self, context, f"Processing {len(found)} renders in the background")
        return {"FINISHED"}


class PIXEL_SPRITES_OT_fit_palette(bpy.types.Operator):
    """Fit the character's palette over its frames and the renders folder, and save it"""

    bl_idname = "pixel_sprites.fit_palette"
    bl_label = "Fit Palette"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        refusal = sprites.fit_refusal(context.scene) if context.scene is not None else "No scene"
        if refusal and hasattr(cls, "poll_message_set"):
            cls.poll_message_set(refusal)  # the greyed-out button's tooltip says why
        return refusal is None

    def execute(self, context: bpy.types.Context) -> set[str]:
        folder, at_sprite_size = _renders_folder(context)
        try:
            sprites.start_fit(context.scene, folder, frames_at_sprite_size=at_sprite_size)
        except SetupError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        _report_job(self, context, "Fitting the palette in the background")
        return {"FINISHED"}


class PIXEL_SPRITES_OT_lock_palette(bpy.types.Operator):
    """Lock the saved palette so new frames use it unchanged, or unlock it to refit"""

    bl_idname = "pixel_sprites.lock_palette"
    bl_label = "Lock Palette"

    def execute(self, context: bpy.types.Context) -> set[str]:
        settings = context.scene.pixel_sprites
        if settings.palette_locked:
            settings.palette_locked = False
            self.report({"INFO"}, "Palette unlocked: the next run refits it")
            return {"FINISHED"}
        try:
            character = sprites.character_of(context.scene, _renders_folder(context)[0])
        except SetupError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        if not character.palette_path.is_file():
            self.report({"ERROR"}, f"No saved palette at {character.palette_path}: fit or process first")
            return {"CANCELLED"}
        settings.palette_locked = True
        self.report({"INFO"}, f"Palette locked: {character.palette_path}")
        return {"FINISHED"}


class PIXEL_SPRITES_OT_cancel(bpy.types.Operator):
    """Stop the running sprite job, or the sprite set after the render in progress; what is written is kept"""

    bl_idname = "pixel_sprites.cancel"
    bl_label = "Cancel"

    def execute(self, context: bpy.types.Context) -> set[str]:
        if not (sprite_set.cancel() | jobs.cancel()):
            self.report({"INFO"}, "Nothing is running")
        return {"FINISHED"}


class PIXEL_SPRITES_OT_render_set(bpy.types.Operator):
    """Render every checked action from every facing, then make their sprites with one palette, and the sheets"""

    bl_idname = "pixel_sprites.render_set"
    bl_label = "Render Sprite Set"

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        return _invoke(self, context, event, job_outline.render_set(context.scene))

    def execute(self, context: bpy.types.Context) -> set[str]:
        scene = context.scene
        if render_session.current is not None or jobs.status() is not None:
            self.report({"ERROR"}, "A sprite job is running: wait for it or cancel it")
            return {"CANCELLED"}
        if sprite_set.render_job_running():
            self.report({"ERROR"}, "A render is running: wait for it to finish")
            return {"CANCELLED"}
        try:
            set_plan = sprite_set.plan(scene)
        except SetupError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        run = sprite_set.SetRender(scene, set_plan)
        if not jobs.runs_at_once():
            run.start()
            self.report({"INFO"}, f"Rendering the sprite set: {len(set_plan.steps)} animations")
            return {"FINISHED"}
        try:
            run.run_here()
        except RuntimeError as error:  # a render that failed (no camera, ...); the scene is restored
            summary = sprites.store_result(scene.name, None, f"Render Sprite Set: {error}")
            self.report({"ERROR"}, summary)
            return {"CANCELLED"}
        _report_job(self, context, "Rendered the sprite set", failure="WARNING")
        return {"FINISHED"}


class PIXEL_SPRITES_OT_actions_from_file(bpy.types.Operator):
    """Add every action of this file that animates the pivot's hierarchy and is not in the list yet"""

    bl_idname = "pixel_sprites.actions_from_file"
    bl_label = "Add All Actions"
    bl_options = {"UNDO"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        settings = context.scene.pixel_sprites
        pivot = settings.pivot_object or (
            sprite_set.top_parent(context.active_object) if context.active_object else None
        )
        if pivot is None:
            self.report({"ERROR"}, "Pivot: choose a pivot object, or make the character's object active")
            return {"CANCELLED"}
        within = list(actions.hierarchy(pivot))
        listed = {entry.action for entry in settings.set_actions}
        added = 0
        for action in sorted(bpy.data.actions, key=lambda item: item.name):
            if action not in listed and actions.animates_anything(action, within):
                settings.set_actions.add().action = action
                added += 1
        self.report({"INFO"}, f"Added {added} actions")
        return {"FINISHED"}


class PIXEL_SPRITES_OT_process_render_result(bpy.types.Operator):
    """Save the current Render Result (a still is not saved by Blender) beside the renders and make its sprite"""

    bl_idname = "pixel_sprites.process_render_result"
    bl_label = "Process Render Result"

    def execute(self, context: bpy.types.Context) -> set[str]:
        result = bpy.data.images.get("Render Result")
        if result is None:
            self.report({"ERROR"}, "No Render Result: render an image first (F12)")
            return {"CANCELLED"}
        settings = context.scene.pixel_sprites
        # A still from F12 is full size whatever Render at Sprite Size says; that applies to Render Sprites.
        if settings.source_folder:
            folder = Path(bpy.path.abspath(settings.source_folder))
        else:
            folder = Path(context.scene.render.frame_path(frame=context.scene.frame_start)).parent
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"still_{context.scene.frame_current:04d}.png"
        index = 1
        while path.exists():  # never replace an earlier render
            path = folder / f"still_{context.scene.frame_current:04d}_{index}.png"
            index += 1
        image_settings = context.scene.render.image_settings
        previous = (image_settings.file_format, image_settings.color_mode)
        image_settings.file_format, image_settings.color_mode = "PNG", "RGBA"
        try:
            result.save_render(filepath=str(path), scene=context.scene)
        except RuntimeError as error:
            self.report({"ERROR"}, f"The Render Result could not be saved: render an image first (F12) ({error})")
            return {"CANCELLED"}
        finally:
            image_settings.file_format, image_settings.color_mode = previous
        sprites.start_update(context.scene, [path], title="Processing render result")
        _report_job(self, context, f"Saved {path.name}; making its sprite in the background")
        return {"FINISHED"}


def _render_here(scene: bpy.types.Scene) -> None:
    """Render the animation here and now (background mode), at sprite size if asked, with its normal frames when
    Normal Maps is on; the scene is given back however the render ends."""
    renders = sprites.renders_folder(scene)  # before the sprite-size settings move the output into sprite_size/
    with ExitStack() as stack:
        if scene.pixel_sprites.render_at_sprite_size:
            handlers.sprite_size_renders.add(scene.name)
            stack.callback(handlers.sprite_size_renders.discard, scene.name)
            stack.enter_context(sprite_size_render_settings(scene))
        normals = stack.enter_context(NormalRenders(renders))
        if scene.pixel_sprites.enabled:
            normals.begin(scene)
        bpy.ops.render.render(animation=True)


class PIXEL_SPRITES_OT_render_sprites(bpy.types.Operator):
    """Render the animation and make its sprites, directly at sprite size if that option is on"""

    bl_idname = "pixel_sprites.render_sprites"
    bl_label = "Render Sprites"

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        return _invoke(self, context, event, job_outline.render_sprites(context.scene))

    def execute(self, context: bpy.types.Context) -> set[str]:
        scene = context.scene
        problem = sprites.settings_problem(scene) if scene.pixel_sprites.enabled else None
        if problem:
            self.report({"ERROR"}, problem)
            return {"CANCELLED"}
        try:  # game data the scene cannot give is refused before anything is rendered
            handlers.game_data_capture(scene, sprites.renders_folder(scene))
        except SetupError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        if not bpy.app.background:
            return self._start_render_job(context)
        _render_here(scene)
        if scene.pixel_sprites.enabled:
            # The render itself succeeded; a sprite job that failed is in the summary the batch script checks.
            _report_job(self, context, "Rendered; the sprites are being made in the background", failure="WARNING")
        else:
            self.report({"INFO"}, "Rendered; Sprites After Render is off for this scene")
        return {"FINISHED"}

    def _start_render_job(self, context: bpy.types.Context) -> set[str]:
        """Blender's own render job, with its window, progress and Esc; the sprites follow its end."""
        scene = context.scene
        running = handlers.sprite_runs.get(scene.name)
        ours = (running is not None and not running.ended) or render_session.current is not None
        if ours or sprite_set.render_job_running():
            self.report({"ERROR"}, "A render is running: wait for it to finish")
            return {"CANCELLED"}
        frames = job_outline.render_sprites(scene).frames
        run = handlers.SpritesRender(scene)
        try:
            run.begin(scene)
            with context.temp_override(window=context.window or context.window_manager.windows[0]):
                started = bpy.ops.render.render("INVOKE_DEFAULT", animation=True)
            if "RUNNING_MODAL" not in started:  # Blender refuses quietly while another render of the scene runs
                raise RuntimeError("Blender did not start the render")
        except Exception as error:  # no camera, ...: the scene is given back
            run.drop()
            self.report({"ERROR"}, f"Render Sprites: {error}")
            return {"CANCELLED"}
        run.started()
        rendering = f"Rendering {frames} {'frame' if frames == 1 else 'frames'}"
        if scene.pixel_sprites.enabled:
            self.report({"INFO"}, f"{rendering}; the sprites follow")
        else:
            self.report({"INFO"}, f"{rendering}; Sprites After Render is off for this scene")
        return {"FINISHED"}


class PIXEL_SPRITES_OT_report(bpy.types.Operator):
    """Show the outcome of a sprite job in the status bar and the Info editor"""

    bl_idname = "pixel_sprites.report"
    bl_label = "Sprite Job Report"
    bl_options = {"INTERNAL"}

    # No ERROR level: an operator's error report raises in its caller, and the failed job is already over.
    level: bpy.props.EnumProperty(items=[("INFO", "Info", ""), ("WARNING", "Warning", "")])  # type: ignore[valid-type]
    message: bpy.props.StringProperty()  # type: ignore[valid-type]

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        # Reports of an operator called from Python stay with the caller, which prints them at once; only those
        # of an operator the window manager runs reach the Info editor and the status bar. A modal operator is
        # run by the window manager once its invoke has returned: it reports again at its first timer event.
        self.report({self.level}, self.message)
        manager = context.window_manager
        self._timer = manager.event_timer_add(0.0, window=context.window)
        manager.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        context.window_manager.event_timer_remove(self._timer)
        return self.execute(context)

    def execute(self, context: bpy.types.Context) -> set[str]:
        self.report({self.level}, self.message)
        return {"FINISHED"}


CLASSES = (
    PIXEL_SPRITES_OT_process,
    PIXEL_SPRITES_OT_fit_palette,
    PIXEL_SPRITES_OT_lock_palette,
    PIXEL_SPRITES_OT_cancel,
    PIXEL_SPRITES_OT_render_set,
    PIXEL_SPRITES_OT_actions_from_file,
    PIXEL_SPRITES_OT_process_render_result,
    PIXEL_SPRITES_OT_render_sprites,
    PIXEL_SPRITES_OT_report,
)
