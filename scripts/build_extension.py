"""Build the Pixel Sprites extension: one zip per platform, with the wheels it needs.

    python scripts/build_extension.py --output-dir dist [--platforms linux-x64 ...]

The extension's root is the top-level ``blender_manifest.toml`` plus the
contents of ``addon/``. Wheels for Blender 4.2–5.0 (Python 3.11) and 5.1 and
newer (Python 3.13) are downloaded for each platform and listed in the staged
manifest; numpy is left out because Blender ships it. Blender's own
``blender_ext.py`` (inside the ``bpy`` wheel) validates and builds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WHEEL_CACHE = Path.home() / ".cache" / "pixel_sprites" / "wheels"

# What the add-on imports, at versions that run on every numpy Blender ships: 1.24 (4.2), 1.26 (4.4–5.0)
# and 2.x (5.1+). scikit-image is not among them: the add-on only reproduces its resize, by index arrays.
REQUIREMENTS = ("scipy==1.15.3", "scikit-learn==1.6.1", "pillow==11.3.0", "filelock==3.18.0")
# The fast PNG decoder; where it has no wheel (Intel macOS) the add-on decodes with Pillow.
FAST_PNG = "pyspng==0.1.4"
BUNDLED_BY_BLENDER = ("numpy",)
PYTHONS = ("3.11", "3.13")


@dataclass(frozen=True)
class Platform:
    blender: str
    pip_tags: tuple[str, ...]
    has_fast_png: bool = True


PLATFORMS = (
    Platform("linux-x64", ("manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux_2_28_x86_64")),
    Platform("windows-x64", ("win_amd64",)),
    Platform("macos-arm64", ("macosx_11_0_arm64", "macosx_12_0_arm64", "macosx_14_0_arm64")),
    Platform(
        "macos-x64",
        ("macosx_10_9_x86_64", "macosx_10_13_x86_64", "macosx_10_15_x86_64", "macosx_13_0_x86_64"),
        has_fast_png=False,
    ),
)


def blender_ext() -> Path:
    """Blender's extension tool, from the installed ``bpy`` wheel."""
    import importlib.util

    spec = importlib.util.find_spec("bpy")
    if spec is None or spec.origin is None:
        sys.exit("build_extension.py: needs the bpy wheel (scripts/setup.sh installs it) for blender_ext.py")
    found = sorted(Path(spec.origin).parent.glob("*/scripts/addons_core/bl_pkg/cli/blender_ext.py"))
    if not found:
        sys.exit(f"build_extension.py: no blender_ext.py inside {Path(spec.origin).parent}")
    return found[-1]


def download_wheels(platform: Platform, cache: Path) -> list[Path]:
    """The wheels of ``REQUIREMENTS`` and their dependencies for ``platform``, both Pythons, without numpy."""
    wheels: list[Path] = []
    requirements = [*REQUIREMENTS, FAST_PNG] if platform.has_fast_png else list(REQUIREMENTS)
    # The cache is kept per set of requirements: a changed pin downloads afresh.
    pins = hashlib.sha256(" ".join(requirements).encode()).hexdigest()[:12]
    for python in PYTHONS:
        folder = cache / platform.blender / python / pins
        if not any(folder.glob("*.whl")):
            command = [
                sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                "--only-binary=:all:", "--implementation", "cp", "--python-version", python,
                "--abi", f"cp{python.replace('.', '')}", "--dest", str(folder),
            ]  # fmt: skip
            for tag in platform.pip_tags:
                command += ["--platform", tag]
            subprocess.run([*command, *requirements], check=True)
        wheels += [
            path
            for path in sorted(folder.glob("*.whl"))
            if not path.name.lower().startswith(tuple(f"{name}-" for name in BUNDLED_BY_BLENDER))
        ]
    return wheels


def stage(folder: Path, wheels: list[Path], platforms: list[str]) -> None:
    """Lay out the extension root: manifest (with wheels and platforms) + the add-on package."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(ROOT / "addon", folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (folder / "wheels").mkdir()
    names = []
    for wheel in wheels:
        if not (folder / "wheels" / wheel.name).exists():
            shutil.copy2(wheel, folder / "wheels" / wheel.name)
            names.append(wheel.name)
    manifest = (ROOT / "blender_manifest.toml").read_text(encoding="utf-8")
    listing = "".join(f'  "./wheels/{name}",\n' for name in sorted(names))
    extra = f"platforms = {json.dumps(platforms)}\nwheels = [\n{listing}]\n\n"
    first_table = manifest.index("\n[") + 1  # top-level keys must come before the first [table]
    (folder / "blender_manifest.toml").write_text(manifest[:first_table] + extra + manifest[first_table:])


def build(output_dir: Path, platform_names: list[str], cache: Path) -> list[Path]:
    chosen = [platform for platform in PLATFORMS if platform.blender in platform_names]
    wheels = [wheel for platform in chosen for wheel in download_wheels(platform, cache)]
    staging = output_dir / "staging" / "pixel_sprites"
    stage(staging, wheels, [platform.blender for platform in chosen])
    tool = blender_ext()
    subprocess.run([sys.executable, str(tool), "validate", str(staging)], check=True)
    before = set(output_dir.glob("*.zip"))
    subprocess.run(
        [
            sys.executable,
            str(tool),
            "build",
            "--split-platforms",
            "--source-dir",
            str(staging),
            "--output-dir",
            str(output_dir),
        ],
        check=True,
    )
    zips = sorted(set(output_dir.glob("*.zip")) - before) or sorted(output_dir.glob("*.zip"))
    for archive in zips:
        subprocess.run([sys.executable, str(tool), "validate", str(archive)], check=True)
    shutil.rmtree(output_dir / "staging")
    return zips


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output-dir", type=Path, required=True, help="where the zips go")
    parser.add_argument(
        "--platforms",
        nargs="+",
        choices=[platform.blender for platform in PLATFORMS],
        default=[platform.blender for platform in PLATFORMS],
        help="platforms to build for (default: all)",
    )
    parser.add_argument("--wheel-cache", type=Path, default=DEFAULT_WHEEL_CACHE, help="downloaded wheels are kept here")
    args = parser.parse_args(argv)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    for archive in build(args.output_dir.resolve(), args.platforms, args.wheel_cache):
        print(archive)
    return 0


if __name__ == "__main__":
    sys.exit(main())
