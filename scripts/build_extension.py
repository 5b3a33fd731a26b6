"""Build the Pixel Sprites extension: one zip per platform, with the wheels it needs.

    python scripts/build_extension.py --output-dir dist [--platforms linux-x64 ...]

The extension's root is the top-level ``blender_manifest.toml`` plus the
contents of ``addon/``. One zip per platform and Blender range: Blender
4.2–5.0 (Python 3.11 wheels, ``blender_version_max = "5.1.0"``) and 5.1 and
newer (Python 3.13 wheels, ``blender_version_min = "5.1.0"``), so each Blender
offers only the zip it can run; every wheel is checked against its zip's Python
and every zip against 64 MiB. numpy is left out because Blender ships it.
Blender's own ``blender_ext.py`` (inside the ``bpy`` wheel) validates and builds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WHEEL_CACHE = Path.home() / ".cache" / "pixel_sprites" / "wheels"

# What the add-on imports, at versions that run on every numpy Blender ships: 1.24 (4.2), 1.26 (4.4–5.0)
# and 2.x (5.1+). scikit-image is not among them: the add-on only reproduces its resize, by index arrays.
REQUIREMENTS = ("scipy==1.15.3", "scikit-learn==1.6.1", "pillow==11.3.0", "filelock==3.18.0", "deflate==0.9.0")
# The fast PNG decoder; where it has no wheel (Intel macOS) the add-on decodes with Pillow.
FAST_PNG = "pyspng==0.1.4"
BUNDLED_BY_BLENDER = ("numpy",)
# The Python of each Blender range, and the range as the manifest gives it (the maximum is excluded): one zip per
# platform and range, so each Blender offers only the zip whose wheels it can load, and no zip carries two
# copies of scipy and scikit-learn.
PYTHONS = {"3.11": ("4.2.0", "5.1.0"), "3.13": ("5.1.0", None)}
MAX_ZIP_BYTES = 64 * 1024 * 1024


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


def download_wheels(platform: Platform, python: str, cache: Path) -> list[Path]:
    """The wheels of ``REQUIREMENTS`` and their dependencies for ``platform`` and ``python``, without numpy."""
    requirements = [*REQUIREMENTS, FAST_PNG] if platform.has_fast_png else list(REQUIREMENTS)
    # The cache is kept per set of requirements: a changed pin downloads afresh.
    pins = hashlib.sha256(" ".join(requirements).encode()).hexdigest()[:12]
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
    wheels = [
        path
        for path in sorted(folder.glob("*.whl"))
        if not path.name.lower().startswith(tuple(f"{name}-" for name in BUNDLED_BY_BLENDER))
    ]
    check_wheels(wheels, python)
    return wheels


def check_wheels(wheels: list[Path], python: str) -> None:
    """Refuse a wheel that the ``python`` of its zip cannot load: another CPython's, or another ABI's."""
    own = f"cp{python.replace('.', '')}"
    minor = int(python.split(".")[1])
    for wheel in wheels:
        python_tag, abi_tag = wheel.stem.split("-")[-3:-1]
        # The stable ABI (abi3) of CPython 3.x loads in every later 3.y.
        stable = abi_tag == "abi3" and any(
            tag.startswith("cp3") and tag[3:].isdigit() and int(tag[3:]) <= minor for tag in python_tag.split(".")
        )
        loadable = python_tag in ("py3", "py2.py3") or stable or (own in python_tag.split(".") and abi_tag == own)
        if not loadable:
            sys.exit(f"build_extension.py: {wheel.name} does not run on Python {python}")


def stage(folder: Path, wheels: list[Path], platforms: list[str], blender_range: tuple[str, str | None]) -> None:
    """Lay out the extension root: manifest (with wheels, platforms and Blender range) + the add-on package."""
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
    minimum, maximum = blender_range
    manifest = re.sub(r'(?m)^blender_version_min = ".*"$', f'blender_version_min = "{minimum}"', manifest)
    listing = "".join(f'  "./wheels/{name}",\n' for name in sorted(names))
    extra = f"platforms = {json.dumps(platforms)}\nwheels = [\n{listing}]\n"
    extra += f'blender_version_max = "{maximum}"\n\n' if maximum else "\n"
    first_table = manifest.index("\n[") + 1  # top-level keys must come before the first [table]
    (folder / "blender_manifest.toml").write_text(manifest[:first_table] + extra + manifest[first_table:])


def build(output_dir: Path, platform_names: list[str], cache: Path) -> list[Path]:
    """One zip per platform and Blender range (``pixel_sprites-<version>-<platform>-blender<range>.zip``)."""
    chosen = [platform for platform in PLATFORMS if platform.blender in platform_names]
    tool = blender_ext()
    zips = []
    for python, blender_range in PYTHONS.items():
        wheels = [wheel for platform in chosen for wheel in download_wheels(platform, python, cache)]
        work = output_dir / f"build-{python}"
        staging = work / "staging" / "pixel_sprites"
        stage(staging, wheels, [platform.blender for platform in chosen], blender_range)
        subprocess.run([sys.executable, str(tool), "validate", str(staging)], check=True)
        built = work / "zips"
        built.mkdir()
        subprocess.run(
            [sys.executable, str(tool), "build", "--split-platforms", "--source-dir", str(staging),
             "--output-dir", str(built)],
            check=True,
        )  # fmt: skip
        minimum, maximum = blender_range
        label = f"blender{minimum.rsplit('.', 1)[0]}-{_last_before(maximum)}" if maximum else f"blender{minimum[:3]}+"
        for archive in sorted(built.glob("*.zip")):
            subprocess.run([sys.executable, str(tool), "validate", str(archive)], check=True)
            if archive.stat().st_size > MAX_ZIP_BYTES:
                sys.exit(f"build_extension.py: {archive.name} is {archive.stat().st_size >> 20} MiB, over 64 MiB")
            final = output_dir / f"{archive.stem}-{label}.zip"
            archive.replace(final)
            zips.append(final)
        shutil.rmtree(work)
    return zips


def _last_before(version: str) -> str:
    """The last minor version before ``version`` (exclusive maximum 5.1.0 -> 5.0), for a zip's name."""
    major, minor = (int(part) for part in version.split(".")[:2])
    return f"{major}.{minor - 1}" if minor else f"{major - 1}.x"


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
