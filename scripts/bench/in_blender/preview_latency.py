"""The live preview's latency, measured in Debian's Blender 3.4 with a UI (``preview``, the section, runs it):

    blender -b --python scripts/bench/in_blender/preview_latency.py -- '{"make": true, "scripts": "...",
        "renders": "...", "blend": "scene.blend", "frames": 12, "resolution": [640, 900]}'
    xvfb-run -a blender --factory-startup scene.blend --python scripts/bench/in_blender/preview_latency.py -- \\
        '{"scripts": "...", "sprites": "...", "out": "...", "result": "...", "frames": 12, "samples": 16}'

``make`` (in ``blender -b``): the demo character's set scene at ``resolution`` (640x900: 64x90 sprites), walking
and turning 30° a frame, its frames made into sprites by Render Sprites at sprite size (Workbench), the palette
locked, saved.

With a UI: an area of the screen becomes an Image Editor showing the preview image, and a ``POST_PIXEL`` draw
callback there notes the first draw after the image changed. A persistent timer changes frame and waits for the
window drawn with it (``Measure.frame_latency``), frame after frame: first with Live Preview off and a
``frame_change_post`` handler of this script loading the sprite Render Sprites wrote for the frame into the image
(the floor: what Blender takes to show a changed image after a frame change), then with Live Preview on in each
engine and quality. Then it times plain renders at sprite size, plays the timeline (``PLAY_SECONDS``: Blender flags
playback as it flags scrubbing) and writes the figures to ``result``, and each preview's sprite to ``out``
(``<engine>_<quality>_<frame>.npy``) for the section to compare FAST with EXACT.
"""

from __future__ import annotations

import importlib
import json
import math
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bpy
import numpy as np

ENGINES = {"workbench": "BLENDER_WORKBENCH", "eevee": "BLENDER_EEVEE", "cycles": "CYCLES"}
QUALITIES = ("FAST", "EXACT")
POLL = 0.005  # seconds between looks of the driving timer: Blender's idle loop sleeps 5 ms
SETTLE = 0.3  # seconds left after each measured draw, so that nothing of one frame runs into the next
FRAME_TIMEOUT = 60.0  # a Cycles EXACT frame takes about a second; this is a hang guard only
RENDERS_TIMED = 5
# Scrubbing: a frame change asked for every 20 ms, as dragging over the timeline makes them; each waits for the
# window's redraw after the one before, so they come as fast as Blender draws.
PLAY_SECONDS = 5.0


def imported(name: str) -> Any:
    """A module of ``scripts/`` (``character_scene``, ``render_sprites``), imported by name: Blender scripts, typed
    for the Blenders they run in rather than for the stubs mypy reads ``bpy`` from, so mypy is not pointed at them."""
    return importlib.import_module(name)


def windows() -> Any:
    """The window manager's windows (fake-bpy-module's stubs type the context's members as optional)."""
    context: Any = bpy.context
    return context.window_manager.windows


def make_scene(job: dict[str, Any]) -> None:
    imported("render_sprites").load_addon()
    scene = imported("character_scene").build_set_scene(
        resolution=tuple(job["resolution"]), output=Path(job["renders"])
    )
    frames = job["frames"]
    # Every frame differs: the walk, repeated, and a turn of 30° a frame, so that each frame change changes the
    # sprite and FAST meets EXACT on varied poses and sides.
    rig: Any = bpy.data.objects["rig"]
    walk: Any = bpy.data.actions["walk"]
    rig.animation_data.action = walk
    for curve in walk.fcurves:
        curve.modifiers.new("CYCLES")
    character = bpy.data.objects["character"]
    for frame in range(1, frames + 1):
        character.rotation_euler = (0, 0, math.radians(30 * (frame - 1)))
        character.keyframe_insert("rotation_euler", frame=frame)
    scene.frame_start, scene.frame_end = 1, frames
    settings = scene.pixel_sprites
    settings.render_at_sprite_size = True
    settings.pivot_object = character
    operators: Any = bpy.ops  # the add-on's operators are not in the stubs
    operators.pixel_sprites.render_sprites()
    settings.palette_locked = True
    bpy.ops.wm.save_as_mainfile(filepath=job["blend"])


class Marks:
    """What the draw callback and the handlers share: the frame change being measured and when the image last
    changed (``time.perf_counter``)."""

    def __init__(self) -> None:
        self.t0 = math.inf
        self.frame = 0
        self.changed = 0.0
        self.drawn: float | None = None
        self.failed = 0.0  # when an update last failed
        self.updates: list[dict[str, Any]] = []  # every preview update: its frame, start, end, error
        self.view_started = 0.0
        self.view_draws: list[tuple[float, float]] = []  # the 3D View's main region: (its drawing began, ended)


class Measure:
    def __init__(self, job: dict[str, Any]) -> None:
        imported("render_sprites").load_addon()
        from pixel_sprites.blender import preview, preview_image

        self.job, self.preview, self.preview_image = job, preview, preview_image
        self.scene: Any = bpy.context.scene
        self.frames = list(range(1, job["frames"] + 1))
        self.out = Path(job["out"])
        self.marks = Marks()
        self.results: dict[str, Any] = {"modes": {}, "render_ms": {}, "scrubbing": {}}
        self.space: Any = None
        self.keep: tuple[str, str] | None = None  # (engine, quality) whose sprites are saved
        real_update = preview.update

        def timed_update(scene: bpy.types.Scene) -> Any:
            # _run_due calls the module's update by name: wrapped here, every update is timed and counted.
            started = time.perf_counter()
            error = None
            try:
                shown = real_update(scene)
            except Exception:  # a failed FAST (preview_draw missing) must not end the timer that drives updates
                error, shown = traceback.format_exc(limit=3), None
            ended = time.perf_counter()
            status = shown.status if shown is not None else ""
            if status.startswith("Error"):
                error = status
            self.marks.updates.append({"frame": scene.frame_current, "start": started, "end": ended, "error": error})
            if error is not None:
                self.marks.failed = ended
            else:
                self.show_preview_image()
                if scene.frame_current == self.marks.frame:
                    self.marks.changed = ended
                if self.keep is not None and shown is not None and shown.sprite is not None:
                    name = f"{self.keep[0]}_{self.keep[1]}_{scene.frame_current:04d}.npy"
                    np.save(self.out / name, shown.sprite.rgba)
            return shown

        preview.update = timed_update

    # The screen: an Image Editor showing the preview image, and the draw callback.

    def setup_screen(self) -> None:
        screen = windows()[0].screen
        areas = sorted(screen.areas, key=lambda area: area.width * area.height, reverse=True)
        area = next(area for area in areas if area.type in ("PROPERTIES", "OUTLINER", "DOPESHEET_EDITOR"))
        area.type = "IMAGE_EDITOR"
        self.space = area.spaces.active
        bpy.types.SpaceImageEditor.draw_handler_add(self.on_draw, (), "WINDOW", "POST_PIXEL")
        # The 3D View's redraws, the largest part of a window's redraw in software OpenGL: counted per frame change.
        bpy.types.SpaceView3D.draw_handler_add(self.on_view_start, (), "WINDOW", "PRE_VIEW")
        bpy.types.SpaceView3D.draw_handler_add(self.on_view_end, (), "WINDOW", "POST_PIXEL")

    def show_preview_image(self) -> None:
        image = bpy.data.images.get(self.preview_image.PREVIEW_IMAGE)
        if image is not None and self.space.image != image:
            self.space.image = image

    def on_draw(self) -> None:
        marks = self.marks
        if marks.drawn is None and marks.changed > marks.t0:
            marks.drawn = time.perf_counter()

    def on_view_start(self) -> None:
        self.marks.view_started = time.perf_counter()

    def on_view_end(self) -> None:
        self.marks.view_draws.append((self.marks.view_started, time.perf_counter()))

    # The floor: the sprite on disk loaded into the image on each frame change.

    def load_written_sprite(self, scene: bpy.types.Scene, *_: object) -> None:
        from pixel_sprites.engine.frames.downscale import read_frame

        rgba = read_frame(Path(self.job["sprites"]) / f"{scene.frame_current:04d}.png").rgba
        self.preview_image.show_in_image(rgba)
        self.show_preview_image()
        for area in windows()[0].screen.areas:
            if area.type == "IMAGE_EDITOR":
                area.tag_redraw()  # as the preview's own update does
        self.marks.changed = time.perf_counter()

    # Steps, each a generator that yields the seconds the driving timer waits before going on.

    def frame_latency(self, frame: int) -> Iterator[float]:
        """Change to ``frame`` and wait until the window is drawn with the changed image; what it took goes to
        ``self.measured`` (None when no draw came).

        The Image Editor's draw callback notes when the changed image was drawn, but other regions of the window
        may be drawn after it (the 3D View is), and the window is swapped after the last: this timer's first call
        after that draw, which Blender makes only once the whole window is drawn (its loop runs the timers before
        it draws), is when the frame is on screen, to 5 ms (the timer's period). With the preview on, the record
        also says when its update began after the frame change, how long it took, and how long the window took
        to show it after."""
        marks = self.marks
        marks.drawn, marks.frame = None, frame
        marks.t0 = t0 = time.perf_counter()
        self.scene.frame_set(frame)
        while marks.drawn is None and marks.failed < t0 and time.perf_counter() - t0 < FRAME_TIMEOUT:
            yield POLL
        shown = time.perf_counter()
        marks.t0 = math.inf
        if marks.drawn is None:
            self.measured = None
            return
        views = [(start, end) for start, end in marks.view_draws if t0 < end <= shown]
        self.measured = {
            "frame": frame,
            "latency_s": shown - t0,
            "image_drawn_s": marks.drawn - t0,
            "view3d_redraws": len(views),
            "view3d_redraw_s": sum(end - start for start, end in views),
        }
        ran = [update for update in marks.updates if update["start"] > t0 and update["frame"] == frame]
        if ran:
            self.measured |= {
                "update_start_s": ran[0]["start"] - t0,
                "update_s": ran[0]["end"] - ran[0]["start"],
                "shown_after_update_s": shown - ran[0]["end"],
            }
        yield from self.idle()
        self.measured["updates"] = sum(1 for update in marks.updates if update["start"] > t0)

    def idle(self) -> Iterator[float]:
        """Wait until no preview update is due, and neither an update nor a redraw of the 3D View came for
        ``SETTLE`` seconds: the 3D View redraws a few times after a change to smooth its edges (anti-aliasing
        samples added one by one), each redraw as long as the first in software OpenGL, and a frame change
        during them would wait for the one under way."""
        while True:
            ends = [update["end"] for update in self.marks.updates[-1:]] + [
                end for _, end in self.marks.view_draws[-1:]
            ]
            if not self.preview._due and time.perf_counter() - max(ends, default=0.0) >= SETTLE:
                return
            yield SETTLE / 3

    def latencies(self, record: dict[str, Any]) -> Iterator[float]:
        record["frames"] = []
        for frame in self.frames:
            yield from self.frame_latency(frame)
            if self.measured is None:
                record["skipped"] = f"no draw of a changed image within {FRAME_TIMEOUT:.0f} s of frame {frame}"
                return
            record["frames"].append(self.measured)

    def floor(self) -> Iterator[float]:
        record = self.results["floor"] = {}
        bpy.app.handlers.frame_change_post.append(self.load_written_sprite)
        self.marks.frame = -1
        yield from self.frame_latency(self.frames[-1])  # a warm-up: the image made, the editor showing it
        yield from self.latencies(record)
        bpy.app.handlers.frame_change_post.remove(self.load_written_sprite)

    def preview_mode(self, engine: str, quality: str) -> Iterator[float]:
        record = self.results["modes"][f"{engine}_{quality.lower()}"] = {"engine": engine, "quality": quality}
        settings = self.scene.pixel_sprites
        switched = time.perf_counter()
        self.scene.render.engine = ENGINES[engine]
        settings.preview_quality = quality
        settings.live_preview = True
        yield from self.idle()
        yield from self.frame_latency(self.frames[-1])  # a warm-up: EEVEE compiles its shaders on its first use
        failed = [update["error"] for update in self.marks.updates if update["error"] and update["start"] > switched]
        if failed or self.measured is None:
            reason = failed[-1].strip().splitlines()[-1] if failed else "no draw of the warm-up frame"
            record["skipped"] = f"the preview failed: {reason}"
            settings.live_preview = False
            yield from self.idle()
            return
        self.keep = (engine, quality)
        yield from self.latencies(record)
        self.keep = None
        record["status"] = self.preview.state(self.scene).status

    def render_times(self, engine: str) -> Iterator[float]:
        """Seconds of a plain render at sprite size (no file written), after a warm-up render."""
        from pixel_sprites.blender import render_session
        from pixel_sprites.blender.render_size import sprite_size_render_settings

        self.scene.pixel_sprites.live_preview = False
        self.scene.render.engine = ENGINES[engine]
        seconds = []
        render_session.preview_renders.add(self.scene.name)  # no sprite job for these renders
        try:
            with sprite_size_render_settings(self.scene):
                for index in range(RENDERS_TIMED + 1):
                    started = time.perf_counter()
                    bpy.ops.render.render(scene=self.scene.name)
                    if index:
                        seconds.append(time.perf_counter() - started)
                    yield POLL
        finally:
            render_session.preview_renders.discard(self.scene.name)
        self.results["render_ms"][engine] = [1000 * value for value in seconds]

    def scrub(self, name: str, quality: str | None) -> Iterator[float]:
        """The timeline played for ``PLAY_SECONDS`` (Blender flags playback as it flags scrubbing, and the preview
        waits for both to pause); the frame changes seen, and the updates that ran during it and in the
        ``3 * SETTLE`` seconds after it."""
        settings = self.scene.pixel_sprites
        self.scene.render.engine = ENGINES["workbench"]
        settings.live_preview = quality is not None
        if quality is not None:
            settings.preview_quality = quality
        yield from self.idle()
        seen = len(self.marks.updates)
        changes: list[float] = []

        def note_change(*_: object) -> None:
            changes.append(time.perf_counter())

        bpy.app.handlers.frame_change_post.append(note_change)
        started = time.perf_counter()
        with bpy.context.temp_override(window=windows()[0]):
            bpy.ops.screen.animation_play()
        yield PLAY_SECONDS
        with bpy.context.temp_override(window=windows()[0]):
            bpy.ops.screen.animation_cancel(restore_frame=False)
        stopped = time.perf_counter()
        bpy.app.handlers.frame_change_post.remove(note_change)
        yield 3 * SETTLE
        yield from self.idle()
        ran = [update["start"] for update in self.marks.updates[seen:]]
        self.results["scrubbing"][name] = {
            "frame_changes_s": [change - started for change in changes if change < stopped],
            "updates_during": sum(1 for start in ran if start < stopped),
            "updates_after": sum(1 for start in ran if start >= stopped),
        }

    def program(self) -> Iterator[float]:
        print("BACKGROUND", bpy.app.background, flush=True)
        self.setup_screen()
        yield 0.5
        self.results["fast_available"] = self.fast_available()
        yield from self.floor()
        for engine in ENGINES:
            for quality in QUALITIES:
                print("measuring", engine, quality, flush=True)
                if quality == "FAST" and not self.results["fast_available"]:
                    self.results["modes"][f"{engine}_fast"] = {"skipped": "addon/blender/preview_draw.py is missing"}
                    continue
                yield from self.preview_mode(engine, quality)
        for engine in ENGINES:
            yield from self.render_times(engine)
        ways: tuple[tuple[str, str | None], ...] = (("off", None), ("fast", "FAST"), ("exact", "EXACT"))
        for name, scrubbed in ways:
            if scrubbed != "FAST" or self.results["fast_available"]:
                yield from self.scrub(name, scrubbed)

    def fast_available(self) -> bool:
        import importlib.util

        return importlib.util.find_spec("pixel_sprites.blender.preview_draw") is not None


def measure(job: dict[str, Any]) -> None:
    runner = Measure(job)
    runner.scene.cycles.samples = job["samples"]
    steps = runner.program()
    runner.results["perf_counter_at_start"] = time.perf_counter()

    def drive() -> float | None:
        try:
            return next(steps)
        except StopIteration:
            pass
        except Exception:
            runner.results["error"] = traceback.format_exc()
        Path(job["result"]).write_text(json.dumps(runner.results))
        print("DONE", flush=True)
        bpy.ops.wm.quit_blender()
        return None

    bpy.app.timers.register(drive, first_interval=1.0, persistent=True)


def main() -> None:
    job = json.loads(sys.argv[-1])
    sys.path.insert(0, job["scripts"])  # character_scene and render_sprites: Blender ignores PYTHONPATH
    if job.get("make"):
        make_scene(job)
    else:
        measure(job)


if __name__ == "__main__":
    main()
