"""A real consumer reads our sheet format: Phaser 3 (``load.aseprite`` + ``anims.createFromAseprite``) in Chromium.

The sheets here are built by hand in the Aseprite "hash" JSON layout that Pixel Sprites writes. Each Phaser call
starts a browser (a few seconds), so the tests make as few calls as they can. In CI (``CI`` set) a missing
Chromium or ``npm ci`` fails the tests instead of skipping them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from phaser_reader import PhaserError, phaser_animations, phaser_available, phaser_load
from PIL import Image

CELL_W, CELL_H = 12, 17  # odd sizes, so swapped axes would show
COLUMNS = 3
TAGS = {"walk_S": [83, 83, 83], "idle_S": [120, 150, 200]}  # tag -> ms per frame; the frames run on across tags
DIRECTIONS = {"walk_S": "forward", "idle_S": "reverse"}


@pytest.fixture(scope="module", autouse=True)
def phaser():
    reason = phaser_available()
    if reason is not None:
        if os.environ.get("CI"):  # CI installs Chromium and the npm packages; missing, the check would never run
            pytest.fail(f"the Phaser check cannot run: {reason}", pytrace=False)
        pytest.skip(reason)


def frame_pixels(index: int) -> np.ndarray:
    """A distinct RGBA cell for each frame: a random pattern on 7 colours, with index 0 fully transparent."""
    rng = np.random.default_rng(index)
    return rng.integers(0, 7, size=(CELL_H, CELL_W)).astype(np.uint8)


PALETTE = np.array(
    [[0, 0, 0], [255, 0, 0], [0, 200, 0], [10, 20, 250], [250, 250, 250], [128, 64, 32], [1, 2, 3]], np.uint8
)


def write_sheet(folder: Path, paletted: bool) -> tuple[Path, Path, dict, np.ndarray]:
    """A 2-row sheet of 6 frames with a 1-pixel gap around each, its JSON, and the RGBA pixels Pillow reads back."""
    count = sum(len(durations) for durations in TAGS.values())
    rows = -(-count // COLUMNS)
    width, height = COLUMNS * (CELL_W + 1) + 1, rows * (CELL_H + 1) + 1
    indices = np.zeros((height, width), np.uint8)
    frames, tags, durations = {}, [], [d for tag in TAGS.values() for d in tag]
    for index in range(count):
        x, y = 1 + (index % COLUMNS) * (CELL_W + 1), 1 + (index // COLUMNS) * (CELL_H + 1)
        indices[y : y + CELL_H, x : x + CELL_W] = frame_pixels(index)
        frames[str(index)] = {
            "frame": {"x": x, "y": y, "w": CELL_W, "h": CELL_H},
            "rotated": False,
            "trimmed": False,
            "spriteSourceSize": {"x": 0, "y": 0, "w": CELL_W, "h": CELL_H},
            "sourceSize": {"w": CELL_W, "h": CELL_H},
            "duration": durations[index],
        }
    start = 0
    animations = {}
    for name, tag_durations in TAGS.items():
        end = start + len(tag_durations) - 1
        tags.append({"name": name, "from": start, "to": end, "direction": DIRECTIONS[name]})
        animations[name] = [str(i) for i in range(start, end + 1)]
        start = end + 1

    image_path = folder / "walk.png"
    if paletted:
        image = Image.fromarray(indices, "P")
        image.putpalette(PALETTE.tobytes())
        image.save(image_path, transparency=0)
    else:
        rgba = np.concatenate([PALETTE[indices], np.where(indices == 0, 0, 255)[..., None].astype(np.uint8)], axis=2)
        Image.fromarray(rgba, "RGBA").save(image_path)
    with Image.open(image_path) as saved:
        assert saved.mode == ("P" if paletted else "RGBA")
        expected = np.asarray(saved.convert("RGBA")).copy()
    expected[expected[..., 3] == 0] = 0  # a canvas gives fully transparent pixels back as 0, 0, 0, 0

    document = {
        "frames": frames,
        "animations": animations,
        "meta": {
            "app": "Pixel Sprites",
            "version": "0.1.0",
            "image": image_path.name,
            "format": "I8" if paletted else "RGBA8888",
            "size": {"w": width, "h": height},
            "scale": "1",
            "frameTags": tags,
            "layers": [],
            "slices": [],
        },
    }
    json_path = folder / "walk.json"
    json_path.write_text(json.dumps(document, indent=1))
    return json_path, image_path, document, expected


def expected_animation(document: dict, name: str) -> tuple[list[str], list[int]]:
    tag = next(tag for tag in document["meta"]["frameTags"] if tag["name"] == name)
    names = [str(i) for i in range(tag["from"], tag["to"] + 1)]
    if tag["direction"] == "reverse":
        names.reverse()
    return names, [document["frames"][frame]["duration"] for frame in names]


@pytest.mark.parametrize("paletted", [False, True], ids=["RGBA8888", "I8"])
def test_phaser_reads_tags_durations_and_frame_regions(tmp_path, paletted):
    json_path, image_path, document, expected = write_sheet(tmp_path, paletted)
    sheet = phaser_load(json_path, image_path, pixels=True)

    assert sheet.errors == []
    assert sheet.warnings == []
    assert sheet.phaser_version == "3.90.0"

    assert list(sheet.animations) == list(TAGS)  # one animation per frameTag, in the tags' order
    for name, animation in sheet.animations.items():
        names, durations = expected_animation(document, name)
        assert animation["frames"] == names
        assert animation["textureKeys"] == ["sheet"] * len(names)
        assert animation["frameDurations"] == durations
        assert animation["durations"] == durations
        assert animation["duration"] == sum(durations)
        assert animation["frameRate"] == pytest.approx(len(durations) * 1000 / sum(durations))
        assert animation["repeat"] == 0  # createFromAseprite makes play-once animations; games set repeat themselves
        assert animation["yoyo"] is False

    meta_size = document["meta"]["size"]
    assert sheet.texture_size == (meta_size["w"], meta_size["h"])
    assert sheet.frame_names == list(document["frames"])
    for name, frame in sheet.frames.items():
        region = document["frames"][name]["frame"]
        assert (frame["cutX"], frame["cutY"], frame["cutWidth"], frame["cutHeight"]) == (
            region["x"],
            region["y"],
            region["w"],
            region["h"],
        ), name
        sizes = (frame["width"], frame["height"], frame["realWidth"], frame["realHeight"])
        assert sizes == (region["w"], region["h"]) * 2, name
        assert frame["trimmed"] is False and frame["rotated"] is False
        # Phaser accepts a region that runs off the image without a word, so check the bounds here
        assert frame["cutX"] >= 0 and frame["cutX"] + frame["cutWidth"] <= meta_size["w"], name
        assert frame["cutY"] >= 0 and frame["cutY"] + frame["cutHeight"] <= meta_size["h"], name
        crop = expected[region["y"] : region["y"] + region["h"], region["x"] : region["x"] + region["w"]]
        np.testing.assert_array_equal(frame["rgba"], crop, err_msg=f"frame {name} as the browser decoded it")


def test_phaser_animations_is_strict_and_returns_the_tags(tmp_path):
    json_path, image_path, document, _ = write_sheet(tmp_path, paletted=True)
    animations = phaser_animations(json_path, image_path)
    assert {name: (anim["frames"], anim["durations"]) for name, anim in animations.items()} == {
        name: expected_animation(document, name) for name in TAGS
    }
    assert {name: anim["repeat"] for name, anim in animations.items()} == dict.fromkeys(TAGS, 0)

    image_path.unlink()  # a sheet whose image is missing: the browser and Phaser both complain, and we hear it
    with pytest.raises(PhaserError, match=r"walk\.png"):
        phaser_animations(json_path, image_path)
