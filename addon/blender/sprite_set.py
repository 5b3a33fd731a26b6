"""Render Sprite Set: every checked action from every facing, then one palette and the sheets for them all.

The character turns about the world Z axis through its pivot object by a
delta rotation, which composes with any rotation its actions key. Each action
x facing is one animation render into ``<render folder>/<action>/<facing>/``.
In background mode the renders run one after another here; with a UI each is
a render job of Blender's own, started from the main thread once the previous
one has ended, so Blender stays responsive. When the last has ended the
sprites, manifest and sheets are made off the main thread (see ``jobs``). The
scene is given back as it was, after success, an error or Cancel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import bpy
from mathutils import Euler, Matrix, Quaternion

from ..engine import (
    Action,
    Facing,
    Report,
    RunOptions,
    facings,
)
from ..engine.errors import SetupError
from ..engine.files.names import unique_safe_names
from ..engine.jobs.run import update_set
from ..engine.jobs.set_update import RenderedAction, SetOutcome
from ..engine.sets.rig_names import RigRequest
from . import actions, jobs, render_session, rig_capture, sprites
from .normal_pass import NormalRenders
from .render_size import sprite_resolution, sprite_size_render_settings
from .scene_state import SceneState

DEFAULT_ACTION = "default"
WAIT_SECONDS = 0.05  # how often a set between renders looks whether Blender's render job has wound down


@dataclass(frozen=True)
class PlannedAction:
    """One action of the set as it will be rendered."""

    name: str
    action: bpy.types.Action | None
    frame_start: int
    frame_end: int
    frame_step: int
    loop: bool

    def manifest_action(self, scene: bpy.types.Scene, files: list[str]) -> Action:
        """The action as the set's manifest keeps it: its sprite files, played at the scene's frame rate."""
        return Action(self.name, files, scene.render.fps, scene.render.fps_base, self.frame_step, self.loop)


@dataclass
class SetPlan:
    """What Render Sprite Set will do, checked before anything is rendered."""

    scene_name: str
    renders: Path
    prefix: str
    facings: list[Facing]
    actions: list[PlannedAction]
    pivot: bpy.types.Object
    animated: bpy.types.Object | None
    at_sprite_size: bool
    steps: list[tuple[PlannedAction, Facing]] = field(default_factory=list)
    rig: RigRequest | None = None  # the game data to project from the rig, its sources checked

    def folder(self, action: PlannedAction, facing: Facing) -> Path:
        return self.renders / action.name / facing.name


def top_parent(obj: bpy.types.Object) -> bpy.types.Object:
    while obj.parent is not None:
        obj = obj.parent
    return obj


def pivot_object(scene: bpy.types.Scene) -> bpy.types.Object | None:
    """The object the character turns about: the Pivot setting, else the active object's top parent."""
    active = bpy.context.view_layer.objects.active if bpy.context.view_layer else None
    return scene.pixel_sprites.pivot_object or (top_parent(active) if active is not None else None)


def plan(scene: bpy.types.Scene) -> SetPlan:
    """The set the scene's settings describe: every checked action from every facing.

    Raises
    ------
    SetupError
        Naming the setting, for a missing pivot, a pivot not in the scene, an action that animates nothing in
        the pivot's hierarchy, an empty frame range, sprite settings that cannot work, or game data the scene
        cannot give.
    """
    settings = scene.pixel_sprites
    problem = sprites.settings_problem(scene)
    if problem:
        raise SetupError(problem)
    rig = rig_capture.checked_request(scene)
    active = bpy.context.view_layer.objects.active if bpy.context.view_layer else None
    pivot = pivot_object(scene)
    if pivot is None:
        raise SetupError("Pivot: no pivot object; choose one, or make the character's object active")
    if scene.objects.get(pivot.name) is not pivot:
        raise SetupError(f"Pivot: the object {pivot.name!r} is not in the scene {scene.name!r}")
    animated = settings.animated_object or active
    facing_list = facings(settings.directions, start=settings.start_facing, mirror=settings.mirror)
    planned = _planned_actions(scene, pivot, animated)
    if not planned:
        raise SetupError("Actions: no action is checked")
    renders = sprites.renders_folder(scene)
    prefix = Path(scene.render.filepath).name if not scene.render.filepath.endswith(("/", "\\")) else ""
    result = SetPlan(scene.name, renders, prefix, facing_list, planned, pivot, animated, settings.render_at_sprite_size)
    result.rig = rig
    result.steps = [(action, facing) for action in planned for facing in facing_list if facing.mirror_of is None]
    return result


def _planned_actions(
    scene: bpy.types.Scene, pivot: bpy.types.Object, animated: bpy.types.Object | None
) -> list[PlannedAction]:
    settings = scene.pixel_sprites
    entries = [entry for entry in settings.set_actions if entry.enabled]
    if not settings.set_actions:  # the default: the scene's current animation, as one action
        return [PlannedAction(DEFAULT_ACTION, None, scene.frame_start, scene.frame_end, scene.frame_step, True)]
    names = unique_safe_names([entry.action.name if entry.action else DEFAULT_ACTION for entry in entries])
    within = list(actions.hierarchy(pivot))
    result = []
    for name, entry in zip(names, entries, strict=True):
        if entry.action is not None:
            if animated is None:
                raise SetupError("Animated Object: no object to play the actions on; choose one or make it active")
            if not actions.animates_anything(entry.action, within):
                raise SetupError(
                    f"Actions: {entry.action.name!r} animates nothing in the hierarchy of the pivot {pivot.name!r}"
                )
            if not actions.animates_anything(entry.action, [animated]):
                raise SetupError(
                    f"Animated Object: {animated.name!r} cannot play {entry.action.name!r}: none of its channels "
                    "is a property of that object; choose the object the action was made for"
                )
        if entry.use_action_range and entry.action is not None:
            start, end = actions.frame_range(entry.action)
        elif entry.use_action_range:
            start, end = scene.frame_start, scene.frame_end
        else:
            start, end = entry.frame_start, entry.frame_end
        if end < start:
            raise SetupError(f"Actions: {name} has an empty frame range ({start} to {end})")
        result.append(PlannedAction(name, entry.action, start, end, entry.frame_step, entry.loop))
    return result


def turn_pivot(pivot: bpy.types.Object, state: SceneState, degrees: float) -> None:
    """Turn the pivot ``degrees`` counter-clockwise about world Z, on top of its own delta rotation.

    Blender applies the delta rotation outside the object's own rotation, so this turn composes with whatever
    rotation the actions key.
    """
    turn = Matrix.Rotation(math.radians(degrees), 3, "Z")
    if pivot.rotation_mode in ("QUATERNION", "AXIS_ANGLE"):
        pivot.delta_rotation_quaternion = turn.to_quaternion() @ Quaternion(state.delta_rotation_quaternion)
    else:
        own = Euler(state.delta_rotation_euler, pivot.rotation_mode).to_matrix()
        pivot.delta_rotation_euler = (turn @ own).to_euler(pivot.rotation_mode)


def _set_up_step(scene: bpy.types.Scene, set_plan: SetPlan, state: SceneState, index: int) -> None:
    action, facing = set_plan.steps[index]
    if set_plan.animated is not None and action.action is not None:
        actions.assign(set_plan.animated, action.action)
    scene.frame_start, scene.frame_end, scene.frame_step = action.frame_start, action.frame_end, action.frame_step
    turn_pivot(set_plan.pivot, state, facing.angle)
    folder = set_plan.folder(action, facing)
    scene.render.filepath = str(folder / set_plan.prefix) if set_plan.prefix else str(folder) + "/"


def _written_frames(scene: bpy.types.Scene, set_plan: SetPlan, action: PlannedAction, facing: Facing) -> list[Path]:
    """The frames of one step on disk: written now, or kept from before where Overwrite is off."""
    folder = set_plan.folder(action, facing)
    names = [Path(scene.render.frame_path(frame=frame)).name for frame in _frames(action)]
    return [folder / name for name in names if (folder / name).is_file()]


def _frames(action: PlannedAction) -> range:
    return range(action.frame_start, action.frame_end + 1, action.frame_step)


def pivot_pixel(scene: bpy.types.Scene, pivot: bpy.types.Object) -> tuple[int, int]:
    """The sprite pixel where the pivot's origin projects through the camera."""
    from bpy_extras.object_utils import world_to_camera_view

    width, height = sprite_resolution(scene)
    if scene.camera is None:
        return width // 2, height - 1
    projected = world_to_camera_view(scene, scene.camera, pivot.matrix_world.translation)
    x, y = float(projected[0]), float(projected[1])
    return min(max(int(x * width), 0), width - 1), min(max(int((1 - y) * height), 0), height - 1)


class SetRender:
    """One Render Sprite Set run: renders the plan's steps, then hands the frames to a sprite job."""

    def __init__(self, scene: bpy.types.Scene, set_plan: SetPlan):
        self.scene_name = scene.name
        self.plan = set_plan
        self.state = SceneState.capture(scene, set_plan.pivot, set_plan.animated)
        self.index = 0
        self.rendered: dict[str, list[Path]] = {action.name: [] for action in set_plan.actions}
        self.cancelled = False
        self._ended = False
        self.sprite_size = sprite_resolution(scene)
        self.pivot = pivot_pixel(scene, set_plan.pivot)
        self._sprite_size_settings = sprite_size_render_settings(scene) if set_plan.at_sprite_size else None
        self._normals = NormalRenders(set_plan.renders)
        rig = set_plan.rig
        self._rig = rig_capture.RigCapture(scene, rig, set_plan.renders, set_plan.pivot) if rig is not None else None

    @property
    def scene(self) -> bpy.types.Scene:
        return bpy.data.scenes[self.scene_name]

    def status(self) -> str:
        action, facing = self.plan.steps[min(self.index, len(self.plan.steps) - 1)]
        return (
            f"{action.name} {facing.name} ({self.index + 1}/{len(self.plan.steps)}), frame {self.scene.frame_current}"
        )

    def run_here(self) -> str:
        """Render every step now, on this thread (background mode); returns the summary."""
        try:
            self._begin()
            for index in range(len(self.plan.steps)):
                self.index = index
                _set_up_step(self.scene, self.plan, self.state, index)
                self._capture_step()
                with self._normals:
                    self._normals.begin(self.scene)
                    bpy.ops.render.render(animation=True)
                self._collect()
        finally:
            self.end()
        return self._make_sprites()

    def start(self) -> None:
        """Start the first render job (with a UI); the handlers call :meth:`step_ended` after each."""
        render_session.current = self
        self._begin()
        self._start_next_render()

    def _begin(self) -> None:
        render_session.set_renders.add(self.scene_name)
        if self._sprite_size_settings is not None:
            self._sprite_size_settings.__enter__()

    def end(self) -> None:
        """Give the scene back; once only, however the set ended."""
        if self._ended:
            return
        self._ended = True
        self._normals.end()
        if self._rig is not None:
            self._rig.release()
        render_session.set_renders.discard(self.scene_name)
        if self._sprite_size_settings is not None:
            self._sprite_size_settings.__exit__(None, None, None)
        self.state.restore()
        render_session.current = None

    def _capture_step(self) -> None:
        """The step's game data, projected with the step set up, before its render (main thread)."""
        if self._rig is not None:
            self._rig.step(self.scene, _frames(self.plan.steps[self.index][0]))

    def _collect(self) -> None:
        action, facing = self.plan.steps[self.index]
        self.rendered[action.name].extend(_written_frames(self.scene, self.plan, action, facing))

    def _start_next_render(self) -> None:
        """The next render now, or once Blender's last render job has wound down, from a timer that hands control
        back: the job winds down on the main thread between timer calls (a call queued again on the main-thread
        queue is taken again by the same drain, and spins). Persistent, the timer sees a file load end the set."""
        if self._render_next() is not None:
            bpy.app.timers.register(self._render_next, first_interval=WAIT_SECONDS, persistent=True)

    def _render_next(self) -> float | None:
        """Start the next render job (a timer function: the seconds until it tries again, or None when done)."""
        if self._ended:  # its file was closed while it waited
            return None
        if self.cancelled:  # between renders: no render job of the set will end to stop it
            self.step_ended(cancelled=True)
            return None
        if render_job_running():
            return WAIT_SECONDS
        try:
            _set_up_step(self.scene, self.plan, self.state, self.index)
            self._capture_step()  # In Place held until the next step, or the set's end
            self._normals.begin(self.scene)  # ended in step_ended, once Blender's render job has ended
            window = bpy.context.window_manager.windows[0]
            with bpy.context.temp_override(window=window):
                started = bpy.ops.render.render("INVOKE_DEFAULT", animation=True)
            if "RUNNING_MODAL" not in started:  # Blender refuses quietly while another render of the scene runs
                raise RuntimeError("another render of this scene is running")
        except Exception as error:
            self.end()
            sprites.store_result(self.scene_name, None, f"Render Sprite Set stopped: {error}")
            raise
        return None

    def step_ended(self, cancelled: bool) -> None:
        """After a render job of the set ended (main thread): the next one, or the sprites."""
        if self._ended:  # Cancel between renders or a file load ended the set before this end was handed over
            return
        self._normals.end()
        if cancelled or self.cancelled:
            self.end()
            # A render cancelled in Blender wrote part of its frames; one that went on after Cancel wrote them all.
            done = f"{self.index if cancelled else self.index + 1} of {len(self.plan.steps)} renders"
            sprites.store_result(self.scene_name, None, None, note=f"Render Sprite Set cancelled after {done}")
            return
        self._collect()
        self.index += 1
        if self.index < len(self.plan.steps):
            self._start_next_render()
            return
        self.end()
        self._make_sprites()

    def _make_sprites(self) -> str:
        scene = self.scene
        settings = scene.pixel_sprites
        set_plan = self.plan
        rendered = [
            RenderedAction(
                planned.manifest_action(scene, _file_names(self.rendered[planned.name])),
                set_plan.renders / planned.name,
                tuple(self.rendered[planned.name]),
            )
            for planned in set_plan.actions
        ]
        job = settings.sprite_job(
            set_plan.renders, frames_at_sprite_size=set_plan.at_sprite_size, root=set_plan.renders, sheets=True
        )
        if self._rig is not None:
            job = self._rig.attach(job)
        facing_list, sprite_size, pivot = set_plan.facings, self.sprite_size, self.pivot
        scene_name = self.scene_name
        summaries: list[str] = []

        def work(options: RunOptions) -> Report:
            outcome = update_set(job, rendered, facing_list, sprite_size, pivot, options)
            summaries.extend(_action_lines(outcome, rendered))
            return outcome.report

        def done(report: Report | None, error: str | None) -> None:
            for line in summaries:
                print(f"{sprites.SUMMARY_PREFIX}: {line}")
            sprites.store_result(scene_name, report, error)

        settings.last_summary = ""
        jobs.submit("Sprite set", work, done)
        return settings.last_summary


def _file_names(frames: list[Path]) -> list[str]:
    return sorted({frame.name for frame in frames})


def _action_lines(outcome: SetOutcome, rendered: list[RenderedAction]) -> list[str]:
    facing_count = len(outcome.sprite_set.facings)
    lines = [
        f"{item.action.name}: {facing_count} facings x {len(item.action.files)} frames at "
        f"{item.action.rate:g} fps, {len(item.frames)} renders"
        for item in rendered
    ]
    if outcome.sheets is not None and outcome.sheets.merged:  # packed sheets
        lines.append(f"sheets: {outcome.sheets.merged} frames merged with identical frames")
    return lines


def cancel() -> bool:
    """Stop the running set after the render in progress, or at once between renders; False if none is running."""
    running = render_session.current
    if not isinstance(running, SetRender):
        return False
    running.cancelled = True
    if not render_job_running():
        running.step_ended(cancelled=True)
    return True


def render_job_running() -> bool:
    return bool(getattr(bpy.app, "is_job_running", lambda _: False)("RENDER"))
