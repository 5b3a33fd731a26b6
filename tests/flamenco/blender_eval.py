"""What the Flamenco add-on would submit for a scene, computed in real Blender (``bpy``) with Pixel Sprites enabled.

Run by ``tests/engine/test_flamenco_job.py`` in its own process (``bpy`` keeps state for the whole process), as
``python blender_eval.py < request.json``. The request holds the job type's settings (``JOB_TYPE.settings``),
the scenes to set up and the Python statements the job's tasks run before their operator. For each scene every
setting with an ``eval`` is evaluated the way the Flamenco add-on evaluates it (``eval(expr, {}, locals)`` with
``bpy``, ``C``, ``jobname``, ``Path``, ``abspath``, ``last_n_dir_parts`` and ``settings``), then the statements
are run on that scene, so a property name or value they set that the add-on does not have fails here. The
answer is one line, ``RESULT: {...}``, on standard output.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]


def enable_addon() -> None:
    scripts = Path(tempfile.mkdtemp(prefix="pixel_sprites_flamenco_"))
    (scripts / "addons").mkdir()
    (scripts / "addons" / "pixel_sprites").symlink_to(ROOT / "addon")
    os.environ["BLENDER_USER_SCRIPTS"] = str(scripts)


def set_up(scene, spec: dict) -> None:
    import bpy

    scene.frame_start, scene.frame_end = spec["frame_range"]
    settings = scene.pixel_sprites
    for key, value in spec["pixel_sprites"].items():
        setattr(settings, key, value)
    settings.set_actions.clear()
    for entry_spec in spec["set_actions"]:
        entry = settings.set_actions.add()
        action_spec = entry_spec.get("action")
        if action_spec is not None:
            action = bpy.data.actions.get(action_spec["name"]) or bpy.data.actions.new(action_spec["name"])
            action.use_frame_range = True
            action.frame_start, action.frame_end = action_spec["frame_range"]
            entry.action = action
        for key, value in entry_spec.items():
            if key != "action":
                setattr(entry, key, value)
    settings.palette_variants.clear()
    for variant_spec in spec.get("palette_variants", []):
        variant = settings.palette_variants.add()
        variant.name, variant.file = variant_spec["name"], variant_spec["file"]


def evaluate(job_settings: list[dict], jobname: str, render_output_root: str) -> dict:
    import bpy

    # The names the Flamenco add-on gives an eval (job_types_propgroup.py:JobTypePropertyGroup.locals);
    # abspath and last_n_dir_parts simplified for a path that is already absolute and 0 path components.
    flamenco_settings = SimpleNamespace(render_output_root=render_output_root, add_path_components=0)
    names = {
        "bpy": bpy,
        "C": bpy.context,
        "jobname": jobname,
        "Path": Path,
        "abspath": lambda path: Path(path),
        "last_n_dir_parts": lambda count, filepath=None: Path(),
        "settings": flamenco_settings,
    }
    values = {}
    for setting in job_settings:
        if setting.get("eval"):
            values[setting["key"]] = eval(setting["eval"], {}, dict(names))
    return values


def main() -> None:
    request = json.load(sys.stdin)
    enable_addon()
    import bpy

    addon_utils = importlib.import_module("addon_utils")  # importable only once bpy is
    addon_utils.enable("pixel_sprites", default_set=True)
    results = []
    for spec in request["scenes"]:
        bpy.ops.wm.read_homefile(app_template="")
        scene = bpy.context.scene
        set_up(scene, spec)
        values = evaluate(request["settings"], spec["jobname"], spec["render_output_root"])
        for statements in request["statements"]:
            exec(statements, {})  # as a worker runs them: on the scene, before the operator
        results.append(values)
    operators = {}
    for name in ("farm_prepare", "farm_fit", "farm_apply", "farm_sheets"):
        operator = getattr(bpy.ops.pixel_sprites, name)
        try:
            properties = operator.get_rna_type().properties
        except KeyError:  # not registered
            continue
        operators[name] = sorted(prop.identifier for prop in properties if prop.identifier != "rna_type")
    print("RESULT: " + json.dumps({"values": results, "operators": operators}), flush=True)
    sys.stdout.flush()
    # bpy 4.2 as a module can crash at interpreter exit once an add-on with PropertyGroup methods is registered.
    os._exit(0)


if __name__ == "__main__":
    main()
