"""The Game data page's picture: one frame of the demo set's walk from each of its 8 facings, enlarged, with the
points and boxes Pixel Sprites reported for it drawn over the sprite.

    .venv/bin/python scripts/game_data_picture.py [--sprites DIR] [--frame NAME] [--out docs/game_data_facings.png]

Without ``--sprites`` it makes the set for real, as a user does: Debian's ``blender -b`` builds the sprite-set scene
of ``character_scene.build_set_scene`` (Workbench, 320x450) and renders its ``walk`` with the batch script, 8
facings (W, SW and NW mirrored from E, SE and NE), 64x90 sprites, sheets, and the game data of ``POINTS`` and
``BOXES``. The picture is drawn from what that run wrote: each sprite, and its points and boxes from the set
manifest's ``rig``; each is checked against the slices of the action's JSON page on the way (a point lies in the
pixel its slice names, a box equals its slice's bounds), so the picture shows what a game reads. A point in front
of the character is a filled dot, one behind it a ring; a box is its rectangle of whole sprite pixels.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from debian_blender import blender_env
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
ACTION = "walk"
POINTS = "HandL=hand_left,HandR=hand_right,ElbowL=rig/arm_left/tail"
BOXES = "head,body,hat"
RENDER_SIZE = (320, 450)
PIXEL = 5  # 320x450 renders: 64x90 sprites
COLOURS = {  # each point and box its own colour, none of the character's own
    "HandL": (240, 0, 240),
    "HandR": (0, 220, 255),
    "ElbowL": (255, 240, 0),
    "head": (255, 130, 0),
    "body": (255, 255, 255),
    "hat": (20, 20, 20),
}
BACKGROUND = (214, 220, 228)
LABEL = (30, 30, 30)
GAP = 4  # sprite pixels between the facings
LABEL_HEIGHT = 24  # picture pixels above each facing for its name
LEGEND_HEIGHT = 32
FONT = ImageFont.load_default(size=16)
MAKE_SCENE = """
import sys
sys.path.insert(0, {scripts!r})
import bpy
from pathlib import Path
from character_scene import build_set_scene
from mathutils import Matrix, Vector
build_set_scene(output=Path({renders!r}), resolution={resolution!r})
# An Empty at each hand (the tip of its arm), carried by the arm's bone: where the game holds a weapon.
bpy.context.view_layer.update()
for side in ("left", "right"):
    tip = bpy.data.objects["arm_" + side].matrix_world @ Vector((0, 0, -1))
    hand = bpy.data.objects.new("hand_" + side, None)
    bpy.context.scene.collection.objects.link(hand)
    hand.parent, hand.parent_type, hand.parent_bone = bpy.data.objects["rig"], "BONE", "arm_" + side
    bpy.context.view_layer.update()
    hand.matrix_world = Matrix.Translation(tip)
bpy.ops.wm.save_as_mainfile(filepath={blend!r})
"""


def render_set(work: Path, blender: str) -> Path:
    """The demo set's walk with its game data, rendered into ``work`` by Debian's Blender: its sprites folder."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    blend, renders = work / "set.blend", work / "renders"
    code = MAKE_SCENE.format(
        scripts=str(ROOT / "scripts"), renders=str(renders), resolution=RENDER_SIZE, blend=str(blend)
    )
    env = blender_env()
    subprocess.run([blender, "-b", "--factory-startup", "--python-expr", code], check=True, env=env)
    command = [
        blender, "-b", str(blend), "--python", str(ROOT / "scripts" / "render_sprites.py"), "--",
        "--directions", "8", "--mirror", "--pivot-object", "character", "--actions", ACTION,
        "--pixel", str(PIXEL), "--sheets", "--points", POINTS, "--boxes", BOXES,
    ]  # fmt: skip
    subprocess.run(command, check=True, env=env)
    return renders / "sprites"


def slices_by_frame(page: dict) -> dict[str, dict[int, dict]]:
    """Each slice's bounds on each frame of a JSON page: the last key at or before the frame, as Aseprite reads
    them."""
    frames = len(page["frames"])
    result: dict[str, dict[int, dict]] = {}
    for piece in page["meta"]["slices"]:
        keys = sorted(piece["keys"], key=lambda key: key["frame"])
        result[piece["name"]] = {
            frame: [key for key in keys if key["frame"] <= frame][-1]["bounds"] for frame in range(frames)
        }
    return result


def frame_index(page: dict, facing: str, file: str, files: list[str]) -> int:
    """The page's frame index of the sprite ``<action>/<facing>/<file>``: its facing's tag's first frame, and the
    file's place among the action's ``files``."""
    [tag] = [tag for tag in page["meta"]["frameTags"] if tag["name"] == f"{ACTION}_{facing}"]
    return int(tag["from"]) + files.index(file)


def check_against_json(frame: dict, bounds: dict[str, dict[int, dict]], index: int, where: str) -> None:
    """The manifest's data of one frame equals what the JSON page's slices say of it."""
    for name, point in frame["points"].items():
        box = bounds[name][index]
        inside = box["x"] <= point["x"] < box["x"] + box["w"] and box["y"] <= point["y"] < box["y"] + box["h"]
        if not inside:
            raise SystemExit(f"game_data_picture: {where}: point {name} {point} is not in its slice {box}")
    for name, rectangle in frame["boxes"].items():
        expected = rectangle or {"x": 0, "y": 0, "w": 0, "h": 0}
        if bounds[name][index] != expected:
            raise SystemExit(f"game_data_picture: {where}: box {name} {rectangle} but its slice {bounds[name][index]}")


def names(text: str) -> list[str]:
    """The output names of ``--points`` or ``--boxes`` text: each ``NAME=``, else the source's own name."""
    return [item.split("=", 1)[0] if "=" in item else item.split("/")[-1] for item in text.split(",")]


def draw_point(draw: ImageDraw.ImageDraw, x: float, y: float, colour: tuple[int, int, int], front: bool) -> None:
    """A filled dot for a point in front of the character, a ring for one behind; dark-edged to show on any
    colour."""
    for radius, fill, outline in ((7, None, (0, 0, 0)), (6, colour if front else None, colour)):
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill, outline=outline, width=2)


def draw_facing(sprite: Image.Image, frame: dict, scale: int) -> Image.Image:
    """The sprite enlarged (nearest) on the background, its boxes and points drawn over it."""
    panel = Image.new("RGBA", sprite.size, (*BACKGROUND, 255))
    panel.alpha_composite(sprite.convert("RGBA"))
    panel = panel.convert("RGB").resize((sprite.width * scale, sprite.height * scale), Image.Resampling.NEAREST)
    draw = ImageDraw.Draw(panel)
    for name, box in frame["boxes"].items():
        if box is not None:  # absent on this frame: nothing to draw
            corners = (box["x"] * scale, box["y"] * scale, (box["x"] + box["w"]) * scale - 1,
                       (box["y"] + box["h"]) * scale - 1)  # fmt: skip
            draw.rectangle(corners, outline=COLOURS[name], width=2)
    for name, point in frame["points"].items():
        draw_point(draw, point["x"] * scale, point["y"] * scale, COLOURS[name], point["front"])
    return panel


def legend(width: int) -> Image.Image:
    """One line naming each point and box in its colour."""
    strip = Image.new("RGB", (width, LEGEND_HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(strip)
    x, middle = 12, LEGEND_HEIGHT // 2
    for name in names(POINTS):
        draw_point(draw, x + 7, middle, COLOURS[name], True)
        x = write(draw, x + 20, middle, f"{name} (point)")
    for name in names(BOXES):
        draw.rectangle((x, middle - 7, x + 14, middle + 7), outline=COLOURS[name], width=2)
        x = write(draw, x + 20, middle, f"{name} (box)")
    draw_point(draw, x + 7, middle, LABEL, True)
    x = write(draw, x + 20, middle, "in front of the character,")
    draw_point(draw, x + 7, middle, LABEL, False)
    write(draw, x + 20, middle, "behind it")
    return strip


def write(draw: ImageDraw.ImageDraw, x: int, middle: int, text: str) -> int:
    """``text`` from ``x``, centred on ``middle``; where the next item may start."""
    draw.text((x, middle), text, fill=LABEL, font=FONT, anchor="lm")
    return x + int(draw.textlength(text, font=FONT)) + 22


def picture(sprites: Path, file: str, scale: int) -> Image.Image:
    """Every facing of the set's ``file`` of the walk, side by side in the manifest's order, with a legend."""
    [manifest_path] = sprites.glob("*.set.json")
    manifest = json.loads(manifest_path.read_text())
    page = json.loads((sprites / "sheets" / f"{ACTION}.json").read_text())
    bounds = slices_by_frame(page)
    width, height = manifest["sprite_size"]["w"], manifest["sprite_size"]["h"]
    facings = [facing["name"] for facing in manifest["facings"]]
    [files] = [action["files"] for action in manifest["actions"] if action["name"] == ACTION]
    step = (width + GAP) * scale
    size = (step * len(facings) + GAP * scale, LABEL_HEIGHT + height * scale + LEGEND_HEIGHT)
    canvas = Image.new("RGB", size, BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    for column, facing in enumerate(facings):
        frame = manifest["rig"]["frames"][ACTION][facing][file]
        index = frame_index(page, facing, file, files)
        check_against_json(frame, bounds, index, f"{ACTION}/{facing}/{file}")
        with Image.open(sprites / ACTION / facing / file) as sprite:
            panel = draw_facing(sprite, frame, scale)
        left = GAP * scale + column * step
        canvas.paste(panel, (left, LABEL_HEIGHT))
        draw.text((left + width * scale // 2, LABEL_HEIGHT // 2), facing, fill=LABEL, font=FONT, anchor="mm")
    canvas.paste(legend(canvas.width), (0, LABEL_HEIGHT + height * scale))
    return canvas


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sprites", type=Path, help="the sprites folder of a run made before (default: render it)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "pixel_sprites_game_data")
    parser.add_argument("--frame", default="0002.png", help="the walk's sprite shown (default 0002.png)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "game_data_facings.png")
    parser.add_argument("--scale", type=int, default=3, help="enlargement (default 3)")
    parser.add_argument("--blender", default="blender", help="the Blender binary (default: blender on PATH)")
    args = parser.parse_args()
    sprites = args.sprites or render_set(args.work, args.blender)
    picture(sprites, args.frame, args.scale).save(args.out, optimize=True)
    print(f"{args.out}: {ACTION}/<facing>/{args.frame}, points {POINTS}, boxes {BOXES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
