"""The Flamenco job type run as a farm runs it: real Blender processes, several at once, into one folder.

The job is compiled by ``tests/flamenco/harness.js`` from settings that the job type's own ``eval`` expressions
give for a saved sprite-set scene (as the Flamenco add-on evaluates them at submission). Each task's
``blender-render`` command becomes a command line the way Flamenco 3.9's worker builds it
(``internal/worker/command_blender.go``: ``exe``, then ``exeArgs`` split like a shell, ``argsBefore``, the blend
file, ``args``), after the Manager's variable expansion (``internal/manager/api_impl/varrepl.go``) with
Flamenco's default variables (``internal/manager/config/defaults.go``): ``{blender}`` is Debian's blender and
``{blenderArgs}`` is ``-b -y``. A task runs once every task it depends on has ended, up to ``WORKERS`` at once.

The workers know Pixel Sprites only as a farm's workers would: a legacy add-on in ``BLENDER_USER_SCRIPTS``,
enabled in the preferences saved in ``BLENDER_USER_CONFIG`` (``userpref.blend``). Blender reads those
preferences in background mode too (``-b``; only ``--factory-startup`` skips them), and enables the add-ons
they list; the commands carry no ``--addons``.

The sprites must equal, byte for byte, what one ``pixel-sprites process`` of the same renders writes, run by
Debian's ``/usr/bin/python3``: the fit is reproducible within one environment, and that interpreter has the same
Python and the same libraries (Debian's packages) as Debian's Blender, which the test checks first.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from test_blender_binary import BLENDER, debian_blender_env

pytestmark = [
    pytest.mark.debian_blender,
    pytest.mark.skipif(BLENDER is None, reason="Debian's blender is not installed"),
]

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests" / "flamenco" / "harness.js"
JOB_TYPE = ROOT / "scripts" / "flamenco" / "pixel_sprites.js"
DEBIAN_PYTHON = "/usr/bin/python3"  # the interpreter and dist-packages Debian's blender embeds

# Flamenco's default variables for a Linux worker (internal/manager/config/defaults.go, DefaultBlenderArguments).
FLAMENCO_VARIABLES = {"blender": BLENDER or "blender", "blenderArgs": "-b -y"}
WORKERS = 4  # Blender processes at once
TASK_TIMEOUT = 300
CREATED = "2006-01-02T15:04:05"
ACTIONS = {"idle": 4, "walk": 6}  # build_set_scene's actions and their frame counts
FACINGS = ("S", "N")  # 2 directions
CHARACTER = "hero"

# The Python and the libraries the fit runs on, by version and file: Debian's blender and /usr/bin/python3 must agree.
LIBRARIES = r"""
import importlib, sys
libraries = {"python": sys.version}
for module in ("numpy", "scipy", "sklearn", "PIL", "filelock"):
    imported = importlib.import_module(module)
    libraries[module] = [getattr(imported, "__version__", ""), imported.__file__]
"""

# Scene set-up and submission in one background Blender with the worker's environment (no --addons): the add-on
# must be there from the preferences. The job type's eval expressions are evaluated as the Flamenco add-on does
# (job_types_propgroup.py: eval(expr, {}, names)); render_output_path with 0 path components of the blend file.
BUILD_AND_SUBMIT = r"""
import json, sys
from pathlib import Path
from types import SimpleNamespace
import bpy

request = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
sys.path.insert(0, request["scripts"])
from character_scene import build_set_scene

print("OPERATOR", bpy.ops.pixel_sprites.farm_fit.get_rna_type().identifier, flush=True)  # KeyError if missing
scene = build_set_scene(output=Path(request["scene_output"]))
settings = scene.pixel_sprites
settings.directions = 2
settings.size_mode = "PIXEL"
settings.pixel = 4
settings.character = request["character"]
settings.auto_colors = False
settings.colors = 8
settings.make_sheets = True
for name in request["actions"]:
    settings.set_actions.add().action = bpy.data.actions[name]
bpy.ops.wm.save_as_mainfile(filepath=request["blend"])

flamenco = SimpleNamespace(render_output_root=request["render_output_root"], add_path_components=0)
names = {
    "bpy": bpy, "C": bpy.context, "jobname": request["jobname"], "Path": Path, "abspath": Path,
    "last_n_dir_parts": lambda count, filepath=None: Path(), "settings": flamenco,
}
values = {item["key"]: eval(item["eval"], {}, dict(names)) for item in request["settings"] if item.get("eval")}
"""
BUILD_AND_SUBMIT += (
    LIBRARIES + 'print("RESULT " + json.dumps({"values": values, "libraries": libraries}), flush=True)\n'
)


@dataclass
class TaskRun:
    name: str
    commands: list[list[str]] = field(default_factory=list)
    results: list[subprocess.CompletedProcess[str]] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0
    # The tasks the scheduler had running when it started this one: what the job's dependencies let run together.
    alongside: frozenset[str] = frozenset()

    @property
    def ok(self) -> bool:
        return all(result.returncode == 0 for result in self.results)

    @property
    def stdout(self) -> str:
        return "".join(result.stdout for result in self.results)

    def failure(self) -> str:
        last = self.results[-1]
        return (
            f"task {self.name} exited {last.returncode}: {shlex.join(self.commands[-1])}\n"
            f"--- stdout ---\n{last.stdout[-4000:]}\n--- stderr ---\n{last.stderr[-4000:]}"
        )


@dataclass
class Farm:
    job: dict
    env: dict[str, str]
    root: Path
    runs: dict[str, TaskRun]
    fitted_palette: bytes
    cli_out: Path
    tmp: Path


def expand(value: Any) -> Any:
    """The Manager's variable expansion of one command parameter (strings, and strings in lists)."""
    if isinstance(value, str):
        for name, replacement in FLAMENCO_VARIABLES.items():
            value = value.replace("{" + name + "}", replacement)
        return value
    if isinstance(value, list):
        return [expand(item) for item in value]
    return value


def command_line(command: dict) -> list[str]:
    """A blender-render command's process arguments, as Flamenco's worker builds them."""
    assert command["name"] == "blender-render", command
    parameters = {key: expand(value) for key, value in command["parameters"].items()}
    argv = [parameters["exe"], *shlex.split(parameters.get("exeArgs") or ""), *parameters["argsBefore"]]
    if parameters["blendfile"]:
        argv.append(parameters["blendfile"])
    return argv + parameters["args"]


def run_task(task: dict, env: dict[str, str], cwd: Path) -> TaskRun:
    """A task's commands one after another, stopping at the first that fails, as a worker runs them."""
    run = TaskRun(task["name"], started=time.monotonic())
    for command in task["commands"]:
        argv = command_line(command)
        run.commands.append(argv)
        result = subprocess.run(argv, capture_output=True, text=True, timeout=TASK_TIMEOUT, env=env, cwd=cwd)
        run.results.append(result)
        if result.returncode != 0:
            break
    run.ended = time.monotonic()
    return run


def run_job(
    job: dict, env: dict[str, str], cwd: Path, on_done: Callable[[TaskRun], None] | None = None
) -> dict[str, TaskRun]:
    """Every task of the job, each as soon as all its dependencies have ended successfully, WORKERS at once."""
    pending = {task["name"]: task for task in job["tasks"]}
    finished: dict[str, TaskRun] = {}
    running: dict[Future[TaskRun], str] = {}
    starts_with: dict[str, frozenset[str]] = {}
    with ThreadPoolExecutor(WORKERS) as pool:
        while pending or running:
            for name, task in list(pending.items()):
                if len(running) < WORKERS and all(dependency in finished for dependency in task["dependencies"]):
                    alongside = frozenset(running.values())
                    future = pool.submit(run_task, task, env, cwd)
                    running[future] = name
                    starts_with[name] = alongside
                    del pending[name]
            assert running, f"tasks whose dependencies never end: {sorted(pending)}"
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                del running[future]
                run = future.result()
                run.alongside = starts_with[run.name]
                if not run.ok:
                    wait(running)
                    pytest.fail(run.failure(), pytrace=False)
                finished[run.name] = run
                if on_done is not None:
                    on_done(run)
    return finished


def ran_together(runs: list[TaskRun]) -> bool:
    """Whether the scheduler had two of ``runs`` in flight at once (by the job's dependencies, not by timing)."""
    names = {run.name for run in runs}
    return any(run.alongside & names for run in runs)


def compile_job(node: str, job: dict) -> dict:
    """The harness's answer for one job: {"jobType": ..., "job": ...} or {"jobType": ..., "error": ...}."""
    done = subprocess.run(
        [node, str(HARNESS), str(JOB_TYPE)], input=json.dumps(job), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def blender(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert BLENDER is not None
    return subprocess.run([BLENDER, "-b", *args], capture_output=True, text=True, timeout=TASK_TIMEOUT, env=env)


def files_below(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` but the run reports (they hold timings)."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.relative_to(folder).parts[0] != "reports"
    }


def sprites_below(folder: Path) -> dict[str, bytes]:
    """The sprites of the set's actions in a sprites folder: <action>/<facing>/<frame>.png."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.glob("*/*/*.png"))}


@pytest.fixture(scope="module")
def worker_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A worker's environment: Pixel Sprites installed as a legacy add-on and enabled in saved preferences."""
    home = tmp_path_factory.mktemp("worker")
    scripts, config = home / "scripts", home / "config"
    (scripts / "addons").mkdir(parents=True)
    (scripts / "addons" / "pixel_sprites").symlink_to(ROOT / "addon")
    config.mkdir()
    env = debian_blender_env({"BLENDER_USER_SCRIPTS": str(scripts), "BLENDER_USER_CONFIG": str(config)})
    enable = (
        "import addon_utils, bpy; addon_utils.enable('pixel_sprites', default_set=True); bpy.ops.wm.save_userpref()"
    )
    saved = blender("--python-exit-code", "1", "--python-expr", enable, env=env)
    assert saved.returncode == 0 and (config / "userpref.blend").is_file(), saved.stdout[-3000:] + saved.stderr
    # Without those preferences a background Blender has no Pixel Sprites: the preferences are what load it.
    probe = "import bpy; bpy.ops.pixel_sprites.farm_fit.get_rna_type()"
    bare = blender("--python-exit-code", "1", "--python-expr", probe, env={**env, "BLENDER_USER_CONFIG": str(home)})
    assert bare.returncode == 1 and "PIXEL_SPRITES_OT_farm_fit" in bare.stdout + bare.stderr
    return env


@pytest.fixture(scope="module")
def farm(node: str, worker_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Farm:
    tmp = tmp_path_factory.mktemp("farm")
    blend = tmp / "jobs" / f"{CHARACTER}.blend"
    blend.parent.mkdir()

    # Submission: the job type's settings, evaluated on the saved scene.
    job_type = compile_job(node, {"name": "probe", "created": CREATED, "settings": {}})  # its settings only
    request = {
        "scripts": str(ROOT / "scripts"), "scene_output": str(tmp / "scene_output"), "blend": str(blend),
        "character": CHARACTER, "actions": list(ACTIONS), "jobname": CHARACTER,
        "render_output_root": str(tmp / "render"), "settings": job_type["jobType"]["settings"],
    }  # fmt: skip
    request_file = tmp / "submit.json"
    request_file.write_text(json.dumps(request))
    script = tmp / "submit.py"
    script.write_text(BUILD_AND_SUBMIT)
    made = blender("--python-exit-code", "1", "--python", str(script), "--", str(request_file), env=worker_env)
    results = [line.removeprefix("RESULT ") for line in made.stdout.splitlines() if line.startswith("RESULT ")]
    assert made.returncode == 0 and results, made.stdout[-3000:] + made.stderr[-3000:]
    assert "OPERATOR PIXEL_SPRITES_OT_farm_fit" in made.stdout
    submitted = json.loads(results[0])
    values = submitted["values"]
    assert {key: values[key] for key in ("character", "pixel", "colors", "palette_mode", "sheets", "directions")} == {
        "character": CHARACTER, "pixel": 4, "colors": "8", "palette_mode": "fit", "sheets": True, "directions": 2,
    }  # fmt: skip
    assert values["set_actions"] == "idle,walk"
    assert json.loads(values["set_frames"]) == [["idle", "1,2,3,4"], ["walk", "1,2,3,4,5,6"]]  # the actions' ranges
    assert values["blendfile"] == str(blend)

    # The CLI's interpreter must be the environment Debian's blender runs in (the fit is reproducible only there).
    cli_path = tmp / "pythonpath"
    cli_path.mkdir()
    (cli_path / "pixel_sprites").symlink_to(ROOT / "addon")
    cli_env = debian_blender_env({"PYTHONPATH": str(cli_path), "PYTHONNOUSERSITE": "1"})
    show = LIBRARIES + "import json; print(json.dumps(libraries))"
    libraries = subprocess.run([DEBIAN_PYTHON, "-c", show], capture_output=True, text=True, env=cli_env)
    assert libraries.returncode == 0, libraries.stderr
    assert json.loads(libraries.stdout) == submitted["libraries"]

    settings = {
        **values, "frames": "1-6", "chunk_size": 3, "render_output_root": str(tmp / "render"),
        "add_path_components": 0, "palette_file": "",
    }  # fmt: skip
    compiled = compile_job(node, {"name": CHARACTER, "priority": 50, "created": CREATED, "settings": settings})
    assert "error" not in compiled, compiled["error"]
    job = compiled["job"]
    root = Path(job["settings"]["render_output_path"]).parent
    assert root == tmp / "render" / CHARACTER / "2006-01-02_150405"

    # The farm: every task, in dependency order, several Blender processes at once.
    palette = root / "sprites" / f"{CHARACTER}.gpl"
    fitted: list[bytes] = []

    def after(run: TaskRun) -> None:
        if run.name == "fit":
            fitted.append(palette.read_bytes())

    runs = run_job(job, worker_env, tmp, after)

    # One `pixel-sprites process` of the same renders (the action folders: the farm's sprites/ is in root too).
    cli_out = tmp / "cli"
    process = subprocess.run(
        [DEBIAN_PYTHON, "-m", "pixel_sprites", "process", *(str(root / action) for action in ACTIONS),
         "--root", str(root), "--pixel", "4", "--colors", "8", "--out", str(cli_out)],
        capture_output=True, text=True, timeout=TASK_TIMEOUT, env=cli_env,
    )  # fmt: skip
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    return Farm(job, worker_env, root, runs, fitted[0], cli_out, tmp)


def test_the_job_runs_on_a_farm_and_writes_what_one_process_writes(farm: Farm) -> None:
    tasks = {task["name"]: task for task in farm.job["tasks"]}
    renders = [name for name in tasks if name.startswith("render-")]
    applies = [name for name in tasks if name.startswith("apply-")]
    chunks = {"idle": ["1-3", "4"], "walk": ["1-3", "4-6"]}
    expected = [f"{action}-{facing}-{chunk}" for action in ACTIONS for facing in FACINGS for chunk in chunks[action]]
    assert renders == [f"render-{name}" for name in expected] and applies == [f"apply-{name}" for name in expected]
    assert sorted(tasks) == sorted([*renders, "fit", *applies, "sheets"])
    assert sorted(tasks["fit"]["dependencies"]) == sorted(renders)
    assert all(tasks[name]["dependencies"] == ["fit"] for name in applies)
    assert sorted(tasks["sheets"]["dependencies"]) == sorted(applies)
    # No task's command line asks for the add-on: the preferences load it.
    assert all("--addons" not in argv for run in farm.runs.values() for argv in run.commands)

    runs = farm.runs
    assert ran_together([runs[name] for name in renders])
    assert ran_together([runs[name] for name in applies])
    assert min(runs["fit"].started - runs[name].ended for name in renders) >= 0
    assert min(runs[name].started for name in applies) >= runs["fit"].ended
    assert runs["sheets"].started >= max(runs[name].ended for name in applies)
    frame_count = sum(ACTIONS.values()) * len(FACINGS)
    palette = farm.root / "sprites" / f"{CHARACTER}.gpl"
    assert f"Pixel Sprites: palette of 8 colours from {frame_count} frames written to {palette}" in runs["fit"].stdout

    # Every render, in <root>/<action>/<facing>/, and nothing in the output path saved in the .blend.
    for action, count in ACTIONS.items():
        for facing in FACINGS:
            folder = farm.root / action / facing
            assert sorted(path.name for path in folder.glob("*.png")) == [f"{n:06d}.png" for n in range(1, count + 1)]
    assert not (farm.tmp / "scene_output").exists()

    # The sprites and the palette: byte for byte what one process of the same renders writes.
    sprites = farm.root / "sprites"
    farm_sprites, cli_sprites = sprites_below(sprites), sprites_below(farm.cli_out)
    assert len(farm_sprites) == frame_count
    assert sorted(farm_sprites) == sorted(cli_sprites)
    assert [name for name in farm_sprites if farm_sprites[name] != cli_sprites[name]] == []
    cli_palette = (farm.cli_out / "palette.gpl").read_bytes()
    assert farm.fitted_palette == cli_palette
    assert palette.read_bytes() == cli_palette  # the apply tasks left it as the fit wrote it

    # The sheets: one tag per action x facing, one frame per sprite.
    for action, count in ACTIONS.items():
        data = json.loads((sprites / "sheets" / f"{action}.json").read_text())
        assert [tag["name"] for tag in data["meta"]["frameTags"]] == [f"{action}_{facing}" for facing in FACINGS]
        assert len(data["frames"]) == count * len(FACINGS)
        assert (sprites / "sheets" / f"{action}.png").is_file()
    manifest = json.loads((sprites / f"{CHARACTER}.set.json").read_text())
    assert [action["name"] for action in manifest["actions"]] == list(ACTIONS)


def test_a_requeued_render_and_apply_leave_every_sprite_as_it_was(farm: Farm) -> None:
    """A re-queued render task skips the frames it wrote (the job's render settings turn overwriting off)."""
    tasks = {task["name"]: task for task in farm.job["tasks"]}
    renders, sprites = farm.root / "walk" / "S", farm.root / "sprites"
    before = {path.name: path.stat().st_mtime_ns for path in renders.glob("*.png")}
    sprites_before = files_below(sprites)
    palette = sprites / f"{CHARACTER}.gpl"
    palette_before = palette.read_bytes()

    render = run_task(tasks["render-walk-S-4-6"], farm.env, farm.tmp)
    assert render.ok, render.failure()
    # Flamenco's worker counts these lines as steps done (command_blender.go, regexpFrameSkipped).
    assert sum(line.startswith("skipping existing frame") for line in render.stdout.splitlines()) == 3
    assert {path.name: path.stat().st_mtime_ns for path in renders.glob("*.png")} == before

    apply = run_task(tasks["apply-walk-S-4-6"], farm.env, farm.tmp)
    assert apply.ok, apply.failure()
    assert files_below(sprites) == sprites_before
    assert palette.read_bytes() == palette_before
