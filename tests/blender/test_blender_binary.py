"""Debian's real ``blender -b`` binary (3.4): headless animation renders and the batch helper."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixel_sprites.engine import read_palette

ROOT = Path(__file__).resolve().parents[2]
BLENDER = shutil.which("blender")
if BLENDER is None and os.environ.get("CI"):
    pytest.fail("CI needs Debian's blender: scripts/setup.sh installs it", pytrace=False)
pytestmark = pytest.mark.skipif(BLENDER is None, reason="Debian's blender is not installed")

MAKE_SCENE = """
import sys
sys.path.insert(0, {scripts!r})
import bpy
from pathlib import Path
from character_scene import build_character_scene
build_character_scene(output=Path({renders!r}))
bpy.ops.wm.save_as_mainfile(filepath={blend!r})
"""


def blender(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert BLENDER is not None
    return subprocess.run(
        [BLENDER, "-b", *args], capture_output=True, text=True, timeout=600, env={**os.environ, **(env or {})}
    )


@pytest.fixture
def scene_file(tmp_path: Path) -> Path:
    blend = tmp_path / "scene.blend"
    code = MAKE_SCENE.format(scripts=str(ROOT / "scripts"), renders=str(tmp_path / "renders"), blend=str(blend))
    result = blender("--python-expr", code)
    assert blend.is_file(), result.stdout + result.stderr
    return blend


def summary_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Pixel Sprites:")]


def test_headless_animation_render_with_the_addon_writes_sprites(scene_file: Path, tmp_path: Path) -> None:
    scripts = tmp_path / "user_scripts"
    (scripts / "addons").mkdir(parents=True)
    (scripts / "addons" / "pixel_sprites").symlink_to(ROOT / "addon")

    result = blender(str(scene_file), "--addons", "pixel_sprites", "-a", env={"BLENDER_USER_SCRIPTS": str(scripts)})

    assert result.returncode == 0, result.stderr
    [summary] = summary_lines(result.stdout)
    assert summary.startswith("Pixel Sprites: 8/8 sprites")
    sprites = tmp_path / "renders" / "sprites"
    palette = {tuple(c) for c in read_palette(sprites / "character.gpl").colors.tolist()}
    for frame in range(1, 9):
        sprite = np.asarray(Image.open(sprites / f"{frame:04d}.png"))
        assert sprite.shape == (22, 16, 4)
        assert {tuple(c) for c in sprite[sprite[:, :, 3] == 255][:, :3].tolist()} <= palette
        assert Image.open(tmp_path / "renders" / f"{frame:04d}.png").size == (160, 225)


def test_batch_helper_renders_and_processes_without_preferences(scene_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "batch"
    result = blender(
        str(scene_file), "--python", str(ROOT / "scripts" / "render_sprites.py"),
        "--", "--pixel", "5", "--colors", "6", "--out", str(out), "--character", "hero",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert summary_lines(result.stdout)[0].startswith("Pixel Sprites: 8/8 sprites, 6 colours")
    assert Image.open(out / "renders" / "0003.png").size == (32, 45)
    assert len(read_palette(out / "hero.gpl")) == 6


def test_batch_helper_fails_loudly_on_a_malformed_target_palette(scene_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "game.gpl"
    bad.write_text("not a palette\n")
    result = blender(
        str(scene_file), "--python", str(ROOT / "scripts" / "render_sprites.py"), "--", "--target-palette", str(bad)
    )
    assert result.returncode == 1
    assert f"Pixel Sprites: Error: {bad}: line 1: expected the header 'GIMP Palette'" in result.stdout
    assert not (tmp_path / "renders" / "sprites" / "0001.png").exists()
    assert Image.open(tmp_path / "renders" / "0001.png").size == (160, 225)  # the renders are there, untouched


def test_a_cycles_scene_with_denoising_gets_the_cause_named(scene_file: Path, tmp_path: Path) -> None:
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT / 'scripts')!r})\n"
        "import bpy\nfrom render_sprites import load_addon\nload_addon()\n"
        "scene = bpy.context.scene\nscene.cycles.use_denoising = True\nscene.frame_end = 1\n"
        "try:\n    bpy.ops.render.render(animation=True)\nexcept RuntimeError:\n    pass\n"
    )
    result = blender(str(scene_file), "--python-expr", code)
    [summary] = summary_lines(result.stdout)
    assert "built without OpenImageDenoise" in summary and "turn off" in summary
    assert not (tmp_path / "renders" / "sprites").exists()
