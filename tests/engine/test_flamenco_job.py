"""Pixel Sprites' Flamenco job type, ``scripts/flamenco/pixel_sprites.js``, compiled outside Flamenco.

``tests/flamenco/harness.js`` (Node) gives a job type the parts of Flamenco 3.9's job compiler API that it uses,
with the semantics of Flamenco's Go code, and prints the task graph it authors. The harness is held to Flamenco
in two ways: its functions against the values Flamenco's own Go tests expect (``js_globals_test.go``,
``crosspath_test.go``), and Flamenco's own ``simple_blender_render.js`` against the graph that
``job_compilers_test.go`` expects. That script is not in this repository (it is Flamenco's code) and no package
registry ships it, so that test runs when ``FLAMENCO_SIMPLE_JOB`` names a copy of it
(``internal/manager/job_compilers/scripts/simple_blender_render.js`` of Flamenco 3.9) or the workplace keeps one
beside the repository (``../shared/ref/flamenco/``), and skips otherwise.

Node runs the harness: without ``node`` these tests skip, and in CI (``CI`` set) they fail.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pixel_sprites.engine.files.names import unique_safe_names
from pixel_sprites.engine.sets.facings import COMPASS, facings

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests" / "flamenco" / "harness.js"
PROBE = ROOT / "tests" / "flamenco" / "api_probe.js"
BLENDER_EVAL = ROOT / "tests" / "flamenco" / "blender_eval.py"
JOB_TYPE = ROOT / "scripts" / "flamenco" / "pixel_sprites.js"

CREATED = "2006-01-02T15:04:05"  # the mocked clock of job_compilers_test.go, local time
STAMP = "2006-01-02_150405"
# Flamenco 3.9's render settings expression, as job_compilers_test.go expects it (pyRenderSettings).
FLAMENCO_RENDER_SETTINGS = (
    "import bpy; r = bpy.context.scene.render; r.use_file_extension = True; r.use_overwrite = False; "
    "r.use_placeholder = False"
)
OPERATORS = {"farm_prepare", "farm_fit", "farm_apply", "farm_sheets"}


def compile_jobs(node: str, script: Path, jobs: list[dict]) -> list[dict]:
    """Every job compiled by the harness in one Node process: [{"jobType": ..., "job": ...} or {"error": ...}]."""
    done = subprocess.run(
        [node, str(HARNESS), str(script)], input=json.dumps(jobs), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def compile_job(node: str, script: Path, job: dict) -> dict:
    (result,) = compile_jobs(node, script, [job])
    return result


def compiled(node: str, **overrides: object) -> dict:
    """The Pixel Sprites job for the base settings with ``overrides``; fails on a compile error."""
    result = compile_job(node, JOB_TYPE, pixel_job(**overrides))
    assert "error" not in result, result["error"]
    return result["job"]


def pixel_job(name: str = "hero", **overrides: object) -> dict:
    settings = {
        "blendfile": "/render/jobs/hero.blend",
        "chunk_size": 4,
        "frames": "1-10",
        "render_output_root": "/render/sprites",
        "add_path_components": 0,
        "render_output_path": "/render/sprites/hero/{timestamp}/######",
        "character": "hero",
        "pixel": 10,
        "colors": "auto",
        "palette_mode": "fit",
        "palette_file": "",
        "sheets": True,
        "set_actions": "",
        "set_frames": "",
        "directions": 8,
        "start_facing": "S",
        "scene": "Scene",
        **overrides,
    }
    return {"name": name, "priority": 50, "created": CREATED, "settings": settings}


def by_name(job: dict) -> dict[str, dict]:
    tasks = {task["name"]: task for task in job["tasks"]}
    assert len(tasks) == len(job["tasks"]), "task names are not unique"
    return tasks


def args_of(task: dict) -> list[str]:
    (command,) = task["commands"]
    return command["parameters"]["args"]


def python_exprs(task: dict) -> list[str]:
    args = args_of(task)
    return [args[i + 1] for i, arg in enumerate(args) if arg == "--python-expr"]


def operator_call(expr: str) -> tuple[str, dict[str, object], dict[str, object]]:
    """The Pixel Sprites operator an expression calls, its keyword arguments, and the scene settings it sets first.

    Values are evaluated with nothing but ``chr`` available, as Python would read them on a worker.
    """
    module = ast.parse(expr)
    *statements, last = module.body
    assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call), expr
    call = last.value
    assert ast.unparse(call.func).startswith("bpy.ops.pixel_sprites."), expr
    operator = ast.unparse(call.func).rsplit(".", 1)[1]
    assert not call.args, expr

    def value(node: ast.expr) -> object:
        return eval(compile(ast.Expression(node), "<arg>", "eval"), {"__builtins__": {}, "chr": chr})

    keywords = {keyword.arg: value(keyword.value) for keyword in call.keywords}
    assigned = {}
    for statement in statements:
        if isinstance(statement, ast.Assign) and ast.unparse(statement.targets[0]).startswith("s."):
            assigned[ast.unparse(statement.targets[0])[2:]] = value(statement.value)
    return operator, keywords, assigned


def sprite_call(task: dict) -> tuple[str, dict[str, object], dict[str, object]]:
    """The operator call of a task: the last --python-expr (render tasks run Flamenco's own expression first)."""
    return operator_call(python_exprs(task)[-1])


# ---------------------------------------------------------------------------------------------------------------
# The harness against Flamenco's own expectations.


def probe(node: str, calls: list[list[object]]) -> list[dict]:
    job = {"name": "probe", "created": CREATED, "settings": {"calls": json.dumps(calls)}}
    result = compile_job(node, PROBE, job)
    return [task["commands"][0]["parameters"] for task in result["job"]["tasks"]]


def test_frame_chunker_matches_flamencos_tests(node: str) -> None:
    # Inputs and results from js_globals_test.go and job_compilers_test.go:TestComplexFrameRange.
    cases = [
        (("1..10,20..25,40,3..8", 4), ["1-4", "5-8", "9,10,20,21", "22-25", "40"]),
        (("47", 4), ["47"]),
        (("1-3", 3), ["1-3"]),
        (("1-10,20-25,40", 4), ["1-4", "5-8", "9,10,20,21", "22-25", "40"]),
        ((" 1  .. 10,\t20..25\n,40   ", 4), ["1-4", "5-8", "9,10,20,21", "22-25", "40"]),
        (("0-12,34-56,78-90", 20), ["0-12,34-40", "41-56,78-81", "82-90"]),
    ]
    results = probe(node, [["frameChunker", *args] for args, _ in cases])
    assert [result.get("value") for result in results] == [expected for _, expected in cases]

    empty, unparsable, bad_size = probe(
        node, [["frameChunker", "   ", 4], ["frameChunker", " 1 10", 4], ["frameChunker", "1-3", 0]]
    )
    assert empty["error"] == 'invalid range "": empty range'
    assert "1 10" in unparsable["error"]
    assert bad_size["error"] == "invalid chunk size, must be positive number: 0"

    counts = probe(node, [["frameCount", "0-12,34-40"], ["frameCount", "41-56,78-81"], ["frameCount", "82-90"]])
    assert [count["value"] for count in counts] == [(12 - 0 + 1) + (40 - 34 + 1), (56 - 41 + 1) + (81 - 78 + 1), 9]


def test_path_functions_match_crosspaths_tests(node: str) -> None:
    # Inputs and results from pkg/crosspath/crosspath_test.go (TestBase, TestDir, TestJoin, TestStem).
    cases = [
        (["path.basename", ""], "."),
        (["path.basename", "justafile.txt"], "justafile.txt"),
        (["path.basename", "/Linux path/with spaces.txt"], "with spaces.txt"),
        (["path.basename", "C:\\ünicode\\is\\awésom.tar.gz"], "awésom.tar.gz"),
        (
            ["path.basename", "\\\\?\\UNC\\ComputerName\\SharedFolder\\Resource with ext.ension"],
            "Resource with ext.ension",
        ),
        (["path.dirname", ""], "."),
        (["path.dirname", "justafile.txt"], "."),
        (["path.dirname", "/"], "/"),
        (["path.dirname", "/file-at-root"], "/"),
        (["path.dirname", "C:\\file-at-root"], "C:"),
        (["path.dirname", "/Linux path/with spaces.txt"], "/Linux path"),
        (["path.dirname", "/Mixed path\\with/slash.txt"], "/Mixed path/with"),
        (["path.dirname", "C:\\ünicode\\is\\awésom.tar.gz"], "C:/ünicode/is"),
        (["path.dirname", "\\\\SERVER\\ünicode\\is\\awésom.tar.gz"], "//SERVER/ünicode/is"),
        (["path.dirname", "\\\\?\\UNC\\ComputerName\\SharedFolder\\Resource"], "//?/UNC/ComputerName/SharedFolder"),
        (["path.join"], ""),
        (["path.join", ""], ""),
        (["path.join", "", ""], ""),
        (["path.join", "", "", "a", "", "b", ""], "a/b"),
        (["path.join", "/", "file-at-root"], "/file-at-root"),
        (["path.join", "C:", "file-at-root"], "C:/file-at-root"),
        (["path.join", "/Linux path", "with spaces.txt"], "/Linux path/with spaces.txt"),
        (["path.join", "C:\\ünicode", "is\\awésom.tar.gz"], "C:/ünicode/is/awésom.tar.gz"),
        (["path.join", "\\\\SERVER", "mount", "dir", "file.txt"], "//SERVER/mount/dir/file.txt"),
        (
            ["path.join", "\\\\?\\UNC\\ComputerName", "SharedFolder\\Resource"],
            "//?/UNC/ComputerName/SharedFolder/Resource",
        ),
        (["path.stem", ""], ""),
        (["path.stem", "stem.txt"], "stem"),
        (["path.stem", "stem.tar.gz"], "stem.tar"),
        (["path.stem", "/path/to/file.txt"], "file"),
        (["path.stem", "C:\\path\\to\\file.txt"], "file"),
        (["path.stem", "C:\\path\\to/mixed/slashes/file.txt"], "file"),
        (["path.stem", "C:\\path/to\\mixed/slashes\\file.txt"], "file"),
        (["path.stem", "\\\\?\\UNC\\ComputerName\\SharedFolder\\Resource with ext.ension"], "Resource with ext"),
    ]
    results = probe(node, [call for call, _ in cases])
    for (call, expected), result in zip(cases, results, strict=True):
        assert result == {"value": expected}, call


def test_author_timestamps_and_task_copies(node: str) -> None:
    stamp, blank_name, blank_type, trimmed = probe(
        node,
        [["formatTimestampLocal", "<created>"], ["author.Task", "  ", "misc"], ["author.Task", "x", ""],
         ["author.Task", " render-1 ", " blender\t"]],
    )  # fmt: skip
    assert stamp == {"value": STAMP}  # job_compilers_test.go:TestSimpleBlenderRenderOutputPathFieldReplacement
    assert blank_name == {"error": "author.Task(name, type): name is required"}
    assert blank_type == {"error": "author.Task(name, type): type is required"}
    assert trimmed == {"value": {"name": "render-1", "type": "blender", "priority": 50}}

    # job.addTask stores a copy (author.go: append(aj.Tasks, *at)): later commands and dependencies are lost.
    result = compile_job(node, PROBE, {"name": "copies", "created": CREATED, "settings": {"snapshot": True}})
    first, second = result["job"]["tasks"]
    assert (first["name"], first["commands"], first["dependencies"]) == ("first", [], [])
    assert second["commands"] == [{"name": "echo", "parameters": {"message": "before"}, "totalStepCount": 2}]
    assert second["dependencies"] == ["first"]
    assert second["stepsTotal"] == 2


# ---------------------------------------------------------------------------------------------------------------
# Flamenco's own simple job through the same harness, against job_compilers_test.go.


FLAMENCO_EXAMPLE_OUTPUT = "/render/sprites/farm_output/promo/square_ellie/square_ellie.lighting_light_breakdown2"


def flamenco_example_job(**settings: object) -> dict:
    """job_compilers_test.go:exampleSubmittedJob."""
    return {
        "name": "3Д рендеринг",
        "priority": 50,
        "type": "simple-blender-render",
        "created": CREATED,
        "worker_tag": "acce9983-e663-4210-b3cc-f7bfa629cb21",
        "settings": {
            "blender_cmd": "{blender}",
            "blendfile": "/render/sf/jobs/scene123.blend",
            "chunk_size": 3,
            "extract_audio": True,
            "format": "PNG",
            "fps": 24.0,
            "frames": "1-10",
            "images_or_video": "images",
            "image_file_extension": ".png",
            "video_container_format": "",
            "render_output_root": "/render/sprites/farm_output/promo/square_ellie",
            "add_path_components": 1,
            "render_output_path": f"{FLAMENCO_EXAMPLE_OUTPUT}/######",
            **settings,
        },
        "metadata": {"project": "Sprite Fright", "user.email": "sybren@blender.org", "user.name": "Sybren Stüvel"},
    }


# Flamenco's own job type, where the workplace keeps reference files of other projects beside the repository.
SHARED_SIMPLE_JOB = Path(__file__).resolve().parents[3] / "shared" / "ref" / "flamenco" / "simple_blender_render.js"


@pytest.fixture(scope="module")
def simple_job() -> Path:
    given = os.environ.get("FLAMENCO_SIMPLE_JOB")
    if not given and SHARED_SIMPLE_JOB.is_file():
        given = str(SHARED_SIMPLE_JOB)
    if not given:
        pytest.skip(
            "FLAMENCO_SIMPLE_JOB is not set: point it at Flamenco 3.9's "
            "internal/manager/job_compilers/scripts/simple_blender_render.js (no package registry ships it)"
        )
    path = Path(given)
    assert path.is_file(), f"FLAMENCO_SIMPLE_JOB: no such file {path}"
    return path


def test_flamencos_simple_job_compiles_as_flamencos_tests_expect(node: str, simple_job: Path) -> None:
    output = FLAMENCO_EXAMPLE_OUTPUT
    windows = "R:\\sprites\\farm_output\\promo\\square_ellie\\square_ellie.lighting_light_breakdown2\\######"
    jobs = [
        flamenco_example_job(),
        flamenco_example_job(scene="Test Scene"),
        flamenco_example_job(blendfile="R:\\sf\\jobs\\scene123.blend", render_output_path=windows),
        flamenco_example_job(render_output_path="/root/{timestamp}/jobname/######"),
        flamenco_example_job(frames="0-12,34-56,78-90", chunk_size=20),
    ]
    happy, with_scene, windows_paths, replaced, complex_range = compile_jobs(node, simple_job, jobs)

    def render_parameters(blendfile: str, render_output: str, frames: str, scene: str | None = None) -> dict:
        before = ["--scene", scene] if scene else []
        args = [*before, "--python-expr", FLAMENCO_RENDER_SETTINGS, "--render-output", render_output]
        return {
            "exe": "{blender}",
            "exeArgs": "{blenderArgs}",
            "blendfile": blendfile,
            "args": [*args, "--render-format", "PNG", "--render-frame", frames],
            "argsBefore": [],
        }

    ffmpeg_args = ["-c:v", "h264", "-crf", "20", "-g", "18", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2",
                   "-pix_fmt", "yuv420p", "-r", 24, "-y"]  # fmt: skip

    # TestSimpleBlenderRenderHappy
    job = happy["job"]
    assert (job["name"], job["priority"], job["jobType"]) == ("3Д рендеринг", 50, "simple-blender-render")
    assert job["settings"] == {**jobs[0]["settings"], "fps": 24}
    assert job["metadata"] == jobs[0]["metadata"]
    assert [task["name"] for task in job["tasks"]] == [
        "render-1-3",
        "render-4-6",
        "render-7-9",
        "render-10",
        "preview-video",
    ]
    t0, video = job["tasks"][0], job["tasks"][4]
    assert [command["name"] for command in t0["commands"]] == ["blender-render"]
    assert t0["commands"][0]["parameters"] == render_parameters(
        "/render/sf/jobs/scene123.blend", f"{output}/######", "1..3"
    )
    assert t0["commands"][0]["totalStepCount"] == 3
    assert video["type"] == "ffmpeg"
    assert video["commands"] == [{
        "name": "frames-to-video",
        "parameters": {"exe": "ffmpeg", "inputGlob": f"{output}/*.png", "outputFile": f"{output}/scene123-1-10.mp4",
                       "fps": 24, "args": ffmpeg_args},
        "totalStepCount": 0,
    }]  # fmt: skip
    assert [task["dependencies"] for task in job["tasks"][:3]] == [[], [], []]
    assert video["dependencies"] == ["render-1-3", "render-4-6", "render-7-9", "render-10"]

    # TestSimpleBlenderRenderWithScene
    t0 = with_scene["job"]["tasks"][0]
    assert t0["name"] == "render-1-3"
    assert t0["commands"][0]["parameters"] == render_parameters(
        "/render/sf/jobs/scene123.blend", f"{output}/######", "1..3", scene="Test Scene"
    )

    # TestSimpleBlenderRenderWindowsPaths: the render output is built with path.join, so in forward slashes;
    # the blend file is copied as it is.
    job = windows_paths["job"]
    assert job["settings"] == {**jobs[2]["settings"], "fps": 24}
    slashed = "R:/sprites/farm_output/promo/square_ellie/square_ellie.lighting_light_breakdown2"
    assert job["tasks"][0]["commands"][0]["parameters"] == render_parameters(
        "R:\\sf\\jobs\\scene123.blend", f"{slashed}/######", "1..3"
    )
    video = job["tasks"][4]["commands"][0]["parameters"]
    assert (video["inputGlob"], video["outputFile"]) == (f"{slashed}/*.png", f"{slashed}/scene123-1-10.mp4")

    # TestSimpleBlenderRenderOutputPathFieldReplacement
    job = replaced["job"]
    assert job["settings"]["render_output_path"] == f"/root/{STAMP}/jobname/######"
    assert job["tasks"][0]["commands"][0]["parameters"] == render_parameters(
        "/render/sf/jobs/scene123.blend", f"/root/{STAMP}/jobname/######", "1..3"
    )
    video = job["tasks"][4]["commands"][0]["parameters"]
    assert (video["inputGlob"], video["outputFile"]) == (
        f"/root/{STAMP}/jobname/*.png",
        f"/root/{STAMP}/jobname/scene123-1-10.mp4",
    )

    # TestComplexFrameRange
    job = complex_range["job"]
    names = ["render-0-12,34-40", "render-41-56,78-81", "render-82-90", "preview-video"]
    assert [task["name"] for task in job["tasks"]] == names
    assert [args_of(task)[6:8] for task in job["tasks"][:3]] == [
        ["--render-frame", "0..12,34..40"], ["--render-frame", "41..56,78..81"], ["--render-frame", "82..90"],
    ]  # fmt: skip
    assert [task["commands"][0]["totalStepCount"] for task in job["tasks"][:3]] == [20, 20, 9]
    assert job["tasks"][3]["type"] == "ffmpeg"
    assert job["tasks"][3]["commands"][0]["parameters"]["outputFile"] == f"{output}/scene123-0-90.mp4"


# ---------------------------------------------------------------------------------------------------------------
# The Pixel Sprites job type.

SETTING_KEYS = {"key", "type", "subtype", "choices", "propargs", "description", "label", "default", "eval",
                "evalInfo", "visible", "required", "editable"}  # fmt: skip


def test_job_type_settings_are_valid_flamenco_settings(node: str) -> None:
    """Each setting as Flamenco's AvailableJobSetting schema (flamenco-openapi.yaml) allows it."""
    job_type = compile_job(node, JOB_TYPE, pixel_job())["jobType"]
    assert (job_type["name"], job_type["label"]) == ("pixel-sprites", "Pixel Sprites")
    settings = {setting["key"]: setting for setting in job_type["settings"]}
    assert len(settings) == len(job_type["settings"])
    assert set(settings) == {
        "frames", "chunk_size", "render_output_root", "add_path_components", "render_output_path", "character",
        "pixel", "colors", "palette_mode", "palette_file", "sheets", "set_actions", "directions", "set_frames",
        "start_facing", "blendfile", "scene", "normal_maps", "packed", "cleanup", "outline", "outline_colour",
        "outline_neighbours", "palette_variants", "inner_lines", "points", "boxes", "in_place", "stabilise",
    }  # fmt: skip
    python_type = {"string": str, "int32": int, "float": float, "bool": bool}
    for key, setting in settings.items():
        assert set(setting) <= SETTING_KEYS, key
        assert setting["type"] in python_type, key
        assert setting.get("subtype", "file_path") in {"file_path", "dir_path", "file_name", "hashed_file_path"}, key
        assert setting.get("visible", "visible") in {"visible", "hidden", "submission", "web"}, key
        if "choices" in setting:
            assert setting["type"] == "string" and setting["default"] in setting["choices"], key
        if "default" in setting:
            assert type(setting["default"]) is python_type[setting["type"]], key
        if "evalInfo" in setting:
            assert set(setting["evalInfo"]) == {"showLinkButton", "description"}, key
        if "eval" in setting:
            compile(setting["eval"], key, "eval")  # a Python expression, as the Flamenco add-on evaluates it
    assert settings["palette_mode"]["choices"] == ["fit", "locked"]
    evals = {key: setting["eval"] for key, setting in settings.items() if "eval" in setting}
    assert evals["character"] == "C.scene.pixel_sprites.character"
    assert evals["directions"] == "C.scene.pixel_sprites.directions"
    assert evals["sheets"] == "C.scene.pixel_sprites.make_sheets"
    assert evals["blendfile"] == "bpy.data.filepath"


def test_plain_scene_fits_then_applies_then_stops_before_sheets(node: str) -> None:
    job = compiled(node)
    chunks = ["1-4", "5-8", "9,10"]
    renders = [f"render-{chunk}" for chunk in chunks]
    applies = [f"apply-{chunk}" for chunk in chunks]
    # A plain scene has no actions to lay out: no sheets task, even with sheets on.
    assert [task["name"] for task in job["tasks"]] == [*renders, "fit", *applies]
    tasks = by_name(job)
    assert {task["type"] for task in job["tasks"]} == {"blender"}
    assert {task["priority"] for task in job["tasks"]} == {50}
    root = f"/render/sprites/hero/{STAMP}"
    assert job["settings"]["render_output_path"] == f"{root}/######"

    settings_expr = (
        "import bpy; s = bpy.context.scene.pixel_sprites; s.render_at_sprite_size = False; s.character = 'hero'; "
        "s.size_mode = 'PIXEL'; s.pixel = 10; s.auto_colors = True"
    )
    (command,) = tasks["render-1-4"]["commands"]
    assert command == {
        "name": "blender-render",
        "parameters": {
            "exe": "{blender}",
            "exeArgs": "{blenderArgs}",
            "argsBefore": [],
            "blendfile": "/render/jobs/hero.blend",
            "args": [
                "--scene", "Scene",
                "--python-expr", FLAMENCO_RENDER_SETTINGS,
                "--render-output", f"{root}/######",
                "--python-exit-code", "1",
                "--python-expr", f"{settings_expr}; bpy.ops.pixel_sprites.farm_prepare(make_sprites=False)",
                "--render-format", "PNG",
                "--render-frame", "1..4",
            ],
        },
        "totalStepCount": 4,
    }  # fmt: skip
    assert [args_of(tasks[name])[-1] for name in renders] == ["1..4", "5..8", "9,10"]
    assert [tasks[name]["commands"][0]["totalStepCount"] for name in renders] == [4, 4, 2]

    assert tasks["fit"]["dependencies"] == renders
    assert args_of(tasks["fit"]) == [
        "--scene", "Scene", "--python-exit-code", "1",
        "--python-expr", f"{settings_expr}; bpy.ops.pixel_sprites.farm_fit(renders=r'{root}')",
    ]  # fmt: skip
    assert tasks["fit"]["commands"][0]["totalStepCount"] == 0
    for name, frames in zip(applies, ["1..4", "5..8", "9,10"], strict=True):
        assert tasks[name]["dependencies"] == ["fit"]
        assert sprite_call(tasks[name])[:2] == ("farm_apply", {"renders": root, "frames": frames, "palette": ""})
    assert sprite_call(tasks["render-9,10"])[:2] == ("farm_prepare", {"make_sprites": False})


SET_ACTIONS = "walk,idle"


def test_set_renders_every_action_from_every_facing_then_sheets(node: str) -> None:
    set_frames = json.dumps([["walk", "1,3,5,7,9,11"]])  # idle is not listed: it renders `frames`
    job = compiled(node, set_actions=SET_ACTIONS, set_frames=set_frames, directions=4, frames="1-5", chunk_size=3)
    tasks = by_name(job)
    root = f"/render/sprites/hero/{STAMP}"
    steps = [(action, facing) for action in ("walk", "idle") for facing in ("S", "E", "N", "W")]
    chunks = {"walk": ["1,3,5", "7,9,11"], "idle": ["1-3", "4,5"]}
    renders = [f"render-{a}-{f}-{chunk}" for a, f in steps for chunk in chunks[a]]
    applies = [f"apply-{a}-{f}-{chunk}" for a, f in steps for chunk in chunks[a]]
    assert [task["name"] for task in job["tasks"]] == [*renders, "fit", *applies, "sheets"]

    for action, facing in steps:
        for chunk in chunks[action]:
            render = tasks[f"render-{action}-{facing}-{chunk}"]
            args = args_of(render)
            # The set's root: farm_prepare renders into <root>/<action>/<facing>/.
            assert args[args.index("--render-output") + 1] == f"{root}/######"
            assert args[-2:] == ["--render-frame", chunk.replace("-", "..")]
            operator, keywords, assigned = sprite_call(render)
            assert (operator, keywords) == ("farm_prepare", {"action": action, "facing": facing, "make_sprites": False})
            assert (assigned["directions"], assigned["start_facing"]) == (4, "S")
            apply = tasks[f"apply-{action}-{facing}-{chunk}"]
            assert apply["dependencies"] == ["fit"]
            assert sprite_call(apply)[:2] == ("farm_apply", {
                "renders": root, "frames": chunk.replace("-", ".."), "action": action, "facing": facing, "palette": "",
            })  # fmt: skip
    assert tasks["fit"]["dependencies"] == renders
    assert tasks["sheets"]["dependencies"] == applies
    assert sprite_call(tasks["sheets"])[:2] == ("farm_sheets", {"renders": root})
    assert "sheets" not in by_name(compiled(node, set_actions=SET_ACTIONS, sheets=False))


def test_locked_palette_applies_each_chunk_after_its_render_without_a_fit(node: str) -> None:
    palette = "/render/palettes/hero.gpl"
    plain = compiled(node, palette_mode="locked", palette_file=palette, sheets=False)
    assert [task["name"] for task in plain["tasks"]] == [
        "render-1-4", "render-5-8", "render-9,10", "apply-1-4", "apply-5-8", "apply-9,10",
    ]  # fmt: skip
    tasks = by_name(plain)
    for chunk in ("1-4", "5-8", "9,10"):
        assert tasks[f"render-{chunk}"]["dependencies"] == []
        assert sprite_call(tasks[f"render-{chunk}"])[:2] == ("farm_prepare", {"make_sprites": True})
        assert tasks[f"apply-{chunk}"]["dependencies"] == [f"render-{chunk}"]
        assert sprite_call(tasks[f"apply-{chunk}"])[1]["palette"] == palette

    in_set = compiled(node, palette_mode="locked", palette_file=palette, set_actions="walk", directions=2)
    tasks = by_name(in_set)
    assert "fit" not in tasks
    applies = [name for name in tasks if name.startswith("apply-")]
    assert len(applies) == 2 * 3
    assert tasks["sheets"]["dependencies"] == applies
    for name in applies:
        assert tasks[name]["dependencies"] == ["render-" + name.removeprefix("apply-")]
    assert sprite_call(tasks["render-walk-N-1-4"])[:2] == (
        "farm_prepare",
        {"action": "walk", "facing": "N", "make_sprites": True},
    )


def test_every_render_task_keeps_flamencos_overwrite_and_placeholder_settings(node: str) -> None:
    for job in (compiled(node), compiled(node, set_actions=SET_ACTIONS, palette_mode="locked", palette_file="/p.gpl")):
        for task in job["tasks"]:
            args = args_of(task)
            if task["name"].startswith("render-"):
                assert args[args.index("--python-expr") + 1] == FLAMENCO_RENDER_SETTINGS
                assert args.index("--python-exit-code") < len(args) - args[::-1].index("--python-expr") - 1
                assert args[args.index("--render-format") + 1] == "PNG"
            else:
                assert "--render-frame" not in args and FLAMENCO_RENDER_SETTINGS not in args
                assert args[args.index("--python-exit-code") + 1] == "1"
            assert sprite_call(task)[0] in OPERATORS


def test_facing_names_are_the_engines(node: str) -> None:
    # Numbered facings (counts that do not divide 16) do not turn with the start.
    jobs = [
        pixel_job(set_actions="a", frames="1", chunk_size=1, directions=count, start_facing=start, sheets=False)
        for count in range(1, 65)
        for start in (COMPASS if 16 % count == 0 else ("S", "ENE"))
    ]
    results = compile_jobs(node, JOB_TYPE, jobs)
    for job, result in zip(jobs, results, strict=True):
        count, start = job["settings"]["directions"], job["settings"]["start_facing"]
        renders = [task for task in result["job"]["tasks"] if task["name"].startswith("render-")]
        names = [sprite_call(task)[1]["facing"] for task in renders]
        assert names == [facing.name for facing in facings(count, start=start)], (count, start)


def test_action_folders_are_the_engines_safe_unique_names(node: str) -> None:
    names = [
        "Armature|mixamo.com|Layer0", "walk", "Walk", "walk", "con", "Com1.run", "  .hidden. ", "a/b\\c:d*e?f\"g<h>i",
        "tab\there", "nbsp\u00a0x", "nel\u0085x", "bom\ufeffx", "ideographic\u3000space", "ünïcödé", "x" * 150,
        "emoji \U0001f600 wave", "....", "it's", "{render}", "default", "default",
    ]  # fmt: skip
    escaped = ",".join(name.replace("\\", "\\\\").replace(",", "\\,") for name in names)
    job = compiled(node, set_actions=escaped, directions=1, frames="1", chunk_size=1, sheets=False)
    renders = [task for task in job["tasks"] if task["name"].startswith("render-")]
    assert [sprite_call(task)[1]["action"] for task in renders] == unique_safe_names(names)


def test_action_names_with_commas_and_backslashes_survive_the_setting(node: str) -> None:
    job = compiled(node, set_actions="  Run\\, fast ,a\\\\b,, ", directions=1, frames="1", sheets=False)
    renders = [task for task in job["tasks"] if task["name"].startswith("render-")]
    assert [sprite_call(task)[1]["action"] for task in renders] == unique_safe_names(["  Run, fast ", "a\\b"])


def test_windows_render_root_gives_forward_slashes_and_keeps_the_blend_file(node: str) -> None:
    job = compiled(
        node,
        blendfile="C:\\jobs\\hero.blend",
        render_output_path="C:\\renders\\hero\\{timestamp}\\######",
        set_actions="walk",
        directions=2,
        palette_mode="locked",
        palette_file="C:\\palettes\\hero.gpl",
    )
    root = f"C:/renders/hero/{STAMP}"
    assert job["settings"]["render_output_path"] == f"C:\\renders\\hero\\{STAMP}\\######"
    for task in job["tasks"]:
        parameters = task["commands"][0]["parameters"]
        assert parameters["blendfile"] == "C:\\jobs\\hero.blend"
        operator, keywords, _ = sprite_call(task)
        if operator == "farm_prepare":
            args = parameters["args"]
            assert args[args.index("--render-output") + 1] == f"{root}/######"
        else:
            assert keywords["renders"] == root
        if operator == "farm_apply":
            assert keywords["palette"] == "C:\\palettes\\hero.gpl"


# Flamenco's worker-side variable expansion (internal/manager/config/variables.go:VariableExpander.Expand, with
# pkg/crosspath's ToPlatform and EnsureDriveAbsolute), for two-way variables: every string parameter, or string in
# a list parameter, has {name} replaced with the worker platform's value; one that held such a variable is a
# path, and gets every slash and backslash turned into the platform's separator.


def ensure_drive_absolute(path: str) -> str:
    if len(path) < 2 or not (path[0].isascii() and path[0].isalpha()) or path[1] != ":":
        return path
    if len(path) == 2:
        return path + "\\"
    return path if path[2] == "\\" else path[:2] + "\\" + path[2:]


def to_platform(path: str, platform: str) -> str:
    if path == "":
        return ""
    leading = len(path) - len(path.lstrip("/\\"))
    components = [""] * leading + [part for part in re.split(r"[/\\]", path) if part]
    translated = ("\\" if platform == "windows" else "/").join(components)
    return ensure_drive_absolute(translated) if platform == "windows" else translated


def expand(value: str, platform: str, variables: dict[str, dict[str, str]]) -> str:
    is_path = False
    for name, values in variables.items():
        if f"{{{name}}}" in value:
            value = value.replace(f"{{{name}}}", values[platform])
            is_path = True
    return to_platform(value, platform) if is_path else value


def expand_task(task: dict, platform: str, variables: dict[str, dict[str, str]]) -> dict[str, object]:
    parameters = dict(task["commands"][0]["parameters"])
    for key, value in parameters.items():
        if isinstance(value, str):
            parameters[key] = expand(value, platform, variables)
        elif isinstance(value, list):
            parameters[key] = [expand(item, platform, variables) if isinstance(item, str) else item for item in value]
    return parameters


def test_the_variable_expansion_here_is_flamencos() -> None:
    # crosspath_test.go:TestToPlatform and variables_test.go:TestExpandTwowayVariablesMixedSlashes.
    cases = [
        ("", "windows", ""),
        ("path with spaces", "windows", "path with spaces"),
        ("native\\path", "windows", "native\\path"),
        ("native/path", "linux", "native/path"),
        ("opposite/path", "windows", "opposite\\path"),
        ("opposite\\path", "linux", "opposite/path"),
        ("F:/mixed/path\\to\\file.blend", "windows", "F:\\mixed\\path\\to\\file.blend"),
        ("F:/mixed/path\\to\\file.blend", "linux", "F:/mixed/path/to/file.blend"),
        ("/absolute/path", "windows", "\\absolute\\path"),
        ("F:\\", "windows", "F:\\"),
        ("F:\\directory\\", "linux", "F:/directory"),
        ("/dir/path/", "windows", "\\dir\\path"),
        ("\\\\NAS\\share\\path", "windows", "\\\\NAS\\share\\path"),
        ("\\\\NAS\\share\\path", "linux", "//NAS/share/path"),
    ]
    for path, platform, expected in cases:
        assert to_platform(path, platform) == expected, (path, platform)
    shared = {"shared": {"linux": "/shared/flamenco", "windows": "Y:\\shared\\flamenco"}}
    assert expand("{shared}/shot/file.blend", "windows", shared) == "Y:\\shared\\flamenco\\shot\\file.blend"
    assert expand("{shared}\\shot\\file.blend", "linux", shared) == "/shared/flamenco/shot/file.blend"


@pytest.mark.parametrize("platform", ["windows", "linux"])
def test_paths_and_names_reach_windows_and_linux_workers_intact(node: str, platform: str) -> None:
    """Settings as the Manager stores them after two-way variable replacement ({render}), expanded for a worker."""
    variables = {"render": {"linux": "/mnt/render", "windows": "R:\\render"}}
    tricky = 'Run/Fast\'s \\ {render} "now" ünï'
    escaped = tricky.replace("\\", "\\\\").replace(",", "\\,")
    job = compiled(
        node,
        name="hero's job",
        blendfile="{render}/jobs/hero.blend",
        render_output_path="{render}/sprites/hero's job/{timestamp}/######",
        character=tricky,
        set_actions=f"walk,{escaped}",
        directions=2,
        palette_mode="locked",
        palette_file="{render}/palettes/hero.gpl",
    )
    sep = "\\" if platform == "windows" else "/"
    base = variables["render"][platform]
    root = sep.join([base, "sprites", "hero's job", STAMP])
    folder = unique_safe_names(["walk", tricky])[1]
    seen = set()
    for task in job["tasks"]:
        parameters = expand_task(task, platform, variables)
        assert parameters["blendfile"] == sep.join([base, "jobs", "hero.blend"])
        args = parameters["args"]
        if "--render-output" in args:
            assert args[args.index("--render-output") + 1] == f"{root}{sep}######"
        exprs = [args[i + 1] for i, arg in enumerate(args) if arg == "--python-expr"]
        operator, keywords, assigned = operator_call(exprs[-1])
        assert assigned["character"] == tricky
        if operator in {"farm_fit", "farm_apply", "farm_sheets"}:
            assert keywords["renders"] == root
        if operator in {"farm_prepare", "farm_apply"}:
            assert keywords["action"] in {"walk", folder}
            seen.add(keywords["action"])
        if operator == "farm_apply":
            assert keywords["palette"] == sep.join([base, "palettes", "hero.gpl"])
    assert seen == {"walk", folder}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"palette_mode": "auto"}, "palette_mode: expected one of fit, locked"),
        ({"palette_mode": "locked", "palette_file": ""}, "palette_file: a locked palette needs the palette file"),
        ({"colors": "many"}, 'colors: expected "auto" or a number in 1..256'),
        ({"colors": "257"}, 'colors: expected "auto" or a number in 1..256'),
        ({"pixel": -1}, "pixel: must be a whole number in 0..1024"),
        ({"set_actions": "walk", "directions": 0}, "directions: must be a whole number in 1..64"),
        ({"set_actions": "walk", "directions": 65}, "directions: must be a whole number in 1..64"),
        ({"set_actions": "walk", "start_facing": "X"}, "start_facing: expected one of S, SSE"),
        ({"set_actions": "walk", "set_frames": "{nope"}, "set_frames: not valid JSON"),
        ({"set_actions": "walk", "set_frames": '[["walk", ""]]'}, 'set_frames: the action "walk" has no frames'),
        ({"frames": "5-3"}, 'invalid range "5-3": empty range'),
        ({"chunk_size": 0}, "invalid chunk size, must be positive number: 0"),
        ({"render_output_path": ""}, "no render_output_path setting!"),
        ({"render_output_path": "/r/a'''b\"\"\"c/######"}, "render_output_path: the path holds both kinds of quote"),
        ({"palette_mode": "locked", "palette_file": "/p/"}, "palette_file: the path ends with a separator"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(node: str, overrides: dict, message: str) -> None:
    result = compile_job(node, JOB_TYPE, pixel_job(**overrides))
    assert "job" not in result
    assert result["error"].startswith(message), result["error"]


# ---------------------------------------------------------------------------------------------------------------
# The eval expressions and the scene settings, in real Blender with the add-on enabled.

BLENDER_SCENES = [
    {
        "jobname": "hero",
        "render_output_root": "/render/sprites",
        "frame_range": [1, 20],
        "pixel_sprites": {"character": "hero", "size_mode": "PIXEL", "pixel": 8, "auto_colors": False, "colors": 12,
                          "palette_locked": False, "make_sheets": True, "directions": 4, "start_facing": "E",
                          "stabilise": True},
        "set_actions": [
            {"action": {"name": "walk", "frame_range": [1, 12]}, "frame_step": 2},
            {"action": {"name": "Run/Fast, now", "frame_range": [1, 30]}, "use_action_range": False,
             "frame_start": 5, "frame_end": 8},
            {"action": {"name": "idle", "frame_range": [1, 3]}, "enabled": False},
            {"frame_step": 5},
        ],
        "palette_variants": [{"name": "red", "file": "/render/palettes/hero_red.gpl"}, {"name": " ", "file": "/x.gpl"}],
    },
    {
        "jobname": "plain",
        "render_output_root": "/render/sprites",
        "frame_range": [3, 9],
        "pixel_sprites": {"character": "villain", "size_mode": "SIZE", "auto_colors": True, "palette_locked": True,
                          "make_sheets": False, "directions": 8, "start_facing": "S"},
        "set_actions": [],
    },
]  # fmt: skip


def test_settings_from_a_blender_scene_make_the_job_the_operators_run(node: str) -> None:
    """The Flamenco add-on's view of two scenes, their jobs, and the operators' arguments, in real Blender."""
    if importlib.util.find_spec("bpy") is None:  # not imported here: Blender runs in a process of its own
        if os.environ.get("CI"):
            pytest.fail("bpy is not installed: the eval expressions cannot be checked in Blender", pytrace=False)
        pytest.skip("bpy is not installed")
    job_type = compile_job(node, JOB_TYPE, pixel_job())["jobType"]
    statements = set()
    variants = json.dumps([["red", "/render/palettes/hero_red.gpl"]])
    for overrides in (
        {},
        {"colors": "7", "set_actions": "walk", "start_facing": "NE", "pixel": 0, "palette_variants": variants,
         "stabilise": True},
    ):  # fmt: skip
        for task in compiled(node, **overrides)["tasks"]:
            *before, _call = python_exprs(task)[-1].split("; ")
            statements.add("; ".join(before))
    request = {"settings": job_type["settings"], "scenes": BLENDER_SCENES, "statements": sorted(statements)}
    done = subprocess.run(
        [sys.executable, str(BLENDER_EVAL)], input=json.dumps(request), capture_output=True, text=True, timeout=300
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT: ")]
    assert done.returncode == 0 and lines, done.stdout + done.stderr
    answer = json.loads(lines[-1].removeprefix("RESULT: "))
    set_scene, plain_scene = answer["values"]

    assert set_scene == {
        "frames": "1-20",
        "render_output_path": "/render/sprites/hero/{timestamp}/######",
        "character": "hero",
        "pixel": 8,
        "colors": "12",
        "palette_mode": "fit",
        "sheets": True,
        "packed": False,
        "normal_maps": False,
        "cleanup": False,
        "inner_lines": False,
        "outline": "none",
        "outline_colour": "auto",
        "outline_neighbours": "4",
        "stabilise": True,
        "points": "",
        "boxes": "",
        "in_place": False,
        "palette_variants": json.dumps([["red", "/render/palettes/hero_red.gpl"]]),
        "set_actions": "walk,Run/Fast\\, now,default",
        "set_frames": json.dumps([["walk", "1,3,5,7,9,11"], ["Run/Fast, now", "5,6,7,8"], ["default", "1,6,11,16"]]),
        "directions": 4,
        "start_facing": "E",
        "blendfile": "",
        "scene": "Scene",
    }
    expected = {
        "pixel": 0,
        "colors": "auto",
        "palette_mode": "locked",
        "sheets": False,
        "set_actions": "",
        "frames": "3-9",
        "palette_variants": "[]",
        "stabilise": False,
    }
    assert {key: plain_scene[key] for key in expected} == expected

    job = compiled(node, **{**set_scene, "blendfile": "/render/jobs/hero.blend", "chunk_size": 4})
    tasks = by_name(job)
    facing_names = ["E", "N", "W", "S"]  # 4 facings from E
    folders = unique_safe_names(["walk", "Run/Fast, now", "default"])
    chunks = {folders[0]: ["1,3,5,7", "9,11"], folders[1]: ["5-8"], folders[2]: ["1,6,11,16"]}
    renders = [f"render-{a}-{f}-{c}" for a in folders for f in facing_names for c in chunks[a]]
    assert [name for name in tasks if name.startswith("render-")] == renders
    assert tasks["fit"]["dependencies"] == renders
    assert sprite_call(tasks[renders[0]])[2] == {
        "render_at_sprite_size": False, "character": "hero", "size_mode": "PIXEL", "pixel": 8, "auto_colors": False,
        "colors": 12, "stabilise": True, "directions": 4, "start_facing": "E",
    }  # fmt: skip

    # The add-on has every operator the job calls, and each takes every keyword argument the job passes.
    operators = answer["operators"]
    assert set(operators) == OPERATORS
    for job in (compiled(node), compiled(node, set_actions="walk", palette_mode="locked", palette_file="/p.gpl")):
        for task in job["tasks"]:
            operator, keywords, _ = sprite_call(task)
            assert set(keywords) <= set(operators[operator]), operator


def test_normal_maps_turn_on_in_every_task_that_renders_or_makes_sprites_and_off_changes_nothing(node: str) -> None:
    plain = by_name(compiled(node, set_actions=SET_ACTIONS, directions=4, frames="1-3"))
    lit = by_name(compiled(node, set_actions=SET_ACTIONS, directions=4, frames="1-3", normal_maps=True))
    assert list(lit) == list(plain)
    for name, task in lit.items():
        assigned = sprite_call(task)[2]
        assert assigned.get("normal_maps") is True, name  # the render writes normals; apply and sheets use them
        assert "normal_maps" not in sprite_call(plain[name])[2], name  # off: the scene's own setting stays


def test_steady_colours_turn_on_in_every_task_and_off_changes_nothing(node: str) -> None:
    for locked in ({}, {"palette_mode": "locked", "palette_file": "/p.gpl"}):  # locked: render tasks write sprites
        plain = by_name(compiled(node, set_actions=SET_ACTIONS, directions=4, frames="1-3", **locked))
        off = by_name(compiled(node, set_actions=SET_ACTIONS, directions=4, frames="1-3", stabilise=False, **locked))
        steady = by_name(compiled(node, set_actions=SET_ACTIONS, directions=4, frames="1-3", stabilise=True, **locked))
        assert off == plain
        assert list(steady) == list(plain)
        for name, task in steady.items():
            assert sprite_call(task)[2].get("stabilise") is True, name
            assert "stabilise" not in sprite_call(plain[name])[2], name  # off: the scene's own setting stays


def test_packed_sheets_turn_on_in_the_sheets_task_only_and_off_changes_nothing(node: str) -> None:
    plain = by_name(compiled(node, set_actions=SET_ACTIONS, directions=4, frames="1-3"))
    packed = by_name(compiled(node, set_actions=SET_ACTIONS, directions=4, frames="1-3", packed=True))
    assert list(packed) == list(plain)
    for name, task in packed.items():
        assigned = sprite_call(task)[2]
        assert assigned.get("sheet_packed") is (True if name == "sheets" else None), name
        assert "sheet_packed" not in sprite_call(plain[name])[2], name  # off: the scene's own setting stays


def test_cleanup_and_outline_reach_every_sprite_task_and_defaults_change_nothing(node: str) -> None:
    base = {"set_actions": SET_ACTIONS, "directions": 4, "frames": "1-3"}
    plain = by_name(compiled(node, **base))
    defaults = by_name(compiled(node, **base, cleanup=False, outline="none", outline_colour="auto",
                                outline_neighbours="4", inner_lines=False))  # fmt: skip
    assert defaults == plain
    finished = by_name(compiled(node, **base, cleanup=True, outline="selout", outline_colour="#0a0B0c",
                                outline_neighbours="8", inner_lines=True))  # fmt: skip
    assert list(finished) == list(plain)
    keys = ("cleanup", "outline", "outline_colour", "outline_neighbours", "inner_lines")
    for name, task in finished.items():  # render tasks too: they write the depth frames inner lines are drawn from
        assigned = sprite_call(task)[2]
        assert {key: assigned.get(key) for key in keys} == {
            "cleanup": True, "outline": "selout", "outline_colour": "#0a0B0c", "outline_neighbours": "8",
            "inner_lines": True,
        }, name  # fmt: skip
    for key, value in (("outline", "thick"), ("outline_colour", "black"), ("outline_neighbours", "6")):
        result = compile_job(node, JOB_TYPE, pixel_job(**{key: value}))
        assert key in result.get("error", ""), key


def test_palette_variants_reach_every_task_and_none_changes_nothing(node: str) -> None:
    variants = [["red", "/render/palettes/hero_red.gpl"], ["Damage Flash", "/render/palettes/flash.hex"]]
    plain = by_name(compiled(node, set_actions=SET_ACTIONS, directions=4, frames="1-3"))
    tinted = by_name(
        compiled(node, set_actions=SET_ACTIONS, directions=4, frames="1-3", palette_variants=json.dumps(variants))
    )
    assert list(tinted) == list(plain)
    for name, task in tinted.items():
        statements = python_exprs(task)[-1].split("; ")
        expected = ["s.palette_variants.clear()"]
        for variant, file in variants:
            expected += ["v = s.palette_variants.add()", f"v.name = {variant!r}", f"v.file = r'{file}'"]
        start = statements.index(expected[0])
        assert statements[start : start + len(expected)] == expected, name
        assert "palette_variants" not in python_exprs(plain[name])[-1], name  # none: the scene's own list stays


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("red=a.gpl", 'palette_variants: expected JSON [[name, palette file], ...], got "red=a.gpl"'),
        ('[["red", ""]]', 'palette_variants: each variant is [name, palette file], got ["red",""]'),
        ('[["red", "/a.gpl"], ["red", "/b.gpl"]]', 'palette_variants: the name "red" is given twice'),
    ],
)
def test_bad_palette_variants_are_refused_naming_the_setting(node: str, value: str, message: str) -> None:
    result = compile_job(node, JOB_TYPE, pixel_job(set_actions=SET_ACTIONS, palette_variants=value))
    assert result.get("error") == message
