"""Which render engines have the passes Normal Maps and Inner Lines are written from (Normal, Depth)."""

from __future__ import annotations

import bpy

ENGINE_NAMES = {
    "BLENDER_WORKBENCH": "Workbench",
    "CYCLES": "Cycles",
    "BLENDER_EEVEE": "EEVEE",
    "BLENDER_EEVEE_NEXT": "EEVEE",
}
# EEVEE is BLENDER_EEVEE in Blender 3.4 (EEVEE Legacy) and from 4.3 on; BLENDER_EEVEE_NEXT in 4.2.
WITH_NORMAL_PASS = ("CYCLES", "BLENDER_EEVEE", "BLENDER_EEVEE_NEXT")


def _engine_name(engine: str) -> str:
    if engine in ENGINE_NAMES:
        return ENGINE_NAMES[engine]
    for engine_class in bpy.types.RenderEngine.__subclasses__():  # an add-on's engine names itself
        if getattr(engine_class, "bl_idname", None) == engine:
            return str(getattr(engine_class, "bl_label", engine))
    return engine


def _pass_problem(scene: bpy.types.Scene, feature: str, render_pass: str) -> str | None:
    engine = scene.render.engine
    if engine in WITH_NORMAL_PASS:
        return None
    if engine == "BLENDER_WORKBENCH":
        return f"{feature}: the Workbench engine has no {render_pass} pass; use Cycles or EEVEE"
    name = _engine_name(engine)
    return f"{feature}: the {name} engine is not known to have a {render_pass} pass; use Cycles or EEVEE"


def normal_pass_problem(scene: bpy.types.Scene) -> str | None:
    """None if the scene's render engine has a Normal pass to write normal frames from, else one line naming it."""
    return _pass_problem(scene, "Normal Maps", "Normal")


def inner_lines_problem(scene: bpy.types.Scene) -> str | None:
    """None if the scene's render engine writes the Depth pass inner lines are drawn from (as Cycles and EEVEE do,
    through the same compositor set-up as normal frames), else one line naming it."""
    return _pass_problem(scene, "Inner Lines", "Depth")
