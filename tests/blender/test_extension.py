"""The built extension: Blender's own tool builds and validates it, and it installs and runs from its wheels."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Packages the extension must bring itself: hidden from the Blender that installs it.
BUNDLED = (
    "scipy",
    "sklearn",
    "scikit_learn",
    "pil",
    "pillow",
    "pyspng",
    "joblib",
    "threadpoolctl",
    "filelock",
    "deflate",
)

INSTALL_AND_RUN = """
import os, sys
from pathlib import Path
sys.path[:0] = [os.environ["BLENDER_ONLY_SITE"]]
import bpy
for name in ("scipy", "sklearn", "PIL", "pyspng", "filelock", "deflate"):
    try:
        __import__(name)
    except ImportError:
        continue
    sys.exit(f"{name} is visible before the extension is installed")
bpy.ops.preferences.extension_repo_add(
    name="pixel_test", type="LOCAL", custom_directory=os.environ["REPO"], use_custom_directory=True
)
repo = next(r.module for r in bpy.context.preferences.extensions.repos if r.name == "pixel_test")
bpy.ops.extensions.package_install_files(filepath=os.environ["ZIP"], repo=repo, enable_on_install=True)
import scipy, sklearn, PIL, pyspng, filelock, deflate
for module in (scipy, sklearn, PIL, pyspng, filelock, deflate):
    print("FROM", module.__name__, module.__file__)
assert hasattr(bpy.types.Scene, "pixel_sprites"), "the extension did not register"
print("MODULE", [name for name in sys.modules if name.endswith(".pixel_sprites")])
sys.path.insert(0, os.environ["SCRIPTS"])
from character_scene import build_character_scene
scene = build_character_scene(output=Path(os.environ["RENDERS"]), samples=1)
scene.frame_end = 3
bpy.ops.render.render(animation=True)
print("SUMMARY", scene.pixel_sprites.last_summary)
# A farm worker's route: the operators of the installed extension, whatever its module is called.
renders = os.environ["RENDERS"]
print("FIT", bpy.ops.pixel_sprites.farm_fit(renders=renders))
print("APPLY", bpy.ops.pixel_sprites.farm_apply(renders=renders, frames="2..3"))
if bpy.app.version < (4, 3, 0):  # bpy 4.2 as a module crashes at exit (see conftest); the outputs are judged
    sys.stdout.flush()
    os._exit(0)
"""


@pytest.fixture(scope="module")
def linux_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "build_extension.py"),
            "--output-dir",
            str(output),
            "--platforms",
            "linux-x64",
        ],
        check=True,
        timeout=1800,
    )
    zips = sorted(output.glob("*.zip"))
    assert [path.name for path in zips] == [
        "pixel_sprites-0.1.0-linux_x64-blender4.2-5.0.zip",
        "pixel_sprites-0.1.0-linux_x64-blender5.1+.zip",
    ]
    # This Blender's zip: Python 3.11 for Blender 4.2 to 5.0, 3.13 for 5.1 and newer.
    return zips[0] if sys.version_info[:2] == (3, 11) else zips[1]


def test_zip_holds_the_addon_and_its_own_pythons_wheels_but_no_numpy_tests_or_scripts(linux_zip: Path) -> None:
    assert linux_zip.stat().st_size <= 64 * 1024 * 1024
    archive = zipfile.ZipFile(linux_zip)
    names = archive.namelist()
    manifest = archive.read("blender_manifest.toml").decode()
    own = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    other = {"cp311": "cp313", "cp313": "cp311"}[own]
    if own == "cp311":
        assert 'blender_version_min = "4.2.0"' in manifest and 'blender_version_max = "5.1.0"' in manifest
    else:
        assert 'blender_version_min = "5.1.0"' in manifest and "blender_version_max" not in manifest
    expected = {"blender_manifest.toml", "__init__.py", "engine/sprites/pipeline.py", "engine/export/godot.py"}
    assert expected | {"cli/process.py", "blender/handlers.py"} <= set(names)
    wheels = [name for name in names if name.startswith("wheels/")]
    assert any(name.startswith("wheels/filelock-") and name.endswith("-py3-none-any.whl") for name in wheels)
    for package in ("scipy", "scikit_learn", "pillow", "pyspng"):
        assert any(name.startswith(f"wheels/{package}-") and own in name for name in wheels), package
    assert any(name.startswith("wheels/deflate-") and "-cp311-abi3-" in name for name in wheels)  # one for 3.11+
    assert not [name for name in wheels if other in name and "-abi3-" not in name]  # one Python per zip
    assert not [name for name in names if name.startswith(("wheels/numpy", "tests/", "scripts/"))]
    assert all("manylinux" in name or "none-any" in name for name in wheels)


def test_installed_extension_runs_from_its_own_wheels(linux_zip: Path, tmp_path: Path) -> None:
    site = Path(next(path for path in sys.path if path.endswith("site-packages") and Path(path, "bpy").is_dir()))
    blender_only = tmp_path / "site"
    blender_only.mkdir()
    for entry in site.iterdir():
        lowered = entry.name.lower()
        if not lowered.startswith((*BUNDLED, "__editable__", "pixel_sprites", "_pixel_sprites")):
            (blender_only / entry.name).symlink_to(entry)
    (tmp_path / "repo").mkdir()
    env = {
        **os.environ,
        "BLENDER_ONLY_SITE": str(blender_only),
        "BLENDER_USER_RESOURCES": str(tmp_path / "resources"),
        "REPO": str(tmp_path / "repo"),
        "ZIP": str(linux_zip),
        "SCRIPTS": str(ROOT / "scripts"),
        "RENDERS": str(tmp_path / "renders"),
    }
    env.pop("BLENDER_USER_SCRIPTS", None)
    result = subprocess.run(
        [sys.executable, "-S", "-c", INSTALL_AND_RUN], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    origins = [line.split()[2] for line in result.stdout.splitlines() if line.startswith("FROM")]
    assert len(origins) == 6
    assert all(origin.startswith(str(tmp_path / "resources" / "extensions")) for origin in origins), origins
    assert "bl_ext." in result.stdout.split("MODULE", 1)[1].splitlines()[0]
    assert "SUMMARY 3/3 sprites" in result.stdout
    assert "FIT {'FINISHED'}" in result.stdout and "APPLY {'FINISHED'}" in result.stdout
    assert "Pixel Sprites: 2/2 sprites" in result.stdout
    assert len(list((tmp_path / "renders" / "sprites").glob("000?.png"))) == 3


def test_the_build_refuses_a_wheel_its_zips_python_cannot_load(tmp_path: Path) -> None:
    from build_extension import check_wheels

    loadable = [
        tmp_path / "scipy-1.15.3-cp311-cp311-manylinux2014_x86_64.whl",
        tmp_path / "joblib-1.6.0-py3-none-any.whl",
    ]
    check_wheels(loadable, "3.11")
    stable_abi = tmp_path / "deflate-0.9.0-cp311-abi3-manylinux2014_x86_64.whl"
    check_wheels([stable_abi], "3.11")
    check_wheels([stable_abi], "3.13")
    with pytest.raises(SystemExit, match=r"scipy-1\.15\.3-cp313-cp313-win_amd64\.whl does not run on Python 3\.11"):
        check_wheels([tmp_path / "scipy-1.15.3-cp313-cp313-win_amd64.whl"], "3.11")
    with pytest.raises(SystemExit, match=r"deflate-9\.0-cp313-abi3-win_amd64\.whl does not run on Python 3\.11"):
        check_wheels([tmp_path / "deflate-9.0-cp313-abi3-win_amd64.whl"], "3.11")
