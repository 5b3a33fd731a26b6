"""The add-on in real Blender: registration, renders, the panel's operators."""

from __future__ import annotations

import bpy
import numpy as np
import pytest
from PIL import Image

from pixel_sprites.engine import read_palette


def opaque_colours(path):
    pixels = np.asarray(Image.open(path).convert("RGBA"))
    return {tuple(c) for c in pixels[pixels[:, :, 3] == 255][:, :3].tolist()}, pixels[:, :, 3]


def test_addon_registers_settings_operators_and_panel():
    import addon_utils

    assert addon_utils.check("pixel_sprites")[1]
    # dir() lists the registered operators only; hasattr() is true for any name under bpy.ops.
    assert set(dir(bpy.ops.pixel_sprites)) == {
        "process", "fit_palette", "lock_palette", "cancel", "process_render_result", "render_sprites", "report",
        "render_set", "action_add", "action_remove", "actions_from_file", "variant_add", "variant_remove",
        "farm_prepare", "farm_fit", "farm_apply", "farm_sheets", "open_folder", "show_sprites", "show_sheet",
        "preview_show_image", "rig_point_add", "rig_point_remove", "rig_box_add", "rig_box_remove",
    }  # fmt: skip
    assert bpy.ops.pixel_sprites.process.get_rna_type().identifier == "PIXEL_SPRITES_OT_process"
    assert isinstance(bpy.types.PIXEL_SPRITES_PT_main, type)
    settings = bpy.context.scene.pixel_sprites
    assert settings.enabled and settings.pixel == 10 and settings.auto_colors
    assert settings.max_colors == 32 and settings.seed == 0


def test_animation_render_writes_sprites_with_one_palette(character, tmp_path):
    bpy.ops.render.render(animation=True)
    renders = tmp_path / "renders"
    sprites = renders / "sprites"
    palette = {tuple(c) for c in read_palette(sprites / "character.gpl").colors.tolist()}
    names = sorted(path.name for path in sprites.glob("*.png") if path.name != "character.png")
    assert names == [f"{frame:04d}.png" for frame in range(1, 9)]
    for name in names:
        colours, alpha = opaque_colours(sprites / name)
        assert colours <= palette
        assert set(np.unique(alpha)) <= {0, 255}
        assert alpha.shape == (22, 16)
        render = np.asarray(Image.open(renders / name))
        assert render.shape == (225, 160, 4)  # the render itself is untouched
        assert len(np.unique(render[:, :, 3])) > 2  # and keeps its soft edges
    assert "8/8 sprites" in character.pixel_sprites.last_summary
    assert len(character.pixel_sprites.palette) == len(palette)


def test_disabled_scene_gets_no_sprites(character, tmp_path):
    character.pixel_sprites.enabled = False
    bpy.ops.render.render(animation=True)
    assert not (tmp_path / "renders" / "sprites").exists()


def test_process_operator_skips_a_corrupt_frame_and_reports_it(character, tmp_path):
    character.pixel_sprites.enabled = False
    bpy.ops.render.render(animation=True)
    renders = tmp_path / "renders"
    (renders / "0009.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    character.pixel_sprites.size_mode = "SIZE"
    character.pixel_sprites.width, character.pixel_sprites.height = 32, 45

    assert bpy.ops.pixel_sprites.process() == {"FINISHED"}

    settings = character.pixel_sprites
    assert "8/9 sprites" in settings.last_summary and "1 skipped" in settings.last_summary
    assert [(item.path.endswith("0009.png"), item.reason.startswith("corrupt PNG")) for item in settings.skipped] == [
        (True, True)
    ]
    assert Image.open(renders / "sprites" / "0001.png").size == (32, 45)
    assert not (renders / "sprites" / "0009.png").exists()


def test_a_frame_made_without_its_depth_frame_is_noted_in_the_panel_and_on_the_console(character, tmp_path, capsys):
    character.pixel_sprites.enabled = False
    bpy.ops.render.render(animation=True)
    depth = tmp_path / "renders" / "depth"
    depth.mkdir()
    (depth / "depth.json").write_text('{"near": 0.1, "far": 100, "view_width": 3, "perspective": false}')
    for frame in sorted((tmp_path / "renders").glob("*.png"))[1:]:  # the first frame has none
        Image.fromarray(np.full((225, 160), 2000, np.uint16)).save(depth / frame.name)
    character.pixel_sprites.inner_lines = True

    assert bpy.ops.pixel_sprites.process() == {"FINISHED"}

    settings = character.pixel_sprites
    assert "8/8 sprites" in settings.last_summary
    assert [(item.path.endswith("0001.png"), item.note) for item in settings.skipped] == [(True, True)]
    assert "inner lines" in settings.skipped[0].reason
    printed = [line for line in capsys.readouterr().out.splitlines() if ": note: " in line]
    assert len(printed) == 1 and "0001.png" in printed[0]


def test_locked_palette_keeps_earlier_sprites_byte_identical(character, tmp_path):
    character.frame_end = 4
    bpy.ops.render.render(animation=True)
    sprites = tmp_path / "renders" / "sprites"
    before = {path.name: path.read_bytes() for path in sprites.glob("000*.png")}
    assert bpy.ops.pixel_sprites.lock_palette() == {"FINISHED"}
    palette = {tuple(c) for c in read_palette(sprites / "character.gpl").colors.tolist()}

    character.frame_start, character.frame_end = 5, 8
    bpy.ops.render.render(animation=True)

    for name, data in before.items():
        assert (sprites / name).read_bytes() == data
    for frame in range(5, 9):
        assert opaque_colours(sprites / f"{frame:04d}.png")[0] <= palette


def test_unlocked_character_refits_over_all_frames_of_several_jobs(character, tmp_path):
    character.pixel_sprites.output_folder = str(tmp_path / "hero")
    character.frame_end = 4
    bpy.ops.render.render(animation=True)
    character.render.filepath = str(tmp_path / "renders_b") + "/"
    character.frame_start, character.frame_end = 5, 8
    bpy.ops.render.render(animation=True)
    palette = {tuple(c) for c in read_palette(tmp_path / "hero" / "character.gpl").colors.tolist()}
    sprites = sorted((tmp_path / "hero").rglob("000*.png"))
    assert [str(path.relative_to(tmp_path / "hero")) for path in sprites] == [
        *(f"renders/{frame:04d}.png" for frame in range(1, 5)),
        *(f"renders_b/{frame:04d}.png" for frame in range(5, 9)),
    ]
    for path in sprites:
        assert opaque_colours(path)[0] <= palette


def test_still_render_is_explained_then_processed_from_the_render_result(character, tmp_path):
    bpy.ops.render.render()
    assert "A still (F12) is not saved by Blender" in character.pixel_sprites.last_summary
    assert bpy.ops.pixel_sprites.process_render_result() == {"FINISHED"}
    assert (tmp_path / "renders" / "still_0001.png").is_file()
    assert (tmp_path / "renders" / "sprites" / "still_0001.png").is_file()


def test_sprite_size_render_renders_small_and_restores_settings(character, tmp_path):
    character.pixel_sprites.render_at_sprite_size = True
    character.frame_end = 2
    assert bpy.ops.pixel_sprites.render_sprites() == {"FINISHED"}
    assert Image.open(tmp_path / "renders" / "sprite_size" / "0001.png").size == (16, 22)
    assert Image.open(tmp_path / "renders" / "sprite_size" / "sprites" / "0001.png").size == (16, 22)
    assert not (tmp_path / "renders" / "0001.png").exists()
    assert (character.render.resolution_x, character.render.resolution_y) == (160, 225)
    assert character.cycles.filter_width == 1.5
    assert character.render.filepath == str(tmp_path / "renders") + "/"


def test_sprite_size_render_restores_settings_when_the_render_fails(character):
    character.pixel_sprites.render_at_sprite_size = True
    character.camera = None
    bpy.data.objects.remove(bpy.data.objects["camera"])
    with pytest.raises(RuntimeError, match="camera"):
        bpy.ops.pixel_sprites.render_sprites()
    assert (character.render.resolution_x, character.render.resolution_y) == (160, 225)
    assert character.cycles.filter_width == 1.5


def test_fit_palette_then_lock_then_unlock(character, tmp_path):
    character.pixel_sprites.enabled = False
    bpy.ops.render.render(animation=True)
    assert bpy.ops.pixel_sprites.fit_palette() == {"FINISHED"}
    gpl = tmp_path / "renders" / "sprites" / "character.gpl"
    assert len(read_palette(gpl)) == len(character.pixel_sprites.palette) > 0
    assert "fitted over 8 frames" in character.pixel_sprites.last_summary
    assert bpy.ops.pixel_sprites.lock_palette() == {"FINISHED"} and character.pixel_sprites.palette_locked
    assert bpy.ops.pixel_sprites.lock_palette() == {"FINISHED"} and not character.pixel_sprites.palette_locked


def test_lock_without_a_saved_palette_is_refused(character):
    with pytest.raises(RuntimeError, match="No saved palette"):
        bpy.ops.pixel_sprites.lock_palette()
    assert not character.pixel_sprites.palette_locked


def test_non_png_renders_are_explained(character, tmp_path):
    character.render.image_settings.file_format = "JPEG"
    character.frame_end = 1
    bpy.ops.render.render(animation=True)
    assert "sprites need PNG renders" in character.pixel_sprites.last_summary
    assert not (tmp_path / "renders" / "sprites").exists()


def run_jobs_as_with_a_ui(monkeypatch):
    """Make jobs queue up as they do with a UI; the test then plays the timer by calling ``tick``."""
    import sys

    jobs = sys.modules["pixel_sprites.blender.jobs"]
    monkeypatch.setattr(jobs, "runs_at_once", lambda: False)
    return jobs


def tick_until_idle(jobs, ticks=100):
    """Tick as the timer would until the queue is empty, each tick once the running job has finished: the
    loop counts ticks, not seconds. The wait for a job guards against a hang only."""
    for _ in range(ticks):
        if jobs.status() is None and jobs._main_thread_calls.empty():
            jobs.tick()  # the last job's done callback
            return
        running = jobs._current
        if running is not None:
            assert running.finished.wait(600), f"the job {running.title!r} did not finish"
        jobs.tick()
    pytest.fail(f"the job queue did not empty in {ticks} ticks")


def test_worker_thread_runs_the_engine_and_reports_on_the_main_thread(tmp_path, monkeypatch):
    """The UI path (thread + main-thread timer), the timer played by hand since timers never fire without a UI."""
    from synthetic import write_truth_set

    from pixel_sprites import engine

    jobs = run_jobs_as_with_a_ui(monkeypatch)
    write_truth_set(tmp_path / "renders", 4, 3, seed=1)
    outcomes = []

    def work(options):
        frames = engine.discover_frames([tmp_path / "renders"])
        return engine.process(
            frames, [tmp_path / "renders"], engine.DownscaleSettings(pixel=10), engine.PaletteSettings(),
            engine.OutputSettings(tmp_path / "out"), options,
        )  # fmt: skip

    def cancel_at_first_progress(options):
        def progress(stage, done, total):
            jobs.cancel()

        return work(engine.RunOptions(progress=progress, should_cancel=options.should_cancel))

    def failing_done(report, error):
        raise RuntimeError("a bug in a done callback")

    jobs.submit("first", work, lambda report, error: outcomes.append((report, error)))
    jobs.submit("broken callback", work, failing_done)
    assert jobs.status()[0] == "first"
    tick_until_idle(jobs)
    # The failing callback did not stop the queue: a later job still runs and reports.
    jobs.submit("cancelled", cancel_at_first_progress, lambda report, error: outcomes.append((report, error)))
    tick_until_idle(jobs)
    (finished, error), (cancelled, cancel_error) = outcomes
    assert error is None and finished.frames_written == 3
    assert cancel_error is None and cancelled.cancelled and cancelled.frames_written == 0
    assert jobs.status() is None


def test_the_job_timer_is_persistent_and_survives_loading_a_file():
    import sys

    jobs = sys.modules["pixel_sprites.blender.jobs"]
    assert bpy.app.timers.is_registered(jobs.tick)
    bpy.ops.wm.read_homefile(app_template="")
    assert bpy.app.timers.is_registered(jobs.tick)


def test_operators_started_with_a_ui_do_not_report_the_previous_run(character, tmp_path, monkeypatch):
    character.pixel_sprites.enabled = False
    bpy.ops.render.render(animation=True)
    jobs = run_jobs_as_with_a_ui(monkeypatch)
    character.pixel_sprites.last_summary = "Error: the previous run failed"
    # An ERROR report would make this call raise; the new job has only started.
    assert bpy.ops.pixel_sprites.fit_palette() == {"FINISHED"}
    assert character.pixel_sprites.last_summary == ""
    tick_until_idle(jobs)
    assert character.pixel_sprites.last_summary.startswith("Palette of ")


def test_two_render_jobs_in_one_output_folder_keep_every_sprite(character, tmp_path):
    """walk/frames/0001.png and idle/frames/0001.png must not share a sprite."""
    character.pixel_sprites.output_folder = str(tmp_path / "hero") + "/"
    character.frame_end = 3
    for action in ("walk", "idle"):
        character.render.filepath = str(tmp_path / action / "frames") + "/"
        bpy.ops.render.render(animation=True)
    sprites = sorted(str(path.relative_to(tmp_path / "hero")) for path in (tmp_path / "hero").rglob("000?.png"))
    assert sprites == [f"{action}/frames/{frame:04d}.png" for action in ("idle", "walk") for frame in (1, 2, 3)]
    assert "6/6 sprites" in character.pixel_sprites.last_summary


def test_a_locked_palette_that_is_missing_is_an_error_not_a_refit(character, tmp_path):
    character.frame_end = 2
    bpy.ops.render.render(animation=True)
    assert bpy.ops.pixel_sprites.lock_palette() == {"FINISHED"}
    palette = tmp_path / "renders" / "sprites" / "character.gpl"
    palette.unlink()
    sprite = tmp_path / "renders" / "sprites" / "0001.png"
    before = sprite.read_bytes()
    bpy.ops.render.render(animation=True)
    summary = character.pixel_sprites.last_summary
    assert summary == f"Error: {palette}: the palette is locked but this file is missing; " + (
        "unlock the palette to fit a new one, or put the saved palette back"
    )
    assert not palette.exists() and sprite.read_bytes() == before


def test_lock_palette_locks_the_sprite_size_palette_when_rendering_at_sprite_size(character, tmp_path):
    character.pixel_sprites.render_at_sprite_size = True
    character.frame_end = 2
    assert bpy.ops.pixel_sprites.render_sprites() == {"FINISHED"}
    assert bpy.ops.pixel_sprites.lock_palette() == {"FINISHED"}
    sprites = tmp_path / "renders" / "sprite_size" / "sprites"
    before = (sprites / "0001.png").read_bytes()
    character.frame_start, character.frame_end = 3, 3
    assert bpy.ops.pixel_sprites.render_sprites() == {"FINISHED"}
    assert "1/1 sprites" in character.pixel_sprites.last_summary
    assert (sprites / "0001.png").read_bytes() == before and (sprites / "0003.png").is_file()


def test_indexed_output_with_too_many_colours_is_refused_before_rendering(character, tmp_path):
    settings = character.pixel_sprites
    settings.indexed, settings.auto_colors, settings.colors = True, False, 256
    with pytest.raises(RuntimeError, match="--colors 256 with --indexed"):
        bpy.ops.pixel_sprites.render_sprites()
    assert not (tmp_path / "renders").exists()
