"""Screenshots of the Sprites tab of the 3D View sidebar, for docs/blender-panel.md: one PNG per panel, taken from
Debian's real Blender 3.4 on a virtual screen. Run it again when the panel changes:

    python3 scripts/panel_screenshots.py [--out docs/] [--scale 1.25]

which runs, with the tests' lock on the virtual screen and a PATH without a venv's or pyenv's python3.11 (Debian's
Blender takes its Python's home from the first one on PATH), what it prints and what may be run by hand:

    xvfb-run -a -s "-screen 0 1400x2800x24" blender --factory-startup --enable-event-simulate \\
        --python scripts/panel_screenshots.py -- --out docs/

Inside Blender the script builds the demo character's sprite-set scene (``character_scene.build_set_scene``),
renders its set for real (Workbench, 8 facings x 2 actions, 56 sprites of 64x90) with the panel's own operator, and
then takes one screenshot per panel at the sidebar's default width: the main panel while the set renders
(``panel_rendering.png``) and after it (``panel_main.png``), the whole tab as it opens by default
(``panel_default.png``), and each sub-panel opened below the main panel with its child panels (``panel_sprite.png``,
...), and Game Data alone below its parents' headers, with a point and a box set (``panel_game_data.png``); then it
presses Show Sprites and cuts the Image Editor it opened (``panel_show_sprites.png``). It prints the height of the
tab as it opens and with every sub-panel open. Blender 3.4 has no Python way to pick a sidebar tab or open a panel,
so the tab is clicked with simulated events (``--enable-event-simulate``), and each panel class is registered twice:
as it is, shown for the default view, and as an open copy under another name (Blender keeps a panel's open or closed
state by its name), shown while its sub-panel's screenshot is taken. Each PNG is cut from a screenshot of the
window, the sidebar's trimmed below the panels. The temporary folder's path is shown as ``~/hero`` in the run's
summary line, and a palette variant is listed after the set (its file is not made).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SCREEN = "1400x2800x24"  # tall enough for the whole tab with every sub-panel open
TIMEOUT = 400  # seconds for the whole Blender run (it takes about one minute)
DEFAULT = "as it opens"  # the tab with the panels open and closed as they are by default
ALL_OPEN = "all open"  # every sub-panel open: measured, not kept
# The PNGs, and what each shows below the main panel: nothing (None), the tab as it opens, or one sub-panel and its
# child panels, open.
SHOTS = {
    "panel_main.png": None,
    "panel_default.png": DEFAULT,
    "panel_preview.png": "PIXEL_SPRITES_PT_preview",
    "panel_sprite.png": "PIXEL_SPRITES_PT_sprite",
    "panel_colours.png": "PIXEL_SPRITES_PT_colours",
    "panel_cleanup.png": "PIXEL_SPRITES_PT_cleanup",
    "panel_directions_actions.png": "PIXEL_SPRITES_PT_set",
    "panel_output.png": "PIXEL_SPRITES_PT_output",
    "panel_character.png": "PIXEL_SPRITES_PT_character",
    "panel_game_data.png": "PIXEL_SPRITES_PT_game_data",  # a child panel: below its parents' headers alone
}
RENDERING_SHOT = "panel_rendering.png"
PREVIEW_SHOT = "panel_preview.png"  # with Live Preview on
ALL_OPEN_SHOT = "pixel_sprites_all_open.png"  # not for the docs: kept in the system's temporary folder
SHOW_SPRITES_SHOT = "panel_show_sprites.png"
SHOWN_FACING = "SE"  # the facing Show Sprites plays
PLAYED_SECONDS = 4  # how long the sprites are watched playing (a virtual screen redraws about twice a second)
OPEN_SUFFIX = "_open"  # the open copy of a panel class is registered under its name and this
MIN_HEIGHT = 250  # pixels: a short panel keeps some of the sidebar below it


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="panel_screenshots.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the PNGs go (default docs/)")
    parser.add_argument("--scale", type=float, default=1.25, help="Blender's interface scale (default 1.25)")
    parser.add_argument("--blender", default="blender", help="the Blender binary (default: blender on PATH)")
    parser.add_argument("--make-scene", type=Path, help=argparse.SUPPRESS)  # inside blender -b: save the scene there
    return parser.parse_args(argv)


def run_blender(args: argparse.Namespace) -> int:
    """Outside Blender: start Debian's Blender with a UI on a virtual screen, running this script."""
    from debian_blender import run_on_virtual_screen

    command = [
        "xvfb-run", "-a", "-s", f"-screen 0 {SCREEN}", args.blender, "--factory-startup", "--enable-event-simulate",
        "--python", str(Path(__file__).resolve()), "--", "--out", str(args.out.resolve()), "--scale", str(args.scale),
    ]  # fmt: skip
    print(" ".join(command), flush=True)
    code = run_on_virtual_screen(command, TIMEOUT)
    if code is None:
        print(f"panel_screenshots: Blender took over {TIMEOUT} s and was stopped", file=sys.stderr)
    return 1 if code is None else code


if "bpy" not in sys.modules:  # a plain Python: this is the wrapper
    if __name__ == "__main__":
        sys.exit(run_blender(parse(sys.argv[1:])))
else:
    import bpy

    sys.path.insert(0, str(ROOT / "scripts"))
    from render_sprites import load_addon

    ARGS = parse(sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else [])
    WORK = Path(tempfile.mkdtemp(prefix="pixel_sprites_panel_")) if ARGS.make_scene is None else Path()
    SHOWN: list[str | None] = [None]  # the sub-panel drawn now
    drawn: list[float] = [0.0]  # when the main panel was last drawn: its tab is the active one
    state: dict[str, object] = {"step": "scene", "since": time.time(), "deadline": time.time() + 300}
    try:
        load_addon()
    except Exception:  # Blender would stay open with its UI, waiting for nobody
        import traceback

        traceback.print_exc()
        os._exit(1)
    from pixel_sprites.blender import jobs, panels, preview, render_session

    def say(*words: object) -> None:
        print("panel_screenshots:", *words, flush=True)

    def patch_panels() -> None:
        """Each panel class as it is, shown only for the DEFAULT view, and an open copy of it shown while it, or a
        panel it belongs to, is SHOWN (or for ALL_OPEN); the main panel's draws are timed."""
        classes = [cls for cls in panels.CLASSES if issubclass(cls, bpy.types.Panel)]
        for cls in reversed(classes):
            bpy.utils.unregister_class(cls)
        main, sub_panels = classes[0], classes[1:]
        main_draw = main.draw

        def draw_main(self, context):  # type: ignore[no-untyped-def]
            drawn[0] = time.time()
            main_draw(self, context)

        main.draw = draw_main
        parents = {cls.bl_idname: cls.bl_parent_id for cls in sub_panels}

        def ancestors(idname: str | None) -> list[str]:
            return [parents[idname], *ancestors(parents[idname])] if idname in parents else []

        def shown(idname: str) -> bool:
            if idname in ancestors(SHOWN[0]):  # a child panel's shot: its parents' headers above it
                return True
            while idname in parents:
                if SHOWN[0] in (idname, ALL_OPEN):
                    return True
                if idname in SHOTS.values():  # a child panel with a shot of its own: not in its parent's
                    return False
                idname = parents[idname]
            return False

        def shown_poll(idname: str) -> classmethod:  # type: ignore[type-arg]
            return classmethod(lambda _cls, context: shown(idname))

        def open_copy(cls: type) -> type:
            """A class of its own with the panel's bases and attributes: Blender would take a subclass of a
            registered class for it, and lose the original."""
            parent = cls.bl_parent_id  # type: ignore[attr-defined]
            blenders = ("bl_rna", "__dict__", "__weakref__")
            own = {name: value for name, value in vars(cls).items() if name not in blenders}
            own_draw = cls.draw  # type: ignore[attr-defined]

            def draw(self, context):  # type: ignore[no-untyped-def]
                if cls.bl_idname not in ancestors(SHOWN[0]):  # type: ignore[attr-defined]
                    own_draw(self, context)

            return type(
                f"{cls.__name__}{OPEN_SUFFIX}",
                cls.__bases__,
                {
                    **own,
                    "bl_idname": f"{cls.bl_idname}{OPEN_SUFFIX}",  # type: ignore[attr-defined]
                    "bl_parent_id": parent if parent == main.bl_idname else f"{parent}{OPEN_SUFFIX}",
                    "bl_options": set(getattr(cls, "bl_options", set())) - {"DEFAULT_CLOSED"},
                    "poll": shown_poll(cls.bl_idname),  # type: ignore[attr-defined]
                    "draw": draw,
                },
            )

        copies = [open_copy(cls) for cls in sub_panels]  # before the originals' poll is replaced
        for cls in sub_panels:
            cls.poll = classmethod(lambda cls, context: SHOWN[0] == DEFAULT)
        for cls in [*classes, *copies]:
            bpy.utils.register_class(cls)

    def build_scene() -> None:
        from character_scene import build_set_scene

        scene = build_set_scene(output=ARGS.make_scene.parent / "renders", resolution=(320, 450))
        settings = scene.pixel_sprites
        settings.character = "hero"
        settings.pixel = 5  # 320x450 renders: 64x90 sprites
        settings.directions = 8
        settings.pivot_object = bpy.data.objects["character"]
        settings.animated_object = next(obj for obj in bpy.data.objects if obj.type == "ARMATURE")
        for name in ("idle", "walk"):
            settings.set_actions.add().action = bpy.data.actions[name]
        settings.active_set_action = 1
        settings.set_actions[1].frame_step = 2
        settings.make_sheets = True
        settings.cleanup, settings.outline = True, "selout"
        settings.set_game_data(points="Hand=rig/arm_left/tail", boxes="Hurt=body")  # an entry in each list

    def open_scene() -> None:
        """The scene, built by a background Blender (a timer's context cannot make objects), then opened here."""
        blend = WORK / "hero" / "hero.blend"
        blend.parent.mkdir(parents=True, exist_ok=True)
        command = [bpy.app.binary_path, "-b", "--factory-startup", "--python", __file__, "--", "--make-scene"]
        made = subprocess.run([*command, str(blend)], capture_output=True, text=True, timeout=120)
        if not blend.is_file():
            raise RuntimeError(f"the scene was not made:\n{made.stdout[-2000:]}\n{made.stderr[-2000:]}")
        bpy.ops.wm.open_mainfile(filepath=str(blend))
        prefs = bpy.context.preferences
        prefs.view.render_display_type = "NONE"  # no render window over the one screenshotted
        prefs.view.ui_scale = ARGS.scale
        prefs.system.use_region_overlap = False  # the sidebar on a background of its own

    def view3d() -> tuple[bpy.types.Window, bpy.types.Area, bpy.types.Region]:
        window = bpy.context.window_manager.windows[0]
        area = max((a for a in window.screen.areas if a.type == "VIEW_3D"), key=lambda a: a.width * a.height)
        return window, area, next(region for region in area.regions if region.type == "UI")

    def redraw() -> None:
        for window in bpy.context.window_manager.windows:
            for area in window.screen.areas:
                area.tag_redraw()

    def click_next_tab() -> None:
        """A click on the sidebar's tab strip, a little lower each time, until the Sprites tab is the one shown."""
        window, _area, region = view3d()
        scale = bpy.context.preferences.system.ui_scale
        y = region.y + region.height - int(12 * scale) - int(state.get("probe", 0))  # type: ignore[call-overload]
        state["probe"] = int(state.get("probe", 0)) + int(8 * scale)  # type: ignore[call-overload]
        if y < region.y:
            raise RuntimeError("no tab of the sidebar showed the Pixel Sprites panel")
        x = region.x + region.width - int(10 * scale)
        window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=x, y=y)
        window.event_simulate(type="LEFTMOUSE", value="PRESS", x=x, y=y)
        window.event_simulate(type="LEFTMOUSE", value="RELEASE", x=x, y=y)

    def window_picture() -> Image.Image:
        from PIL import Image

        window, area, region = view3d()
        whole = WORK / "window.png"
        with bpy.context.temp_override(window=window, area=area, region=region):
            bpy.ops.screen.screenshot(filepath=str(whole))
        return Image.open(whole).convert("RGB")

    def cut(picture: Image.Image, x: int, y: int, width: int, height: int) -> Image.Image:
        """The part of the window at Blender's (x, y) from its bottom left, ``width`` by ``height``."""
        top = picture.height - (y + height)
        return picture.crop((x, top, x + width, top + height))

    def shoot(name: str, folder: Path | None = None) -> None:
        """The sidebar, cut from a screenshot of the window, trimmed below its last panel; its height said."""
        from PIL import Image, ImageChops

        _window, _area, region = view3d()
        sidebar = cut(window_picture(), region.x, region.y, region.width, region.height)
        # Where the panels are: not the tabs, which run all the way down, nor the area's edge below.
        panels_part = sidebar.crop((0, 0, sidebar.width * 4 // 5, sidebar.height - 4))
        background = Image.new("RGB", panels_part.size, panels_part.getpixel((0, panels_part.height - 1)))
        box = ImageChops.difference(panels_part, background).getbbox()
        height = box[3] if box else sidebar.height
        say("height", name, height, "px; at scale 1:", round(height / ARGS.scale), "px; sidebar width", region.width)
        bottom = min(sidebar.height, max(height + int(8 * ARGS.scale), MIN_HEIGHT))
        folder = folder or ARGS.out
        folder.mkdir(parents=True, exist_ok=True)
        sidebar.crop((0, 0, sidebar.width, bottom)).save(folder / name, optimize=True)
        say("wrote", folder / name, (sidebar.width, bottom))

    def show_sprites() -> None:
        """Show Sprites pressed in the sidebar, for the set's second action from the SHOWN_FACING."""
        settings = bpy.context.scene.pixel_sprites
        settings.preview_facing = SHOWN_FACING
        window, area, region = view3d()
        with bpy.context.temp_override(window=window, area=area, region=region):
            say("show_sprites", bpy.ops.pixel_sprites.show_sprites())

    def image_editor() -> bpy.types.Area:
        window = bpy.context.window_manager.windows[0]
        return next(area for area in window.screen.areas if area.type == "IMAGE_EDITOR")

    def shoot_image_editor(name: str) -> None:
        """The Image Editor's header and the sprite in it with some room around, cut from the window."""
        from PIL import Image, ImageChops

        area = image_editor()
        editor = cut(window_picture(), area.x, area.y, area.width, area.height)
        header = int(28 * ARGS.scale)
        view = editor.crop((0, header, editor.width, editor.height - header))
        # The sprite is in the middle: not the navigation buttons on the right, nor the frame and cache lines below.
        middle_strip = view.crop((view.width // 4, 0, view.width * 3 // 4, view.height - int(30 * ARGS.scale)))
        background = Image.new("RGB", middle_strip.size, middle_strip.getpixel((0, 0)))
        box = ImageChops.difference(middle_strip, background).getbbox() or (0, 0, view.width, view.height)
        room = int(40 * ARGS.scale)
        middle = view.crop((0, max(box[1] - room, 0), view.width, min(box[3] + room, view.height)))
        picture = Image.new("RGB", (editor.width, header + middle.height))
        picture.paste(editor.crop((0, 0, editor.width, header)), (0, 0))
        picture.paste(middle, (0, header))
        picture.save(ARGS.out / name, optimize=True)
        say("wrote", ARGS.out / name, picture.size)

    def busy() -> bool:
        return render_session.current is not None or jobs.status() is not None

    def next_step(step: str) -> None:
        state["step"], state["since"] = step, time.time()

    def drive() -> float | None:
        step, since = state["step"], float(state["since"])  # type: ignore[arg-type]
        try:
            if time.time() > float(state["deadline"]):  # type: ignore[arg-type]
                raise RuntimeError(f"timed out in step {step}")
            if step == "scene":
                open_scene()
                next_step("sidebar")
            elif step == "sidebar":
                view3d()[1].spaces.active.show_region_ui = True
                next_step("tab")
            elif step == "tab":
                if drawn[0] > since:
                    next_step("render")
                elif time.time() - since > 0.3:
                    click_next_tab()
                    state["since"] = time.time()
            elif step == "render":
                say("render_set", bpy.ops.pixel_sprites.render_set())
                next_step("rendering")
            elif step == "rendering":
                if render_session.current is not None and time.time() - since > 2 and RENDERING_SHOT not in state:
                    shoot(RENDERING_SHOT)
                    state[RENDERING_SHOT] = True
                if not busy() and bpy.context.scene.pixel_sprites.last_summary:
                    settings = bpy.context.scene.pixel_sprites
                    say("summary", settings.last_summary)
                    settings.last_summary = settings.last_summary.replace(str(WORK), "~")
                    settings.last_output = bpy.path.relpath(settings.last_output)  # as a saved project shows it
                    variant = settings.palette_variants.add()  # shown in Output; a file made after the set
                    variant.name, variant.file = "red", "//palettes/hero_red.gpl"
                    next_step("shots")
            elif step == "shots":
                shots = [*SHOTS, ALL_OPEN_SHOT]
                done = int(state.get("shot", -1))  # type: ignore[call-overload]
                shown_at = float(state.get("preview shown", 0.0))  # type: ignore[arg-type]
                if done >= 0 and shots[done] == PREVIEW_SHOT and not shown_at:
                    # The first preview compiles the viewport's shaders: shot once it is made and drawn.
                    if preview.state(bpy.context.scene).status:
                        state["preview shown"] = time.time()
                    redraw()
                    return 0.3
                if done >= 0 and shots[done] == PREVIEW_SHOT and time.time() - shown_at < 1.0:
                    redraw()
                    return 0.3
                if done >= 0:
                    shoot(shots[done], Path(tempfile.gettempdir()) if shots[done] == ALL_OPEN_SHOT else None)
                if done + 1 == len(shots):
                    SHOWN[0] = None
                    show_sprites()
                    next_step("shown")
                else:
                    state["shot"] = done + 1
                    SHOWN[0] = SHOTS.get(shots[done + 1], ALL_OPEN)
                    if shots[done + 1] == PREVIEW_SHOT:  # the demo character's sprite, shown by the live preview
                        settings = bpy.context.scene.pixel_sprites
                        settings.preview_facing, settings.live_preview = SHOWN_FACING, True
            elif step == "shown" and time.time() - since > 1.5:
                shoot_image_editor(SHOW_SPRITES_SHOT)
                next_step("playing")
            elif step == "playing":
                shown = state.setdefault("shown", [])
                shown.append(image_editor().spaces.active.image_user.frame_current)  # type: ignore[attr-defined]
                if time.time() - since < PLAYED_SECONDS:
                    return 0.02
                changes = [n for i, n in enumerate(shown) if i == 0 or shown[i - 1] != n]  # type: ignore[index]
                say(f"sprites shown in {PLAYED_SECONDS} s, in order:", changes)
                say("done")
                shutil.rmtree(WORK, ignore_errors=True)
                bpy.ops.wm.quit_blender()
                return None
            redraw()
            return 0.1 if step not in ("shots", "shown") else 0.6
        except Exception as error:  # any failure ends Blender, with a message
            import traceback

            traceback.print_exc()
            say("FAILED:", error)
            shutil.rmtree(WORK, ignore_errors=True)
            os._exit(1)

    if ARGS.make_scene is not None:
        build_scene()
        bpy.ops.wm.save_as_mainfile(filepath=str(ARGS.make_scene))
    elif not bpy.app.use_event_simulate:
        print("panel_screenshots: Blender must run with --enable-event-simulate (see the docstring)", flush=True)
        os._exit(2)
    else:
        patch_panels()
        bpy.app.timers.register(drive, first_interval=1.0, persistent=True)
