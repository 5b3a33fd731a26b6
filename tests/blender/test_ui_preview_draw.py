"""The FAST preview (``preview_draw.draw_sprite_size``) in Debian's real Blender 3.4 with a UI, on the demo
character (Workbench, 64x90 sprites): against the render at sprite size, what it leaves behind, and its time.

Blender draws and renders in one run under ``xvfb-run``, driven by a timer; it saves the preview and the render,
and prints what it saw. The colours are compared here, with scikit-image, not inside Blender.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage.color import deltaE_ciede2000, rgb2lab
from test_blender_binary import BLENDER, ROOT, blender, run_with_ui

# Debian's binary is the same whichever bpy runs pytest: scripts/test.sh runs these once (-m debian_blender).
pytestmark = [
    pytest.mark.debian_blender,
    pytest.mark.skipif(BLENDER is None, reason="Debian's blender is not installed"),
]

TIMED_CALLS = 10
LATENCY_GOAL_MS = 100  # the median of a FAST preview at 64x90, beyond Blender's own redraw

# ``shading``, ``overlays`` and ``theme`` are every value under the 3D View's shading and overlay settings and
# the theme's 3D View (pointers followed, data-blocks not): all must be as they were after the preview.
SCRIPT = """
import sys, time, statistics, traceback
sys.path.insert(0, {scripts!r})
import bpy
import numpy as np
from render_sprites import load_addon
load_addon()
from pixel_sprites.blender import preview_draw, render_size

OUT = {out!r}
updates = [0]
step = ["draw"]


def say(*words):
    print(*words, flush=True)


def count_update(scene, depsgraph=None):
    updates[0] += 1


def plain(value):
    if isinstance(value, (str, bytes, bool, int, float)) or value is None:
        return value
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(value))
    return tuple(plain(item) for item in value)


def values(struct, depth=0):
    found = {{}}
    for prop in struct.bl_rna.properties:
        name = prop.identifier
        if name == "rna_type" or prop.type == "COLLECTION":
            continue
        value = getattr(struct, name)
        if prop.type == "POINTER":
            if value is not None and depth < 4 and not isinstance(value, bpy.types.ID):
                found[name] = values(value, depth + 1)
        else:
            found[name] = plain(value)
    return found


def view3d():
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            if area.type == "VIEW_3D":
                return area.spaces.active


def state():
    space = view3d()
    return {{
        "shading": values(space.shading),
        "overlays": values(space.overlay),
        "theme": values(bpy.context.preferences.themes[0].view_3d),
        "file dirty": bpy.data.is_dirty,
        "preferences dirty": bpy.context.preferences.is_dirty,
    }}


def drive():
    try:
        scene = bpy.context.scene
        if step[0] == "draw":
            say("BACKGROUND", bpy.app.background)
            width, height = render_size.sprite_resolution(scene)
            before = state()
            bpy.app.handlers.depsgraph_update_post.append(count_update)
            preview_draw.draw_sprite_size(scene, bpy.context, width, height)  # compiles the shaders
            times = []
            for _ in range({calls}):
                start = time.perf_counter()
                sprite = preview_draw.draw_sprite_size(scene, bpy.context, width, height)
                times.append((time.perf_counter() - start) * 1000)
            after = state()
            say("SIZE", width, height, "SHAPE", sprite.shape, sprite.dtype)
            say("CHANGED", sorted(key for key in before if before[key] != after[key]))
            draw = preview_draw._draw
            def failing_draw(*arguments):
                say("SHADING WHILE DRAWING", view3d().shading.type)
                raise RuntimeError("a draw that fails")
            preview_draw._draw = failing_draw
            try:
                preview_draw.draw_sprite_size(scene, bpy.context, width, height)
            except RuntimeError as error:
                say("FAILED", error)
            preview_draw._draw = draw
            failed = state()
            say("AFTER A FAILED DRAW CHANGED", sorted(key for key in before if before[key] != failed[key]))
            say("MEDIAN MS", round(statistics.median(times), 1))
            np.save(OUT + "/fast.npy", sprite)
            step[0] = "settle"
            return 0.3  # depsgraph updates the draw tagged would run by now
        say("UPDATES", updates[0])
        with render_size.sprite_size_render_settings(scene):
            scene.render.filepath = OUT + "/exact.png"  # inside: the settings set their own path
            bpy.ops.render.render(write_still=True)
        scene.camera = None
        try:
            preview_draw.draw_sprite_size(scene, bpy.context, 8, 8)
        except RuntimeError as error:
            say("NO CAMERA", error)
    except Exception:
        traceback.print_exc()
    preview_draw.free_offscreen()
    bpy.ops.wm.quit_blender()
    return None


bpy.app.timers.register(drive, first_interval=0.5)
"""

HEADLESS = """
import sys
sys.path.insert(0, {scripts!r})
import bpy
from render_sprites import load_addon
load_addon()
from pixel_sprites.blender import preview_draw
try:
    preview_draw.draw_sprite_size(bpy.context.scene, bpy.context, 64, 90)
except RuntimeError as error:
    print("HEADLESS", error)
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo character's set scene, as the panel screenshots show it (Workbench, 64x90 sprites)."""
    blend = tmp_path_factory.mktemp("hero") / "hero.blend"
    script = ROOT / "scripts" / "panel_screenshots.py"
    made = blender("--factory-startup", "--python", str(script), "--", "--make-scene", str(blend))
    assert blend.is_file(), made.stdout[-2000:] + made.stderr[-2000:]
    return blend


def line(output: str, start: str) -> str:
    [found] = [each[len(start) :].strip() for each in output.splitlines() if each.startswith(start + " ")]
    return found


def test_fast_preview_draws_the_sprite_the_render_makes_and_leaves_the_view_as_it_was(
    demo: Path, tmp_path: Path
) -> None:
    script = tmp_path / "preview.py"
    script.write_text(SCRIPT.format(scripts=str(ROOT / "scripts"), out=str(tmp_path), calls=TIMED_CALLS))
    output = run_with_ui(demo, script, timeout=90)[0]

    assert line(output, "SIZE") == "64 90 SHAPE (90, 64, 4) uint8", output[-3000:]
    assert line(output, "CHANGED") == "[]"  # view, overlays, theme, the file's and the preferences' dirt
    assert line(output, "SHADING WHILE DRAWING") == "RENDERED"  # Workbench shaded by the scene's display settings
    assert line(output, "FAILED") == "a draw that fails"
    assert line(output, "AFTER A FAILED DRAW CHANGED") == "[]"
    assert line(output, "UPDATES") == "0"  # the draw tagged nothing for the depsgraph
    assert "the scene has no camera" in line(output, "NO CAMERA")
    assert float(line(output, "MEDIAN MS")) <= LATENCY_GOAL_MS

    fast = np.load(tmp_path / "fast.npy")
    exact = np.asarray(Image.open(tmp_path / "exact.png").convert("RGBA"))
    assert fast.shape == exact.shape
    assert ((fast[..., 3] >= 128) == (exact[..., 3] >= 128)).mean() >= 0.97
    both = (fast[..., 3] == 255) & (exact[..., 3] == 255)
    assert both.sum() > 1000  # the character, not a few stray pixels
    difference = deltaE_ciede2000(rgb2lab(fast[both][:, :3] / 255), rgb2lab(exact[both][:, :3] / 255))
    assert difference.mean() <= 3
    assert (fast[fast[..., 3] == 0][:, :3] == 0).all()  # transparent as a render is: black


def test_without_a_ui_the_fast_preview_says_why_it_cannot_draw(demo: Path) -> None:
    result = blender(str(demo), "--python-expr", HEADLESS.format(scripts=str(ROOT / "scripts")))
    # Blender 3.4's -b keeps the file's windows, with their 3D Views: the GPU is what it lacks.
    message = line(result.stdout, "HEADLESS")
    assert message.startswith("FAST preview: Blender runs without its interface"), result.stdout[-2000:]
