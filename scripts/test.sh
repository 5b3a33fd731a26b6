#!/usr/bin/env bash
# Run the test suite under the three Blenders from PyPI, and Debian's blender binary once:
#   bpy 5.0.1 (Python 3.11, numpy 1.26): everything, Debian's blender -b and its UI included
#   bpy 5.3.0 (Python 3.13, numpy 2):    everything but Debian's binary and the `once` tests (the project's own
#                                        code and tools: byte identity, benchmark, ruff, mypy), run once above
#   bpy 4.2.23 LTS (Python 3.11, numpy 1.24, as Blender 4.2 ships it): the add-on in Blender
# The first two run in two processes (pytest-xdist, a test file's tests in one, so its module fixtures are made
# once); the 4.2 run stays in one process, as that bpy leaves it with os._exit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== Python 3.11, bpy 5.0.1"
.venv/bin/python -m pytest -n 2 --dist loadfile --durations=25 "$@"
echo "== Python 3.13, bpy 5.3.0"
.venv313/bin/python -m pytest -n 2 --dist loadfile --durations=25 -m "not debian_blender and not once" "$@"
echo "== Python 3.11, bpy 4.2.23 LTS"
.venv42/bin/python -m pytest --durations=25 -m "not debian_blender" tests/blender "$@"
