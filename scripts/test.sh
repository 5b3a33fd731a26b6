#!/usr/bin/env bash
# Run the whole test suite under both Blenders from PyPI: bpy 5.0.1 (Python 3.11) and bpy 5.3.0 (Python 3.13).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== Python 3.11, bpy 5.0.1"
.venv/bin/python -m pytest "$@"
echo "== Python 3.13, bpy 5.3.0"
.venv313/bin/python -m pytest "$@"
