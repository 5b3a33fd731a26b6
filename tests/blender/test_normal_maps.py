"""Normal Maps in Render Sprite Set, end to end: a smooth sphere rendered by Cycles from 8 facings with mirroring,
its normal sprites and sheets, and real 2D lights: Phaser 3's Light2D and Godot 4.6's PointLight2D brighten the
half of every facing's sphere that faces the light. The same render has Inner Lines on: its depth frames."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import bpy
import numpy as np
import pytest
from godot_runner import godot_lighting, require_godot
from phaser_reader import phaser_lighting, require_phaser
from PIL import Image
from test_normal_pass import ORTHO_SCALE, build_sphere_scene

from pixel_sprites import engine
from pixel_sprites.blender import normal_camera
from pixel_sprites.engine.frames.depth import DEPTH_FILE, DepthSettings, read_depth, read_depth_file
from pixel_sprites.engine.frames.downscale import Downscaler
from pixel_sprites.engine.frames.normals import NormalSettings, mirror_normals
from pixel_sprites.engine.sprites.inner_lines import sprite_inner_lines

COMPASS_8 = ["S", "SE", "E", "NE", "N", "NW", "W", "SW"]


def sphere_set(tmp_path: Path, *, normal_maps: bool = True):  # type: ignore[no-untyped-def]
    scene = build_sphere_scene(str(tmp_path / "renders") + "/", size=96, samples=4)
    camera = scene.camera
    camera.rotation_euler = (1.35, 0.0, 0.0)  # a fixed camera looking slightly down at the sphere, from -Y
    camera.location = (0, -5, 1.1)
    pivot = bpy.data.objects.new("pivot", None)
    scene.collection.objects.link(pivot)
    sphere = next(obj for obj in scene.objects if obj.type == "MESH")
    sphere.parent = pivot
    world = bpy.data.worlds.new("grey sky")  # an even grey light all round: a mid-grey sphere, whatever lights it
    world.color = (0.6, 0.6, 0.6)
    scene.world = world
    settings = scene.pixel_sprites
    settings.enabled = True
    settings.size_mode, settings.pixel = "PIXEL", 3
    settings.auto_colors, settings.colors = False, 6
    settings.directions, settings.mirror, settings.pivot_object = 8, True, pivot
    settings.normal_maps = normal_maps
    settings.make_sheets = True
    bpy.context.view_layer.objects.active = sphere
    return scene


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("normal_set")
    sphere_set(folder).pixel_sprites.inner_lines = True  # its depth frames come from the same render
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}
    return folder / "renders" / "sprites"


def test_every_facing_gets_a_normal_sprite_with_its_colour_sprites_alpha(rendered):
    for facing in COMPASS_8:
        colour = np.asarray(Image.open(rendered / "default" / facing / "0001.png").convert("RGBA"))
        normal = np.asarray(Image.open(rendered / "normals" / "default" / facing / "0001.png"))
        assert normal.shape == colour.shape and (normal[..., 3] == colour[..., 3]).all(), facing
        assert (normal[normal[..., 3] == 0][:, :3] == [128, 128, 255]).all()
        assert (normal[..., 3] == 255).sum() > 50
    # Only the facings rendered have normal renders; the mirrored ones are flipped with their x turned.
    assert sorted(p.parent.name for p in (rendered.parent / "normals" / "default").glob("*/0001.png")) == sorted(
        ["E", "N", "NE", "S", "SE"]
    )
    for mirrored, twin in (("W", "E"), ("NW", "NE"), ("SW", "SE")):
        twin_normals = np.asarray(Image.open(rendered / "normals" / "default" / twin / "0001.png"))
        mirrored_normals = np.asarray(Image.open(rendered / "normals" / "default" / mirrored / "0001.png"))
        assert (mirrored_normals == mirror_normals(twin_normals)).all(), mirrored


def test_the_normals_face_the_camera_and_curve_as_a_spheres(rendered):
    normal = np.asarray(Image.open(rendered / "normals" / "default" / "S" / "0001.png")).astype(float)
    opaque = normal[..., 3] == 255
    vectors = normal[..., :3] / 255 * 2 - 1
    rows, cols = np.nonzero(opaque)
    middle_row, middle_col = rows.mean(), cols.mean()
    right, left = (
        opaque & (np.arange(opaque.shape[1]) > middle_col + 3),
        opaque & (np.arange(opaque.shape[1]) < middle_col - 3),
    )
    top = opaque & (np.arange(opaque.shape[0])[:, None] < middle_row - 3)
    assert vectors[right][:, 0].mean() > 0.3 and vectors[left][:, 0].mean() < -0.3  # +X toward screen right
    assert vectors[top][:, 1].mean() > 0.3  # +Y toward screen top (OpenGL)
    assert vectors[opaque][:, 2].mean() > 0.5  # +Z toward the viewer
    manifest = json.loads((rendered / "character.set.json").read_text())
    assert np.asarray(manifest["normals"]["world_to_camera"]).shape == (3, 3)


def test_inner_lines_come_from_depth_frames_the_render_wrote_and_a_sphere_has_none(rendered):
    renders = rendered.parent
    scale = json.loads((renders / "depth" / DEPTH_FILE).read_text())
    assert scale["perspective"] is False and scale["view_width"] == pytest.approx(2.5)  # the sphere's ortho scale
    assert sorted(p.parent.name for p in (renders / "depth" / "default").glob("*/0001.png")) == [
        "E", "N", "NE", "S", "SE"
    ]  # fmt: skip
    frame = renders / "default" / "S" / "0001.png"
    colour = np.asarray(Image.open(frame).convert("RGBA"))
    sprite = np.asarray(Image.open(rendered / "default" / "S" / "0001.png").convert("RGBA"))
    problems: list[tuple[Path, str]] = []

    def nearest(grey: np.ndarray) -> np.ndarray:
        return Downscaler(colour.shape[:2], sprite.shape[:2]).sample(grey)  # type: ignore[return-value]

    lines = sprite_inner_lines(
        DepthSettings(renders / "depth", root=renders), frame, Path("default/S/0001.png"), colour.shape[:2],
        nearest, sprite[..., 3] > 0, problems,
    )  # fmt: skip
    assert problems == [] and lines is not None and not lines.any()  # one round surface: no overlap
    depth_frame = renders / "depth" / "default" / "S" / "0001.png"
    depth = read_depth(depth_frame, colour.shape[:2], read_depth_file(renders / "depth" / DEPTH_FILE))
    nearest_point = math.dist(CAMERA_LOCATION, (0, 0, 0)) - 1.0  # in front of the unit sphere at the origin
    assert depth[colour[..., 3] >= 128].min() == pytest.approx(nearest_point, abs=0.03)
    report = json.loads((rendered / "character_report.json").read_text())
    assert not [note for note in report.get("notes", []) if "inner lines" in note["note"]]


def test_phaser_light2d_brightens_the_half_of_every_facing_toward_the_light(rendered):
    require_phaser()
    sheets = rendered / "sheets"
    lit = phaser_lighting(sheets / "default.json", sheets / "default.png", sheets / "default_n.png")
    assert lit["errors"] == [] and lit["hasNormalMap"]
    assert len(lit["frames"]) == 8
    for name, halves in lit["frames"].items():
        (left_r, right_r), (left_l, right_l) = halves["right"], halves["left"]
        assert right_r > left_r * 1.2 and left_l > right_l * 1.2, (name, halves)


def test_godot_point_light_brightens_the_half_of_every_facing_toward_the_light(rendered):
    require_godot()
    run, records = godot_lighting([rendered / "sheets" / "default.tres"])
    assert run.exit_code == 0 and run.errors == [], run.errors
    assert sorted(record["animation"] for record in records) == sorted(f"default_{facing}" for facing in COMPASS_8)
    for record in records:
        (left_r, right_r), (left_l, right_l) = record["right"], record["left"]
        assert right_r > left_r * 1.05 and left_l > right_l * 1.05, record


def test_workbench_is_refused_before_anything_is_rendered(tmp_path):
    scene = sphere_set(tmp_path)
    scene.render.engine = "BLENDER_WORKBENCH"
    with pytest.raises(RuntimeError, match="Workbench engine has no Normal pass"):
        bpy.ops.pixel_sprites.render_set()
    assert not (tmp_path / "renders").exists()
    scene.pixel_sprites.normal_maps, scene.pixel_sprites.inner_lines = False, True
    with pytest.raises(RuntimeError, match="Inner Lines: the Workbench engine has no Depth pass; use Cycles or EEVEE"):
        bpy.ops.pixel_sprites.render_set()
    assert not (tmp_path / "renders").exists()


def test_with_normal_maps_off_nothing_of_them_is_written(tmp_path):
    sphere_set(tmp_path, normal_maps=False)
    assert bpy.ops.pixel_sprites.render_set() == {"FINISHED"}
    sprites = tmp_path / "renders" / "sprites"
    assert (sprites / "default" / "S" / "0001.png").is_file()
    assert not (sprites / "normals").exists() and not (tmp_path / "renders" / "normals").exists()
    assert not (tmp_path / "renders" / "depth").exists()
    assert not (sprites / "sheets" / "default_n.png").exists()
    assert "normals" not in json.loads((sprites / "character.set.json").read_text())


CAMERA_LOCATION = (0.0, -5.0, 1.1)  # sphere_set's


def _analytic_errors(normal_sprite: np.ndarray, centre: np.ndarray) -> tuple[float, float]:
    """Mean angles (degrees) between a sphere's normal sprite and the analytic normal at each sprite pixel's centre,
    the sphere's centre at ``centre`` in camera space: on the interior, and on the silhouette (opaque pixels with a
    transparent 4-neighbour)."""
    size = normal_sprite.shape[0]
    coordinates = (np.arange(size) + 0.5) / size * ORTHO_SCALE - ORTHO_SCALE / 2
    x, y = np.meshgrid(coordinates - centre[0], -coordinates - centre[1])  # rows go down, +Y up
    truth = np.stack([x, y, np.sqrt(np.clip(1 - x * x - y * y, 0, None))], axis=-1)
    truth /= np.linalg.norm(truth, axis=-1, keepdims=True)
    decoded = normal_sprite[..., :3].astype(np.float64) / 255 * 2 - 1
    decoded /= np.linalg.norm(decoded, axis=-1, keepdims=True)
    angles = np.degrees(np.arccos(np.clip((decoded * truth).sum(axis=-1), -1, 1)))
    opaque = np.pad(normal_sprite[..., 3] == 255, 1)
    inner = opaque[1:-1, 1:-1] & opaque[:-2, 1:-1] & opaque[2:, 1:-1] & opaque[1:-1, :-2] & opaque[1:-1, 2:]
    silhouette = opaque[1:-1, 1:-1] & ~inner
    return float(angles[inner].mean()), float(angles[silhouette].mean())


@pytest.mark.parametrize("sampling", ["nearest", "majority"])
def test_blenders_render_through_to_sprites_is_within_5_degrees_inside_and_12_on_the_silhouette(
    rendered, tmp_path, sampling
):
    """The goal measured on one Cycles render all the way to sprites: every facing of the sphere (the mirrored ones
    too) against the analytic normals, nearest as the set made them and majority from the same renders."""
    manifest = json.loads((rendered / "character.set.json").read_text())
    world_to_camera = np.asarray(manifest["normals"]["world_to_camera"])
    if sampling == "nearest":
        sprites = {facing: rendered / "normals" / "default" / facing / "0001.png" for facing in COMPASS_8}
    else:
        renders = rendered.parent / "default"
        frames = engine.discover_frames([renders])
        output = engine.OutputSettings(
            folder=tmp_path / "majority",
            normals=NormalSettings.reading(renders.parent / "normals", root=renders.parent),
        )  # fmt: skip
        engine.process(
            frames, [renders], engine.DownscaleSettings(pixel=3, sampling="majority"),
            engine.PaletteSettings(colors=6), output,
        )  # fmt: skip
        sprites = {path.parent.name: path for path in (tmp_path / "majority" / "normals").rglob("0001.png")}
        assert sorted(sprites) == ["E", "N", "NE", "S", "SE"]  # the facings rendered
    for facing, path in sprites.items():
        centre = world_to_camera @ -np.asarray(CAMERA_LOCATION)
        inside, silhouette = _analytic_errors(np.asarray(Image.open(path)), centre)
        assert inside <= 5 and silhouette <= 12, (facing, inside, silhouette)
        print(f"{sampling} {facing}: {inside:.2f}° inside, {silhouette:.2f}° on the silhouette")


def orbit_scene(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The sphere with its camera on a rig turning 0°, 45° and 90° over frames 1 to 3, Normal Maps on."""
    scene = build_sphere_scene(str(tmp_path / "renders") + "/", size=96, samples=4)
    rig = bpy.data.objects.new("rig", None)
    scene.collection.objects.link(rig)
    scene.camera.parent = rig  # build_sphere_scene's camera looks at the origin, where the rig turns
    for frame, degrees in ((1, 0), (2, 45), (3, 90)):
        rig.rotation_euler = (0, 0, math.radians(degrees))
        rig.keyframe_insert("rotation_euler", frame=frame)
    scene.frame_start, scene.frame_end = 1, 3
    settings = scene.pixel_sprites
    settings.enabled, settings.normal_maps = True, True
    settings.size_mode, settings.pixel = "PIXEL", 3
    settings.auto_colors, settings.colors = False, 6
    return scene


def test_a_camera_orbiting_during_the_animation_is_followed_frame_by_frame(tmp_path):
    """Render Sprites with the camera on a turning rig (as the demo character's is): each frame's normals turn with
    that frame's camera, so the sphere's normal sprites match the analytic ones on every frame."""
    scene = orbit_scene(tmp_path)
    assert bpy.ops.pixel_sprites.render_sprites() == {"FINISHED"}
    camera = json.loads((tmp_path / "renders" / "normals" / "camera.json").read_text())
    names = sorted(camera["frames"])
    assert names == ["0001.png", "0002.png", "0003.png"]
    turns = [np.asarray(camera["frames"][name]) for name in names]
    assert not np.allclose(turns[0], turns[1], atol=0.1) and not np.allclose(turns[1], turns[2], atol=0.1)
    for name in names:
        sprite = np.asarray(Image.open(tmp_path / "renders" / "sprites" / "normals" / name))
        inside, silhouette = _analytic_errors(sprite, np.zeros(3))
        assert inside <= 5 and silhouette <= 12, (name, inside, silhouette)
    assert scene.frame_current == 1  # the scene is back on its frame


def test_a_frame_list_render_lists_the_rotation_of_the_frame_it_writes(tmp_path, monkeypatch):
    """As a farm's ``-f 2``: render_init comes before the frame is set, so the frame is listed as it is written,
    with the camera of that frame (not of the frame the file was saved on), beside what other frames listed."""
    scene = orbit_scene(tmp_path)
    normals = tmp_path / "renders" / "normals"
    normals.mkdir(parents=True)
    listed_elsewhere = {"world_to_camera": np.eye(3).tolist(), "frames": {"0003.png": np.eye(3).tolist()}}
    (normals / "camera.json").write_text(json.dumps(listed_elsewhere))
    monkeypatch.setattr(sys, "argv", [*sys.argv, "-f", "2"])
    scene.frame_current = 2  # set as Blender sets it for -f: the camera not moved to frame 2
    scene.render.filepath = str(tmp_path / "renders" / "####")
    assert bpy.ops.render.render(write_still=True) == {"FINISHED"}
    camera = json.loads((normals / "camera.json").read_text())
    assert sorted(camera["frames"]) == ["0002.png", "0003.png"]
    rig = bpy.data.objects["rig"]
    expected = np.asarray(normal_camera.camera_rotation(scene))  # frame 2, now evaluated
    assert math.isclose(rig.rotation_euler.z, math.radians(45), abs_tol=1e-4)
    np.testing.assert_allclose(camera["frames"]["0002.png"], expected, atol=1e-5)
