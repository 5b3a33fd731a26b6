"""The Game Data settings (issue 30): the scene's points, boxes and In Place, what a job asks for from them
(``rig_request``), the batch script's ``--points``, ``--boxes``, ``--in-place`` and their ``--no-`` forms, and the
Flamenco job type's statements, in real Blender: each name looked up in the scene, a bad one refused naming it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import bpy
import pytest
import render_sprites
from test_batch_options import apply_batch_options
from test_blender_binary import BLENDER, ROOT, blender

from pixel_sprites.engine.errors import OptionError
from pixel_sprites.engine.sets.rig_names import RigRequest, RigSource

SCRIPT = str(ROOT / "scripts" / "render_sprites.py")


@pytest.fixture
def rig_scene() -> Any:
    """The default scene with an armature ``Rig`` (bones ``hand.L`` and ``mixamorig:Head``), an Empty ``Muzzle``, a
    hidden box ``HurtBox``, a collection ``Hitboxes`` of two meshes, an empty collection ``Nothing``, an object
    ``Twin`` and a collection ``Twin``, and an object ``Elsewhere`` that is in no scene."""
    render_sprites.load_addon()
    scene = bpy.context.scene
    armature = bpy.data.armatures.new("RigData")
    rig = bpy.data.objects.new("Rig", armature)
    scene.collection.objects.link(rig)
    bpy.context.view_layer.objects.active = rig
    bpy.ops.object.mode_set(mode="EDIT")
    for name, head in (("hand.L", (0.5, 0, 1)), ("mixamorig:Head", (0, 0, 1.6))):
        bone = armature.edit_bones.new(name)
        bone.head, bone.tail = head, (head[0], head[1], head[2] + 0.2)
    bpy.ops.object.mode_set(mode="OBJECT")
    scene.collection.objects.link(bpy.data.objects.new("Muzzle", None))
    box = bpy.data.objects.new("HurtBox", bpy.data.meshes.new("HurtBoxMesh"))
    box.hide_render = True
    scene.collection.objects.link(box)
    hitboxes = bpy.data.collections.new("Hitboxes")
    scene.collection.children.link(hitboxes)
    for name in ("upper", "lower"):
        hitboxes.objects.link(bpy.data.objects.new(name, bpy.data.meshes.new(name)))
    scene.collection.children.link(bpy.data.collections.new("Nothing"))
    scene.collection.objects.link(bpy.data.objects.new("Twin", None))
    scene.collection.children.link(bpy.data.collections.new("Twin"))
    bpy.data.objects.new("Elsewhere", None)
    return scene


def test_the_settings_are_off_by_default_and_ask_for_nothing(rig_scene) -> None:
    settings = rig_scene.pixel_sprites
    assert (len(settings.rig_points), len(settings.rig_boxes), settings.in_place) == (0, 0, False)
    assert settings.rig_request() is None
    assert settings.sprite_job(Path("/renders")).rig is None


def test_rig_request_names_each_item_after_its_source_unless_named(rig_scene) -> None:
    settings = rig_scene.pixel_sprites
    hand = settings.rig_points.add()
    hand.target, hand.bone, hand.tail = bpy.data.objects["Rig"], "hand.L", True
    muzzle = settings.rig_points.add()
    muzzle.name, muzzle.target, muzzle.tail = "Gun", bpy.data.objects["Muzzle"], True  # no bone: no tail
    settings.rig_boxes.add().target = bpy.data.objects["HurtBox"]
    hit = settings.rig_boxes.add()
    hit.name, hit.collection = "hit", bpy.data.collections["Hitboxes"]
    settings.in_place = True

    expected = RigRequest(
        (RigSource("hand.L", "Rig", "hand.L", True), RigSource("Gun", "Muzzle")),
        (RigSource("HurtBox", "HurtBox"), RigSource("hit", "Hitboxes")),
        in_place=True,
    )
    assert settings.rig_request() == expected
    assert settings.sprite_job(Path("/renders")).rig == expected
    assert settings.game_data_text("points") == "Rig/hand.L/tail,Gun=Muzzle"
    assert settings.game_data_text("boxes") == "HurtBox,hit=Hitboxes"


def test_in_place_alone_is_a_request(rig_scene) -> None:
    rig_scene.pixel_sprites.in_place = True
    assert rig_scene.pixel_sprites.rig_request() == RigRequest(in_place=True)


def test_a_box_is_an_object_or_a_collection_choosing_one_empties_the_other(rig_scene) -> None:
    box = rig_scene.pixel_sprites.rig_boxes.add()
    box.target = bpy.data.objects["HurtBox"]
    box.collection = bpy.data.collections["Hitboxes"]
    assert box.target is None
    box.target = bpy.data.objects["HurtBox"]
    assert box.collection is None


@pytest.mark.parametrize(
    ("fill", "message"),
    [
        (lambda s: s.rig_points.add(), "Game Data: point 1 (no name) has no object: choose one or remove it"),
        (lambda s: setattr(s.rig_boxes.add(), "name", "hurt"), "Game Data: box 1 (hurt) has no object nor collection"),
        (lambda s: setattr(s.rig_points.add(), "name", "pivot") or setattr(s.rig_points[0], "target",
                                                                             bpy.data.objects["Muzzle"]),
         "--points pivot=Muzzle: the name 'pivot' is the engine files' own (pivot)"),
    ],
)  # fmt: skip
def test_rig_request_refuses_an_item_naming_it(rig_scene, fill, message: str) -> None:
    fill(rig_scene.pixel_sprites)
    with pytest.raises(OptionError) as refused:
        rig_scene.pixel_sprites.rig_request()
    assert str(refused.value).startswith(message)


def test_two_outputs_of_one_godot_name_are_refused(rig_scene) -> None:
    settings = rig_scene.pixel_sprites
    settings.set_game_data(points="Hand.L=Muzzle")
    settings.rig_boxes.add().name = "Hand:L"
    settings.rig_boxes[0].target = bpy.data.objects["HurtBox"]
    with pytest.raises(OptionError, match=r"the name 'Hand:L' \(in Godot, Hand_L\) is already Hand\.L=Muzzle's"):
        settings.rig_request()


def test_set_game_data_looks_each_name_up_in_the_scene(rig_scene) -> None:
    settings = rig_scene.pixel_sprites
    settings.set_game_data(points="Hand=Rig/hand.L/tail,Rig/mixamorig:Head,Muzzle", boxes="HurtBox,hit=Hitboxes")
    points = [(item.name, item.target.name, item.bone, item.tail) for item in settings.rig_points]
    assert points == [("Hand", "Rig", "hand.L", True), ("", "Rig", "mixamorig:Head", False), ("", "Muzzle", "", False)]
    boxes = [(item.name, item.target and item.target.name, item.collection and item.collection.name)
             for item in settings.rig_boxes]  # fmt: skip
    assert boxes == [("", "HurtBox", None), ("hit", None, "Hitboxes")]
    assert [source.name for source in settings.rig_request().points] == ["Hand", "mixamorig:Head", "Muzzle"]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"points": "Nope"}, "--points Nope: no object named 'Nope' in the scene"),
        ({"points": "Elsewhere"}, "--points Elsewhere: no object named 'Elsewhere' in the scene"),
        ({"points": "Rig/foot.R"}, "--points Rig/foot.R: no bone named 'foot.R' in the armature 'Rig'"),
        ({"points": "Muzzle/hand.L"}, "--points Muzzle/hand.L: 'Muzzle' is not an armature, it has no bones"),
        ({"points": "Rig/hand.L/tip"}, "--points 'Rig/hand.L/tip': a point is OBJECT, OBJECT/BONE or OBJECT/BONE/tail"),
        ({"boxes": "Nope"}, "--boxes Nope: no object or collection named 'Nope' in the scene"),
        ({"boxes": "Twin"}, "--boxes Twin: 'Twin' is both an object and a collection; rename one"),
        ({"boxes": "Nothing"}, "--boxes Nothing: the collection 'Nothing' holds no mesh"),
        ({"boxes": "Sprite=HurtBox"}, "--boxes Sprite=HurtBox: the name 'Sprite' is the engine files' own"),
        ({"points": "hurt=Muzzle", "boxes": "hurt=HurtBox"}, "--boxes hurt=HurtBox: the name 'hurt' is already"),
    ],
)
def test_set_game_data_refuses_a_name_before_either_list_changes(rig_scene, given: dict, message: str) -> None:
    settings = rig_scene.pixel_sprites
    settings.set_game_data(points="Muzzle", boxes="HurtBox")
    with pytest.raises(OptionError) as refused:
        settings.set_game_data(**given)
    assert str(refused.value).startswith(message), str(refused.value)
    assert settings.game_data_text("points") == "Muzzle" and settings.game_data_text("boxes") == "HurtBox"


# ---------------------------------------------------------------------------------------------------------------
# The batch script


def test_the_batch_flags_set_the_lists_and_in_place_and_nothing_else(rig_scene) -> None:
    changes = apply_batch_options("--points", "Hand=Rig/hand.L/tail", "--boxes", "Hitboxes", "--in-place")
    assert changes.keys() == {"rig_points", "rig_boxes", "in_place"}  # Sprites After Render is on already
    assert [(p["name"], p["target"], p["bone"], p["tail"]) for p in changes["rig_points"]] == [
        ("Hand", "Rig", "hand.L", True)
    ]
    assert [(b["target"], b["collection"]) for b in changes["rig_boxes"]] == [(None, "Hitboxes")]
    assert changes["in_place"] is True
    assert apply_batch_options("--points", "Muzzle").keys() == {"rig_points"}  # boxes kept
    assert apply_batch_options("--no-points", "--no-boxes", "--no-in-place") == {
        "rig_points": [], "rig_boxes": [], "in_place": False,
    }  # fmt: skip
    assert apply_batch_options() == {}


def test_a_bad_batch_flag_is_refused_as_the_arguments_are_parsed(rig_scene, capsys) -> None:
    for argv, problem in (
        (["--points", "Rig//x"], "argument --points: 'Rig//x': a point is OBJECT, OBJECT/BONE or OBJECT/BONE/tail"),
        (["--points", "Rig", "--no-points"], "argument --no-points: not allowed with argument --points"),
    ):
        with pytest.raises(SystemExit) as exit_request:
            render_sprites.parse(argv)
        assert exit_request.value.code == 2
        assert capsys.readouterr().err.splitlines()[-1].startswith(f"render_sprites.py: error: {problem}")


needs_debian_blender = pytest.mark.skipif(BLENDER is None, reason="Debian's blender is not installed")


@pytest.mark.debian_blender
@needs_debian_blender
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--points", "Armature", "--boxes", "Nope"], "--boxes Nope: no object or collection named 'Nope'"),
        (["--points", "Armature/hand.L"], "--points Armature/hand.L: no bone named 'hand.L' in the armature"),
        (["--boxes", "Cube,Cube"], "--boxes Cube: the name 'Cube' is already Cube's"),
    ],
)
def test_blender_b_refuses_a_name_not_in_the_scene_before_any_render(tmp_path: Path, argv, message: str) -> None:
    blend, renders = tmp_path / "scene.blend", tmp_path / "renders"
    made = blender(
        "--factory-startup",
        "--python-expr",
        "import bpy\nscene = bpy.context.scene\nscene.frame_end = 2\n"
        "scene.render.resolution_x, scene.render.resolution_y = 16, 16\n"
        f"scene.render.filepath = {str(renders) + '/'!r}\n"
        "arm = bpy.data.objects.new('Armature', bpy.data.armatures.new('Armature'))\n"
        "scene.collection.objects.link(arm)\n"
        f"bpy.ops.wm.save_as_mainfile(filepath={str(blend)!r})\n",
    )
    assert blend.is_file(), made.stdout[-2000:] + made.stderr
    result = blender(str(blend), "--python", SCRIPT, "--", *argv)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr
    assert f"render_sprites.py: error: {message}" in result.stderr
    assert not renders.exists()  # nothing rendered


# ---------------------------------------------------------------------------------------------------------------
# The Flamenco job type's statements, run on the scene


def test_the_flamenco_settings_round_trip_through_a_scene(rig_scene, node: str) -> None:
    """The eval expressions read the scene's lists as text, the compiled tasks' statements set them back: the same
    request, names looked up in the scene."""
    sys.path.insert(0, str(ROOT / "tests" / "engine"))  # the job type's test helpers
    from test_flamenco_job import HARNESS, JOB_TYPE, pixel_job, python_exprs

    settings = rig_scene.pixel_sprites
    settings.set_game_data(points="Hand=Rig/hand.L/tail,Muzzle", boxes="hit=Hitboxes,HurtBox")
    settings.in_place = True
    request = settings.rig_request()
    job_type = json.loads(
        subprocess.run([node, str(HARNESS), str(JOB_TYPE)], input=json.dumps(pixel_job()), capture_output=True,
                       text=True, check=True).stdout
    )["jobType"]  # fmt: skip
    evals = {
        item["key"]: item["eval"] for item in job_type["settings"] if item["key"] in ("points", "boxes", "in_place")
    }
    values = {key: eval(expr, {}, {"C": bpy.context}) for key, expr in evals.items()}
    assert values == {"points": "Hand=Rig/hand.L/tail,Muzzle", "boxes": "hit=Hitboxes,HurtBox", "in_place": True}

    compiled = json.loads(
        subprocess.run([node, str(HARNESS), str(JOB_TYPE)], input=json.dumps(pixel_job(**values)), capture_output=True,
                       text=True, check=True).stdout
    )["job"]  # fmt: skip
    settings.set_game_data(points="", boxes="")
    settings.in_place = False
    *statements, _call = python_exprs(compiled["tasks"][0])[-1].split("; ")
    exec("; ".join(statements), {"bpy": bpy, "chr": chr})
    assert settings.rig_request() == request
