"""The last run's buttons beside its summary, on a sprite set rendered for real in the module Blender: Show Sprites
plays the chosen action and facing in an Image Editor at the action's rate, Show Sheet opens its sheet, and Open
Folder opens the run's folder."""

from __future__ import annotations

from pathlib import Path

import bpy
import pytest
from character_scene import build_set_scene

from pixel_sprites.blender import image_editor, show_operators, sprite_results


@pytest.fixture
def sprite_set(tmp_path):
    """The demo character's set rendered for real: idle (4 frames) and walk (every 2nd of 6), facing S and N."""
    scene = build_set_scene(output=tmp_path / "renders")
    settings = scene.pixel_sprites
    settings.directions = 2
    for name in ("idle", "walk"):
        settings.set_actions.add().action = bpy.data.actions[name]
    settings.set_actions[1].frame_step = 2
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}
    assert not settings.last_summary.startswith("Error"), settings.last_summary
    return scene


@pytest.fixture(autouse=True)
def no_sprites_playing_after():
    yield
    image_editor.stop()


def shown_sprites() -> tuple[bpy.types.Area, bpy.types.Image]:
    """The Image Editor showing Show Sprites' image, and the image."""
    image = bpy.data.images[show_operators.SPRITES_IMAGE]
    (area,) = image_editor.editors_showing(image.name)
    return area, image


def test_show_sprites_plays_the_selected_action_and_facing_at_the_actions_rate(sprite_set, tmp_path):
    settings = sprite_set.pixel_sprites
    settings.active_set_action = 1  # walk
    settings.preview_facing = "N"
    assert bpy.ops.pixel_sprites.show_sprites() == {"FINISHED"}
    area, image = shown_sprites()
    walk_north = tmp_path / "renders" / "sprites" / "walk" / "N"
    assert Path(image.filepath) == walk_north / "0001.png" and image.source == "SEQUENCE"
    assert area.type == "IMAGE_EDITOR" and area.ui_type == "IMAGE_EDITOR"
    playback = image_editor.playing()
    assert playback is not None and playback.numbers == [1, 3, 5]
    assert playback.interval == pytest.approx(2 / sprite_set.render.fps)  # walk renders every 2nd frame
    user = area.spaces.active.image_user
    shown = [user.frame_current]
    for _ in range(3):
        image_editor._next_sprite()
        shown.append(user.frame_current)
    assert shown == [1, 3, 5, 1]
    image_editor._next_sprite()
    user.frame_current = 99  # to see that Blender works the frame out again on a frame change
    sprite_set.frame_set(17)
    assert user.frame_current == 3  # the scene's frame does not move the sprites


def test_show_sprites_takes_the_sets_first_facing_for_as_set_up_and_reuses_the_editor(sprite_set, tmp_path):
    settings = sprite_set.pixel_sprites
    settings.active_set_action = 0  # idle
    settings.preview_facing = "AS_SET_UP"
    assert bpy.ops.pixel_sprites.show_sprites() == {"FINISHED"}
    first_area, image = shown_sprites()
    assert Path(image.filepath) == tmp_path / "renders" / "sprites" / "idle" / "S" / "0001.png"
    assert image_editor.playing().numbers == [1, 2, 3, 4]  # type: ignore[union-attr]
    settings.active_set_action = 1
    assert bpy.ops.pixel_sprites.show_sprites() == {"FINISHED"}
    area, image = shown_sprites()
    assert area == first_area and Path(image.filepath).parent.name == "S" and "walk" in image.filepath
    assert len([item for item in bpy.data.images if item.name.startswith("Pixel Sprites")]) == 1


def test_show_sprites_without_a_set_plays_the_last_runs_sprites(tmp_path):
    scene = build_set_scene(output=tmp_path / "renders")
    settings = scene.pixel_sprites
    with pytest.raises(RuntimeError, match="No sprites yet"):
        bpy.ops.pixel_sprites.show_sprites()
    assert bpy.ops.pixel_sprites.render_sprites() == {"FINISHED"}
    assert Path(settings.last_output) == tmp_path / "renders" / "sprites"
    assert bpy.ops.pixel_sprites.show_sprites() == {"FINISHED"}
    _area, image = shown_sprites()
    assert Path(image.filepath) == tmp_path / "renders" / "sprites" / "0001.png"
    playback = image_editor.playing()
    assert playback is not None and playback.numbers == [1, 2, 3, 4]
    assert playback.interval == pytest.approx(scene.render.fps_base / scene.render.fps)


def test_show_sprites_says_when_the_selected_action_has_no_sprites_yet(sprite_set):
    settings = sprite_set.pixel_sprites
    settings.set_actions.add().action = bpy.data.actions.new("jump")
    settings.active_set_action = 2
    with pytest.raises(RuntimeError, match="No sprites of jump"):
        bpy.ops.pixel_sprites.show_sprites()
    settings.active_set_action = 0
    settings.directions = 4  # the facings the panel offers are no longer the set's
    settings.preview_facing = "E"
    with pytest.raises(RuntimeError, match="Facing E"):
        bpy.ops.pixel_sprites.show_sprites()


def test_show_sheet_opens_the_selected_actions_sheet(sprite_set, tmp_path):
    settings = sprite_set.pixel_sprites
    settings.active_set_action = 1
    assert bpy.ops.pixel_sprites.show_sheet.poll()
    assert bpy.ops.pixel_sprites.show_sheet() == {"FINISHED"}
    image = bpy.data.images[show_operators.SHEET_IMAGE]
    assert Path(image.filepath) == tmp_path / "renders" / "sprites" / "sheets" / "walk.png"
    assert image.source == "FILE" and tuple(image.size) != (0, 0)
    assert image_editor.editors_showing(image.name)


def test_show_sheet_is_greyed_out_before_there_is_a_sheet(tmp_path):
    build_set_scene(output=tmp_path / "renders")
    assert not bpy.ops.pixel_sprites.show_sheet.poll()


def test_open_folder_opens_the_last_runs_folder(sprite_set, tmp_path, monkeypatch):
    opened: list[Path] = []
    monkeypatch.setattr(show_operators, "open_path", opened.append)
    assert bpy.ops.pixel_sprites.open_folder() == {"FINISHED"}
    assert opened == [tmp_path / "renders" / "sprites"]
    assert sprite_results.last_folder(sprite_set) == tmp_path / "renders" / "sprites"
    assert bpy.ops.pixel_sprites.open_folder(folder=str(tmp_path / "renders")) == {"FINISHED"}
    assert opened[-1] == tmp_path / "renders"
    with pytest.raises(RuntimeError, match="No folder"):
        bpy.ops.pixel_sprites.open_folder(folder=str(tmp_path / "nowhere"))
    assert len(opened) == 2
