"""The record of the files Pixel Sprites wrote, so that it never writes over anything else.

Every folder it writes into keeps ``.pixel_sprites_files.json``: the files the tool wrote there and below, as
paths relative to that folder with ``/`` separators, each with its kind (``sprite``, ``palette``, ``report``,
``sheet``, ...). A file that exists and is not in the record (a render, an input frame, anything unknown) is
never replaced: the run refuses, naming it, before anything is written. Nothing is marked inside the outputs
themselves, so they stay byte-identical to those of earlier versions.

A folder written by an earlier version, which kept no record, is known by its ``<character>.frames.json`` or
``*_report.json``; it is adopted once, recording the files there that carry this tool's names.

The record is read, checked and rewritten under its own short lock (``.pixel_sprites_files.lock``), so
processes sharing the folder (the add-on, the command line, farm workers) never lose each other's entries.
That lock is never held while another is taken, so it nests inside the character lock without deadlock.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ..errors import SetupError
from .atomic import write_atomically
from .names import WRITTEN_PALETTE_SUFFIXES
from .paths import absolute, is_inside, portable, relative_path

RECORD_NAME = ".pixel_sprites_files.json"
LOCK_NAME = ".pixel_sprites_files.lock"
LOCK_TIMEOUT = 600.0
# Folders this tool writes below a render folder (depth: the depth frames of inner lines); frame discovery never
# takes their files for frames.
OUTPUT_FOLDER_NAMES = ("sprites", "sprite_size", "sheets", "normals", "depth")
SHEET_SUFFIXES = (".png", ".json", ".tres", ".aseprite", ".gif")


def record_path(folder: Path) -> Path:
    return folder / RECORD_NAME


def holds_record(folder: Path) -> bool:
    """Whether ``folder`` is one this tool writes into (it keeps a record there)."""
    return record_path(folder).is_file()


def recorded(folder: Path | str) -> dict[str, str]:
    """The files recorded in ``folder`` (relative path → kind), without adopting or locking: for reading only."""
    return _read(Path(folder)) or {}


def _read(folder: Path) -> dict[str, str] | None:
    path = record_path(folder)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(name): str(kind) for name, kind in data["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise SetupError(
            f"{path}: not a file record of Pixel Sprites ({error}); move it away to start a new one"
        ) from error


def _save(folder: Path, files: Mapping[str, str]) -> None:
    data = {"pixel_sprites": "files written", "version": 1, "files": dict(sorted(files.items()))}
    write_atomically(record_path(folder), (json.dumps(data, indent=0) + "\n").encode("utf-8"))


@contextmanager
def _record_lock(folder: Path) -> Iterator[None]:
    from filelock import FileLock, Timeout

    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK_NAME), timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except Timeout:
        raise SetupError(f"{folder / LOCK_NAME}: held by another process for {LOCK_TIMEOUT:g} s") from None
    try:
        yield
    finally:
        lock.release()


def _record_folder(path: Path, root: Path | None) -> Path:
    return root if root is not None and is_inside(path, root) else path.parent


def _key(path: Path, folder: Path) -> str:
    relative = relative_path(path, folder)
    assert relative is not None and ".." not in relative.parts, (path, folder)
    return portable(relative)


def _grouped(files: Mapping[Path, str], root: Path | str | None) -> dict[Path, dict[str, str]]:
    base = absolute(root) if root is not None else None
    # Below ``root`` (nearly every file of a run: its sprites) the key is the rest of the path's text, found
    # without the cost of a Path per file; a run of 30,000 sprites claims them in a tenth of the time.
    prefix = os.path.join(base, "") if base is not None else None
    groups: dict[Path, dict[str, str]] = {}
    for path, kind in files.items():
        text = os.path.abspath(path)
        if prefix is not None and base is not None and text.startswith(prefix) and len(text) > len(prefix):
            groups.setdefault(base, {})[text[len(prefix) :].replace(os.sep, "/")] = kind
            continue
        folder = _record_folder(Path(text), base)
        groups.setdefault(folder, {})[_key(Path(text), folder)] = kind
    return groups


def _foreign(folder: Path, wanted: Mapping[str, str], known: Mapping[str, str]) -> Path | None:
    listings = _Listings(folder)
    for name in wanted:
        if name not in known and listings.may_hold(name) and (folder / name).exists():
            return folder / name
    return None


class _Listings:
    """Which names may exist below a folder, from one listing of each subfolder asked about, rather than a file
    system call per name: a first run into an empty folder asks about thousands that do not exist.

    Names are compared case-folded and in one Unicode form, so a file system that matches names that way
    (Windows, macOS) still has every candidate confirmed by ``exists``.
    """

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._names: dict[str, set[str] | None] = {}  # None: the subfolder cannot be listed; ask the file system

    def may_hold(self, name: str) -> bool:
        subfolder, _, leaf = name.rpartition("/")
        if subfolder not in self._names:
            self._names[subfolder] = self._list(subfolder)
        names = self._names[subfolder]
        return names is None or _folded(leaf) in names

    def _list(self, subfolder: str) -> set[str] | None:
        try:
            return {_folded(entry) for entry in os.listdir(self._folder / subfolder)}
        except (FileNotFoundError, NotADirectoryError):
            return set()  # nothing can exist below it
        except OSError:
            return None


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def _refusal(path: Path) -> SetupError:
    return SetupError(
        f"{path}: exists and was not written by Pixel Sprites (a render, an input or someone else's file), so it "
        "is never replaced; choose another output path or move the file away"
    )


def check_writable(files: Mapping[Path, str], *, root: Path | str | None = None) -> None:
    """Refuse, naming the file, if any of ``files`` exists and is not one this tool wrote.

    ``files`` maps each path to its kind. Paths below ``root`` are recorded in ``root``'s record, the others in
    their own folder's. Nothing is written (a folder without a record is not adopted yet).

    Raises
    ------
    SetupError
        Naming the first such file.
    """
    _check_groups(_grouped(files, root))


def _check_groups(groups: Mapping[Path, Mapping[str, str]]) -> None:
    for folder, wanted in groups.items():
        known = _read(folder)
        foreign = _foreign(folder, wanted, known if known is not None else _adoptable(folder))
        if foreign is not None:
            raise _refusal(foreign)


def claim(files: Mapping[Path, str], *, root: Path | str | None = None) -> None:
    """Check ``files`` as :func:`check_writable` does, then record them: call it before writing any of them.

    Recording comes first, so that a run killed halfway leaves files the next run knows as its own.
    """
    groups = _grouped(files, root)
    # A folder without a record may not be ours: refuse there before a lock file is made. A folder with one is
    # checked under its lock alone, so the record is read once.
    _check_groups({folder: wanted for folder, wanted in groups.items() if not holds_record(folder)})
    with ExitStack() as stack:
        known_by_folder: dict[Path, dict[str, str]] = {}
        for folder in sorted(groups):  # one order for every process: no two wait on each other
            stack.enter_context(_record_lock(folder))
            known = _read(folder)
            known_by_folder[folder] = known if known is not None else _adoptable(folder)
        for folder, wanted in groups.items():
            foreign = _foreign(folder, wanted, known_by_folder[folder])
            if foreign is not None:
                raise _refusal(foreign)
        for folder, wanted in groups.items():
            known = known_by_folder[folder]
            if not holds_record(folder) or any(known.get(name) != kind for name, kind in wanted.items()):
                _save(folder, {**known, **wanted})


def _adoptable(folder: Path) -> dict[str, str]:
    """What an earlier version wrote in ``folder`` (absolute), known by the names it gives its files; empty if
    none."""
    if not folder.is_dir():
        return {}
    frame_lists = sorted(folder.glob("*.frames.json"))
    reports = sorted(folder.glob("*_report.json"))
    if not frame_lists and not reports:
        return {}
    found: dict[str, str] = {}

    def add(path: Path, kind: str) -> None:
        path = absolute(path)  # a listed sprite may say ".."
        if path.is_file() and is_inside(path, folder):
            found[_key(path, folder)] = kind

    for frame_list in frame_lists:
        name = frame_list.name.removesuffix(".frames.json")
        add(frame_list, "frame list")
        add(folder / f"{name}.frames.log", "frame log")
        add(folder / f"{name}.set.json", "manifest")
        for suffix in WRITTEN_PALETTE_SUFFIXES:
            add(folder / f"{name}{suffix}", "palette")
        for listed in _listed_sprites(frame_list):
            add(folder / listed, "sprite")
    for report in reports:
        name = report.name.removesuffix("_report.json")
        add(report, "report")
        for suffix in WRITTEN_PALETTE_SUFFIXES:
            add(folder / f"{name}{suffix}", "palette")
    if reports:  # a command-line output folder: its frames' sprites keep the renders' names, below it
        for sprite in folder.rglob("*.png"):
            if not sprite.name.startswith(".") and _key(absolute(sprite), folder) not in found:
                add(sprite, "sprite")
    for manifest in folder.glob("*.set.json"):
        add(manifest, "manifest")
    sheets = folder / "sheets"
    if sheets.is_dir():
        for sheet in sheets.iterdir():
            if sheet.suffix in SHEET_SUFFIXES:
                add(sheet, "sheet")
    _mirrored_sprites(folder, found)
    return found


def _listed_sprites(frame_list: Path) -> list[str]:
    try:
        data = json.loads(frame_list.read_text(encoding="utf-8"))
        return [str(entry["sprite"]).replace("\\", "/") for entry in data["frames"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []  # the character will name the file when it reads it


def _mirrored_sprites(folder: Path, found: dict[str, str]) -> None:
    """Sprites of a set's mirrored facings, flipped from their twins: named in the manifest, not in the list."""
    for manifest in folder.glob("*.set.json"):
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            facings = [str(item["name"]) for item in data["facings"]]
            actions = [(str(item["name"]), [str(name) for name in item["files"]]) for item in data["actions"]]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        for action, names in actions:
            for facing in facings:
                for name in names:
                    path = folder / action / facing / name
                    if path.is_file():
                        found.setdefault(f"{action}/{facing}/{name}", "sprite")
