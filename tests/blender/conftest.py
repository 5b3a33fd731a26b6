"""Real Blender (``bpy`` from PyPI) with the add-on enabled the way Blender finds it.

``BLENDER_USER_SCRIPTS`` points at a folder whose ``addons/pixel_sprites`` is
this repository's ``addon/``; it must be set before ``bpy`` is imported.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
USER_SCRIPTS = Path(tempfile.mkdtemp(prefix="pixel_sprites_scripts_"))
(USER_SCRIPTS / "addons").mkdir()
(USER_SCRIPTS / "addons" / "pixel_sprites").symlink_to(ROOT / "addon")
os.environ["BLENDER_USER_SCRIPTS"] = str(USER_SCRIPTS)

if os.environ.get("CI"):
    import bpy  # in CI a Blender that fails to import is a failure, not a skip
else:
    bpy = pytest.importorskip("bpy")
import addon_utils  # noqa: E402  (only importable once bpy is)

sys.path.insert(0, str(ROOT / "scripts"))
from character_scene import build_character_scene  # noqa: E402

addon_utils.enable("pixel_sprites", default_set=True)


@pytest.fixture(autouse=True)
def fresh_file():
    bpy.ops.wm.read_homefile(app_template="")
    yield
    bpy.ops.wm.read_homefile(app_template="")


@pytest.fixture
def character(tmp_path):
    """The demo character as 8 tiny Cycles frames, set to render into ``tmp_path/renders``."""
    return build_character_scene(output=tmp_path / "renders", resolution=(160, 225), samples=2)


# bpy 4.2 as a module crashes (SIGSEGV) at interpreter exit once a PropertyGroup with a method has been
# registered, after every test has run and been reported; bpy 4.3 and newer exit cleanly. The session's own
# exit status is kept: a crash during the tests still fails the run.
LEAVES_BY_OS_EXIT = bpy.app.version < (4, 3, 0)
_exit_status = 0


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    global _exit_status
    _exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    if LEAVES_BY_OS_EXIT:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status)
