"""The Flamenco job type's game data settings (points, boxes, In Place) reach every task the way the other settings
do, are checked at submission as the engine checks them, and change nothing when left empty.

Compiled by ``tests/flamenco/harness.js`` as in ``test_flamenco_job.py``; that the statements set the scene in
real Blender, names looked up in it, is ``tests/blender/test_rig_settings.py``'s.
"""

from __future__ import annotations

import ast
import re

import pytest
from test_flamenco_job import JOB_TYPE, SET_ACTIONS, by_name, compile_job, compiled, pixel_job, python_exprs

from pixel_sprites.engine.sets.rig_names import RESERVED_NAMES, check_names, parse_list

BASE = {"set_actions": SET_ACTIONS, "directions": 4, "frames": "1-3"}
POINTS = "Hand=Rig/hand.L/tail, Rig/mixamorig:Head,Muzzle"
BOXES = "hurt=HurtBox,Hitboxes"


def game_data_call(task: dict) -> dict[str, object] | None:
    """The keyword arguments of the task's ``s.set_game_data(...)``, evaluated as a worker's Python reads them."""
    for statement in ast.parse(python_exprs(task)[-1]).body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if isinstance(call, ast.Call) and ast.unparse(call.func) == "s.set_game_data":
            return {
                keyword.arg: eval(compile(ast.Expression(keyword.value), "<arg>", "eval"), {"chr": chr})
                for keyword in call.keywords
            }
    return None


def assigned_in_place(task: dict) -> bool:
    return "s.in_place = True" in python_exprs(task)[-1].split("; ")


def test_game_data_reaches_every_task_and_empty_changes_nothing(node: str) -> None:
    plain = by_name(compiled(node, **BASE))
    empty = by_name(compiled(node, **BASE, points="", boxes=" ", in_place=False))
    assert empty == plain
    rigged = by_name(compiled(node, **BASE, points=POINTS, boxes=BOXES, in_place=True))
    assert list(rigged) == list(plain)
    for name, task in rigged.items():  # the render tasks project it; apply and sheets run with the same scene
        assert game_data_call(task) == {"points": "Hand=Rig/hand.L/tail,Rig/mixamorig:Head,Muzzle", "boxes": BOXES}
        assert assigned_in_place(task), name
        assert game_data_call(plain[name]) is None and not assigned_in_place(plain[name]), name
    # What the worker gets parses to what the engine parses from the setting.
    call = game_data_call(rigged["fit"])
    assert call is not None
    assert parse_list(str(call["points"]), "--points") == parse_list(POINTS, "--points")


def test_only_the_lists_given_are_set(node: str) -> None:
    for overrides, expected in (({"points": "Rig"}, {"points": "Rig"}), ({"boxes": "HurtBox"}, {"boxes": "HurtBox"})):
        for task in compiled(node, **BASE, **overrides)["tasks"]:
            assert game_data_call(task) == expected
            assert not assigned_in_place(task)
    for task in compiled(node, **BASE, in_place=True)["tasks"]:
        assert game_data_call(task) is None and assigned_in_place(task)


def test_names_with_slashes_and_quotes_reach_the_worker_intact(node: str) -> None:
    """Flamenco expands variables in every argument and turns slashes into the worker's separator: the setting's
    text travels as chr() pieces, as the character's name does."""
    points = "It's=Rig/hand\\L"
    (task, *_) = compiled(node, points=points)["tasks"]
    assert game_data_call(task) == {"points": points}
    assert "/" not in python_exprs(task)[-1].split("s.set_game_data(", 1)[1].split(")", 1)[0]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"points": "Rig/hand.L/tip"}, 'points: "Rig/hand.L/tip": a point is OBJECT, OBJECT/BONE or OBJECT/BONE/tail'),
        ({"points": "Rig//hand"}, 'points: "Rig//hand": a point is OBJECT'),
        ({"points": "=Rig"}, 'points: "=Rig": NAME=SOURCE needs both a name and a source'),
        ({"boxes": "hurt="}, 'boxes: "hurt=": NAME=SOURCE needs both a name and a source'),
        ({"points": "pivot=Rig"}, 'points: "pivot=Rig": the name "pivot" is the engine files\' own'),
        ({"boxes": "Sprite"}, 'boxes: "Sprite": the name "Sprite" is the engine files\' own'),
        ({"points": "Rig/hand.L,Rig/hand:L"}, 'points: "Rig/hand:L": the name "hand:L" is already "Rig/hand.L"\'s'),
        ({"points": "Hurt=Rig", "boxes": "Hurt=Box"}, 'boxes: "Hurt=Box": the name "Hurt" is already "Hurt=Rig"\'s'),
    ],
)
def test_bad_game_data_is_refused_at_submission_naming_the_setting(node: str, overrides: dict, message: str) -> None:
    result = compile_job(node, JOB_TYPE, pixel_job(**overrides))
    assert "job" not in result
    assert result["error"].startswith(message), result["error"]


@pytest.mark.parametrize(
    ("points", "boxes"),
    [("pivot=Rig", ""), ("Rig/a.b,Rig/a@b", ""), ("Hurt=Rig", "Hurt"), ("AnimationPlayer", ""), ("x=Rig", "x=y")],
)
def test_the_job_type_refuses_the_names_the_engine_refuses(node: str, points: str, boxes: str) -> None:
    with pytest.raises(Exception, match="name"):
        check_names(parse_list(points, "--points"), parse_list(boxes, "--boxes"))
    assert "error" in compile_job(node, JOB_TYPE, pixel_job(points=points, boxes=boxes))


def test_the_reserved_names_are_the_engines() -> None:
    script = JOB_TYPE.read_text(encoding="utf-8")
    match = re.search(r"^const RESERVED_NAMES = \[(.+)\];$", script, re.M)
    assert match is not None
    assert tuple(re.findall(r'"([^"]+)"', match.group(1))) == RESERVED_NAMES
