"""The palette's error on rendered characters, held to scikit-learn k-means in CIELAB.

Each character is rendered here by Cycles (the demo one, the many-coloured thin-limbed critter and the mage's
gradients), made into sprites by the pipeline, and the sprites written are compared with the nearest-downscaled
renders. The reference is ``KMeans(n_init=4, random_state=0)`` in CIELAB on 20,000 pooled opaque pixels (all of
them when fewer), each pixel mapped to its nearest centre in CIELAB.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import bpy, build_character_scene
from PIL import Image
from quality_characters import build_quality_scene
from sklearn.cluster import KMeans

from pixel_sprites import engine
from pixel_sprites.engine.colour.spaces import delta_e_2000, lab_to_srgb, srgb_to_lab

SPRITE = (64, 90)
RESOLUTION = (320, 450)
REFERENCE_SAMPLE = 20_000
CHARACTERS = ("demo", "critter", "mage")


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> dict[str, Path]:
    """Eight Cycles frames (8 angles, one pose) of each character."""
    folders = {}
    for name in CHARACTERS:
        folder = tmp_path_factory.mktemp(name) / "renders"
        if name == "demo":
            build_character_scene(output=folder, resolution=RESOLUTION, samples=8)
        else:
            build_quality_scene(name, output=folder, resolution=RESOLUTION, samples=8, poses=1)
        bpy.ops.render.render(animation=True)
        folders[name] = folder
    return folders


def downscaled(folder: Path) -> list[np.ndarray]:
    settings = engine.DownscaleSettings(size=SPRITE)
    frames = [engine.read_frame(path).rgba for path in sorted(folder.glob("*.png"))]
    return [settings.downscaler(rgba.shape[:2])(rgba) for rgba in frames]


def reference_error(pixels: np.ndarray, count: int) -> float:
    sample = np.random.default_rng(0).permutation(pixels)[:REFERENCE_SAMPLE]
    centres = KMeans(n_clusters=count, n_init=4, random_state=0).fit(srgb_to_lab(sample)).cluster_centers_
    palette = srgb_to_lab(lab_to_srgb(centres))  # the 8-bit colours a palette holds
    lab = srgb_to_lab(pixels)
    nearest = np.argmin(((lab[:, None, :] - palette[None, :, :]) ** 2).sum(axis=2), axis=1)
    return float(delta_e_2000(lab, palette[nearest]).mean())


@pytest.mark.parametrize("count", [6, 12, 24])
@pytest.mark.parametrize("name", CHARACTERS)
def test_sprites_err_less_than_the_kmeans_reference(renders, tmp_path, name, count):
    folder = renders[name]
    out = tmp_path / "sprites"
    report = engine.process(
        engine.discover_frames([folder]),
        [folder],
        engine.DownscaleSettings(size=SPRITE),
        engine.PaletteSettings(colors=count),
        engine.OutputSettings(folder=out),
        engine.RunOptions(workers=1),
    )
    assert report.frames_written == 8
    smalls = downscaled(folder)
    errors = []
    for small, path in zip(smalls, sorted(folder.glob("*.png")), strict=True):
        sprite = np.asarray(Image.open(out / path.name).convert("RGBA"))
        np.testing.assert_array_equal(sprite[:, :, 3], small[:, :, 3])
        opaque = small[:, :, 3] == 255
        errors.append(delta_e_2000(srgb_to_lab(sprite[opaque, :3]), srgb_to_lab(small[opaque, :3])))
    ours = float(np.concatenate(errors).mean())
    assert ours == pytest.approx(report.delta_e_mean, abs=1e-3)  # the report rounds to 3 decimals
    reference = reference_error(np.concatenate([small[small[:, :, 3] == 255, :3] for small in smalls]), count)
    # Within 0.1 ΔE of a reference below 1 ΔE, where 3% is less than anyone can see.
    assert ours <= 0.97 * reference or (reference < 1 and ours <= reference + 0.1), (ours, reference)
