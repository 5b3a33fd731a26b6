"""Normal frames beside colour frames (addon/blender/normal_pass.py): a sphere's normals as its analytic ones,
the colour frames as they are without normals, the scene given back as it was, and the frames' names."""

from __future__ import annotations

import inspect
import json
import math
from pathlib import Path

import bpy
import numpy as np
import pyspng
import pytest
from test_blender_binary import BLENDER, blender

from pixel_sprites.blender import normal_camera, normal_pass
from pixel_sprites.engine.frames.depth import DEPTH_FILE, read_depth, read_depth_file

SCENE_PROPERTIES = bpy.types.Scene.bl_rna.properties
NEW_COMPOSITOR = "compositing_node_group" in SCENE_PROPERTIES  # Blender 5: a node group, no node_tree
EFFECTS = "compositor_effects" in SCENE_PROPERTIES  # Blender 5.3: a stack of effects, each a node group
EEVEE = "BLENDER_EEVEE_NEXT" if (4, 2, 0) <= bpy.app.version < (4, 3, 0) else "BLENDER_EEVEE"
ROOT = Path(__file__).resolve().parents[2]
ORTHO_SCALE = 2.5  # build_sphere_scene's


def build_sphere_scene(output: str, size: int = 64, samples: int = 4):  # type: ignore[no-untyped-def]
    """A smooth unit sphere at the origin seen by an orthographic camera turned every which way, rendered by
    Cycles (same seed every time) into ``output`` on a transparent film. Debian's Blender runs its source too."""
    import bpy
    from mathutils import Euler, Vector

    bpy.ops.wm.read_homefile(use_empty=True)
    scene = bpy.context.scene
    bpy.ops.mesh.primitive_uv_sphere_add(segments=32, ring_count=16, radius=1.0, location=(0, 0, 0))
    bpy.context.active_object.modifiers.new("subdivision", "SUBSURF").render_levels = 2
    bpy.ops.object.shade_smooth()
    camera = bpy.data.objects.new("camera", bpy.data.cameras.new("camera"))
    camera.data.type, camera.data.ortho_scale = "ORTHO", 2.5
    camera.rotation_euler = Euler((1.1, 0.2, 0.7))
    camera.location = camera.rotation_euler.to_matrix() @ Vector((0, 0, 5))  # looking at the origin
    scene.collection.objects.link(camera)
    scene.camera = camera
    render = scene.render
    render.engine = "CYCLES"
    scene.cycles.device, scene.cycles.samples, scene.cycles.seed = "CPU", samples, 3
    scene.cycles.use_denoising = False  # Debian's Blender has no denoiser
    render.film_transparent = True
    render.resolution_x = render.resolution_y = size
    render.image_settings.file_format, render.image_settings.color_mode = "PNG", "RGBA"
    for name in dir(render):  # no date or render time in the PNGs, so that two renders can be compared
        if name.startswith("use_stamp"):
            setattr(render, name, False)
    render.filepath = output
    scene.frame_start = scene.frame_end = 1
    return scene


def sphere_scene(output: str, size: int = 64, samples: int = 4):  # type: ignore[no-untyped-def]
    scene = build_sphere_scene(output, size, samples)
    scene.pixel_sprites.enabled = False  # the add-on would make sprites of every animation render
    return scene


def png_without_timings(path: Path) -> list[tuple[bytes, bytes]]:
    """A PNG's chunks, all but Cycles' render timings, which it stamps into every PNG whatever the settings."""
    data, position, chunks = path.read_bytes(), 8, []
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        if not (kind == b"tEXt" and body.split(b"\0")[0].endswith(b"_time")):
            chunks.append((kind, body))
        position += 12 + length
    return chunks


def sphere_normals(normal_png: Path, world_to_camera: list[list[float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The angles (degrees) between decoded and analytic normals inside the sphere's outline, the decoded
    normals' lengths there, and the raw 16-bit values well off the sphere."""
    raw = pyspng.load(normal_png.read_bytes())[..., :3]
    assert raw.dtype == np.uint16
    camera = (raw.astype(np.float64) / 65535 * 2 - 1) @ np.asarray(world_to_camera).T
    size = raw.shape[0]
    centres = (np.arange(size) + 0.5) / size * ORTHO_SCALE - ORTHO_SCALE / 2
    x, y = np.meshgrid(centres, -centres)  # PNG rows go down, camera +Y goes up
    radius2 = x * x + y * y
    inside = radius2 < 0.85**2  # the rim's pixels are part background
    truth = np.stack([x, y, np.sqrt(np.clip(1 - radius2, 0, None))], axis=-1)[inside]
    length = np.linalg.norm(camera[inside], axis=-1)
    cosine = (camera[inside] * truth).sum(axis=-1) / length
    return np.degrees(np.arccos(np.clip(cosine, -1, 1))), length, raw[radius2 > 1.1**2]


def assert_world_normals(normal_png: Path, world_to_camera: list[list[float]]) -> None:
    angles, lengths, background = sphere_normals(normal_png, world_to_camera)
    assert angles.mean() < 2 and angles.max() < 6, (angles.mean(), angles.max())
    # Unit length and a background of exactly 0 (0.5 encoded): no view transform, look or curve bent them.
    assert np.abs(lengths - 1).max() < 0.01
    assert (background == 32768).all()


def set_look(scene) -> None:  # type: ignore[no-untyped-def]
    """A look, exposure and gamma far from neutral: the colour frames have them, the normal frames must not."""
    for look in ("AgX - Punchy", "High Contrast"):  # Blender 4 and 5, Blender 3.4
        try:
            scene.view_settings.look = look
            break
        except TypeError:
            continue
    scene.view_settings.exposure, scene.view_settings.gamma = 0.7, 1.3


def render(scene, folder: Path | None = None) -> None:  # type: ignore[no-untyped-def]
    if folder is not None:
        scene.render.filepath = str(folder) + "/"
    bpy.ops.render.render(animation=True, scene=scene.name)


def test_the_normal_frame_holds_world_normals_and_the_colour_frame_stays_as_it_was(tmp_path: Path) -> None:
    scene = sphere_scene(str(tmp_path / "plain") + "/")
    set_look(scene)
    render(scene)
    renders = tmp_path / "renders"
    render_folder = renders / "walk" / "E"
    scene.render.filepath = str(render_folder) + "/"
    with normal_pass.writing_normals(scene, renders) as normals:
        render(scene)
    assert normals == renders.resolve() / "normals"
    assert sorted(path.relative_to(renders) for path in renders.rglob("*.png")) == [
        Path("normals/walk/E/0001.png"),
        Path("walk/E/0001.png"),
    ]
    assert_world_normals(renders / "normals" / "walk" / "E" / "0001.png", normal_camera.camera_rotation(scene))
    assert png_without_timings(render_folder / "0001.png") == png_without_timings(tmp_path / "plain" / "0001.png")


def user_compositor(scene, state: str, files: Path) -> None:  # type: ignore[no-untyped-def]
    """A compositor of the user's: the render inverted, and a File Output node of its own writing to ``files``;
    ``state`` says whether it is on ("active"), or off by Render > Compositing or by Use Nodes (before 5.0)."""
    if NEW_COMPOSITOR:
        tree = bpy.data.node_groups.new("user", "CompositorNodeTree")
        tree.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
        output = tree.nodes.new("NodeGroupOutput")
        if EFFECTS:
            scene.compositor_effects.new("user").node_group = tree
        else:
            scene.compositing_node_group = tree
    else:
        scene.use_nodes = True
        tree = scene.node_tree
        tree.nodes.clear()
        output = tree.nodes.new("CompositorNodeComposite")
        output.use_alpha = False
    layers = tree.nodes.new("CompositorNodeRLayers")
    invert = tree.nodes.new("CompositorNodeInvert")
    tree.links.new(layers.outputs["Image"], invert.inputs["Color"])
    tree.links.new(invert.outputs["Color"], output.inputs[0])
    writer = tree.nodes.new("CompositorNodeOutputFile")
    if NEW_COMPOSITOR:
        writer.directory = str(files)
        writer.file_output_items.new("RGBA", "Image")
    else:
        writer.base_path = str(files)
    tree.links.new(layers.outputs["Image"], writer.inputs[0])
    if state == "compositing off":
        scene.render.use_compositing = False
    elif state == "nodes off":
        scene.use_nodes = False


def tree_state(tree) -> object:  # type: ignore[no-untyped-def]
    if tree is None:
        return None
    nodes = sorted((node.name, node.bl_idname, node.mute, getattr(node, "use_alpha", None)) for node in tree.nodes)
    links = sorted(
        (ln.from_node.name, ln.from_socket.identifier, ln.to_node.name, ln.to_socket.identifier) for ln in tree.links
    )
    return nodes, links


def scene_state(scene) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What writing_normals changes, and what it must leave as it was."""
    state: dict[str, object] = {
        "use_compositing": scene.render.use_compositing,
        "passes": [(layer.name, layer.use_pass_normal) for layer in scene.view_layers],
        "groups": {group.name: tree_state(group) for group in bpy.data.node_groups},
        "filepath": scene.render.filepath,
    }
    if EFFECTS:
        effects = scene.compositor_effects
        state["effects"] = [
            (effect.name, effect.node_group.name, effect.enable_for_render, effect.enable_for_preview)
            for effect in effects
        ]
        state["active"] = None if effects.active is None else effects.active.name
    elif NEW_COMPOSITOR:
        group = scene.compositing_node_group
        state["group"] = None if group is None else group.name
    else:
        state["use_nodes"], state["tree"] = scene.use_nodes, tree_state(scene.node_tree)
    return state


# What Use Nodes makes in a scene without a compositor tree (before 5.0).
DEFAULT_TREE = (
    [("Composite", "CompositorNodeComposite", False, True), ("Render Layers", "CompositorNodeRLayers", False, None)],
    [("Render Layers", "Image", "Composite", "Image")],
)
STATES = ["none", "active", "compositing off"] + ([] if NEW_COMPOSITOR else ["nodes off"])


@pytest.mark.parametrize("state", STATES)
def test_the_scene_and_its_colour_frames_stay_as_they_were_whatever_its_compositor(tmp_path: Path, state: str) -> None:
    scene = sphere_scene(str(tmp_path / "plain") + "/", size=24, samples=1)
    if state == "none" and not NEW_COMPOSITOR:
        # Blender makes a scene's compositor tree the first time Use Nodes is on, and Python cannot remove
        # it: a scene without one gets Blender's default tree, as Use Nodes turned on and off would leave.
        with normal_pass.writing_normals(scene, tmp_path):
            pass
        assert scene.use_nodes is False
        assert tree_state(scene.node_tree) == DEFAULT_TREE
    if state != "none":
        user_compositor(scene, state, tmp_path / "user")
    before = scene_state(scene)
    render(scene, tmp_path / "plain")
    scene.render.filepath = str(tmp_path / "renders") + "/"
    with normal_pass.writing_normals(scene, tmp_path / "renders"):
        render(scene)
    scene.render.filepath = before["filepath"]
    assert scene_state(scene) == before
    assert png_without_timings(tmp_path / "renders" / "0001.png") == png_without_timings(
        tmp_path / "plain" / "0001.png"
    )
    assert (tmp_path / "renders" / "normals" / "0001.png").is_file()
    assert (tmp_path / "user").exists() == (state == "active")  # an inactive compositor writes nothing


@pytest.mark.parametrize("state", STATES)
def test_an_error_in_the_block_gives_the_scene_back(tmp_path: Path, state: str) -> None:
    scene = sphere_scene(str(tmp_path) + "/", size=8, samples=1)
    if state != "none":
        user_compositor(scene, state, tmp_path / "user")
    before = scene_state(scene)
    with pytest.raises(KeyboardInterrupt), normal_pass.writing_normals(scene, tmp_path):
        assert scene.view_layers[0].use_pass_normal
        raise KeyboardInterrupt  # as Ctrl+C in the middle of a render would
    after = scene_state(scene)
    if state == "none" and not NEW_COMPOSITOR:
        assert after.pop("tree") == DEFAULT_TREE
        before.pop("tree")
    assert after == before


def test_nothing_is_changed_for_a_scene_that_cannot_have_normal_frames(tmp_path: Path) -> None:
    scene = sphere_scene(str(tmp_path / "elsewhere") + "/", size=8, samples=1)
    before = scene_state(scene)
    with (
        pytest.raises(ValueError, match="is not in the renders folder"),
        normal_pass.writing_normals(scene, tmp_path / "renders"),
    ):
        pass
    scene.render.engine = "BLENDER_WORKBENCH"
    with (
        pytest.raises(ValueError, match="Workbench engine has no Normal pass"),
        normal_pass.writing_normals(scene, tmp_path),
    ):
        pass
    assert scene_state(scene) == before


def test_only_engines_with_a_normal_pass_are_accepted() -> None:
    scene = bpy.context.scene
    scene.render.engine = "BLENDER_WORKBENCH"
    assert normal_pass.normal_pass_problem(scene) == (
        "Normal Maps: the Workbench engine has no Normal pass; use Cycles or EEVEE"
    )
    for engine in ("CYCLES", EEVEE):
        scene.render.engine = engine
        assert normal_pass.normal_pass_problem(scene) is None


TEMPLATES = ["", "walk/E/", "walk/E/hero_", "walk/E/hero_##", "walk/E/hero_###_x"]


@pytest.mark.parametrize("template", TEMPLATES)
def test_each_normal_frame_is_named_as_its_colour_frame(tmp_path: Path, template: str) -> None:
    """Frames 2 and 3 as an animation, then frame 5 as ``blender -b -f 5`` renders it: an animation of its own."""
    scene = sphere_scene(str(tmp_path) + "/" + template, size=8, samples=1)
    for first, last in ((2, 3), (5, 5)):
        scene.frame_start, scene.frame_end = first, last
        with normal_pass.writing_normals(scene, tmp_path):
            bpy.ops.render.render(animation=True)
    colour = sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*.png") if "normals" not in path.parts)
    normals = sorted(path.relative_to(tmp_path / "normals") for path in (tmp_path / "normals").rglob("*.png"))
    assert normals == colour and len(colour) == 3
    assert [normal_pass.normal_frame_path(scene, tmp_path, frame) for frame in (2, 3, 5)] == [
        tmp_path.resolve() / "normals" / path for path in colour
    ]
    assert "5" in colour[-1].name and "#" not in colour[-1].name


def test_the_camera_rotation_takes_world_normals_into_camera_space(tmp_path: Path) -> None:
    scene = sphere_scene(str(tmp_path) + "/", size=8)
    camera = scene.camera
    camera.location, camera.rotation_euler, camera.scale = (0, -5, 0), (math.pi / 2, 0, 0), (1, 2, 3)  # faces +Y
    bpy.context.view_layer.update()
    rotation = np.asarray(normal_camera.camera_rotation(scene))
    assert np.allclose(rotation @ rotation.T, np.eye(3), atol=1e-6)  # a rotation, though the camera is scaled
    assert np.allclose(rotation @ (1, 0, 0), (1, 0, 0), atol=1e-6)  # right stays right
    assert np.allclose(rotation @ (0, 0, 1), (0, 1, 0), atol=1e-6)  # world up is screen up
    assert np.allclose(rotation @ (0, -1, 0), (0, 0, 1), atol=1e-6)  # toward the camera is toward the viewer
    path = normal_camera.write_camera_file(tmp_path, scene)
    assert path == tmp_path / "normals" / "camera.json"
    assert json.loads(path.read_text()) == {"world_to_camera": rotation.tolist()}
    assert [p.name for p in path.parent.iterdir()] == ["camera.json"]  # no temporary file left


# Debian's Blender 3.4 renders a frame list (-f) with writing_normals held from render_init to render_complete,
# as the add-on's handlers would hold it; with the depth frames of Inner Lines too.
HOLD_PER_RENDER = """
import contextlib, sys
sys.path.insert(0, {addons!r})
import bpy
from pathlib import Path
from pixel_sprites.blender import depth_pass, normal_camera, normal_pass
renders = Path({renders!r})
held = contextlib.ExitStack()

def start(scene, *_):
    held.enter_context(normal_pass.writing_normals(scene, renders, depth=True))
    depth_pass.write_depth_file(renders, scene)

def stop(scene, *_):
    held.close()
    normal_camera.write_camera_file(renders, scene)
    layer = scene.view_layers[0]
    print("GIVEN BACK", layer.use_pass_normal, layer.use_pass_z, scene.use_nodes, len(scene.node_tree.nodes))

bpy.app.handlers.render_init.append(start)
bpy.app.handlers.render_complete.append(stop)
bpy.app.handlers.render_cancel.append(stop)
"""


@pytest.mark.debian_blender
@pytest.mark.skipif(BLENDER is None, reason="Debian's blender is not installed")
def test_debian_blender_writes_normal_frames_in_a_frame_list_render(tmp_path: Path) -> None:
    blend = tmp_path / "sphere.blend"
    make = f"{inspect.getsource(build_sphere_scene)}\nbuild_sphere_scene('')\n"
    made = blender("--python-expr", f"{make}import bpy\nbpy.ops.wm.save_as_mainfile(filepath={str(blend)!r})\n")
    assert blend.is_file(), made.stdout[-2000:] + made.stderr
    (tmp_path / "addons").mkdir()
    (tmp_path / "addons" / "pixel_sprites").symlink_to(ROOT / "addon")
    renders = tmp_path / "renders"
    plain = blender(str(blend), "-o", str(tmp_path / "plain" / "walk" / "hero_"), "-f", "1..2")
    assert plain.returncode == 0, plain.stderr[-2000:]
    hold = HOLD_PER_RENDER.format(addons=str(tmp_path / "addons"), renders=str(renders))
    result = blender(str(blend), "-o", str(renders / "walk" / "hero_"), "--python-expr", hold, "-f", "1..2")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert [line for line in result.stdout.splitlines() if line.startswith("GIVEN BACK")] == [
        "GIVEN BACK False False False 2"
    ] * 2
    assert sorted(path.relative_to(renders) for path in renders.rglob("*.png")) == [
        Path(f"{folder}walk/hero_000{frame}.png") for folder in ("depth/", "normals/", "") for frame in (1, 2)
    ]
    scale = read_depth_file(renders / "depth" / DEPTH_FILE)
    for frame in (1, 2):  # the unit sphere 5 from the camera: 4 at its nearest, the background at the far clip
        depth = read_depth(renders / "depth" / "walk" / f"hero_000{frame}.png", (64, 64), scale)
        assert depth.min() == pytest.approx(4.0, abs=0.03) and depth.max() == pytest.approx(scale.far)
    rotation = json.loads((renders / "normals" / "camera.json").read_text())["world_to_camera"]
    for frame in (1, 2):
        assert_world_normals(renders / "normals" / "walk" / f"hero_000{frame}.png", rotation)
        name = f"walk/hero_000{frame}.png"
        assert png_without_timings(renders / name) == png_without_timings(tmp_path / "plain" / name)
