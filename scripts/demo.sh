#!/usr/bin/env bash
# One command on a fresh machine: set everything up, then render the demo character and make its sprites.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python scripts/demo.py "$@"
