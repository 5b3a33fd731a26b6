"""The record of the files Pixel Sprites wrote, so that it never writes over anything else.

Every folder it writes into keeps ``.pixel_sprites_files.json``: the files the tool wrote there and below, as
paths relative to that folder with ``/`` separators, each with its kind (see ``kinds``). A file that exists and is
not in the record (a render, an input frame, anything unknown) is never replaced, and a recorded file is replaced
only by a file of the same kind: the run refuses, naming it, before anything is written. Nothing is marked inside
the outputs themselves, so they stay byte-identical to those of earlier versions.

A folder written by an earlier version, which kept no record, is adopted only where its files prove it: a
``<character>.frames.json`` of ours names the sprites, and only the files it (and that character's manifest and
report, when they are ours) names are recorded. A report alone proves nothing: any tool may write one.

The record is read, checked and rewritten under its own short lock (``.pixel_sprites_files.lock``), so
processes sharing the folder (the add-on, the command line, farm workers) never lose each other's entries.
That lock is never held while another is taken, so it nests inside the character lock without deadlock.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ..errors import SetupError
from . import kinds
from .atomic import write_atomically
from .names import WRITTEN_PALETTE_SUFFIXES
from .paths import absolute, is_inside, portable, relative_path

RECORD_NAME = ".pixel_sprites_files.json"
LOCK_NAME = ".pixel_sprites_files.lock"
LOCK_TIMEOUT = 600.0
# Folders this tool writes below a render folder (depth: the depth frames of inner lines); frame discovery never
# takes their files for frames.
OUTPUT_FOLDER_NAMES = ("sprites", "sprite_size", "sheets", "normals", "depth")
RECORD_VERSION = 2  # 1: before kinds were told apart (see kinds.upgraded)


def record_path(folder: Path) -> Path:
    return folder / RECORD_NAME


def holds_record(folder: Path) -> bool:
    """Whether ``folder`` is one this tool writes into (it keeps a record there)."""
    return record_path(folder).is_file()


def recorded(folder: Path | str) -> dict[str, str]:
    """The files recorded in ``folder`` (relative path → kind), without adopting or locking: for reading only."""
    return _read(Path(folder)) or {}


def _read(folder: Path) -> dict[str, str] | None:
    found = _read_versioned(folder)
    return found[0] if found is not None else None


def _read_versioned(folder: Path) -> tuple[dict[str, str], bool] | None:
    """The record in today's kinds, and whether it was written in them (else it is saved again at the next claim)."""
    path = record_path(folder)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = {str(name): str(kind) for name, kind in data["files"].items()}
        current = data.get("version", 1) >= RECORD_VERSION
        return (files if current else kinds.upgraded(files)), current
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise SetupError(
            f"{path}: not a file record of Pixel Sprites ({error}); move it away to start a new one"
        ) from error


def _save(folder: Path, files: Mapping[str, str]) -> None:
    data = {"pixel_sprites": "files written", "version": RECORD_VERSION, "files": dict(sorted(files.items()))}
    # Flushed to the disk: after a power loss, a record that lost its entries would let nothing be replaced.
    write_atomically(record_path(folder), (json.dumps(data, indent=0) + "\n").encode("utf-8"), durable=True)


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


def _refused(folder: Path, wanted: Mapping[str, str], known: Mapping[str, str]) -> SetupError | None:
    """Why writing ``wanted`` into ``folder`` is refused: the first file that exists and is not ours, or is ours
    as another kind; None when every file may be written."""
    listings = _Listings(folder)
    for name, kind in wanted.items():
        recorded_kind = known.get(name)
        if recorded_kind is not None:
            if not kinds.replaceable(recorded_kind, kind):
                return SetupError(
                    f"{folder / name}: written by Pixel Sprites as a {recorded_kind}, so a {kind} does not replace "
                    "it; choose another output path or move the file away"
                )
        elif listings.may_hold(name) and (folder / name).exists():
            return _refusal(folder / name)
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
        refused = _refused(folder, wanted, known if known is not None else _adoptable(folder))
        if refused is not None:
            raise refused


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
        outdated: set[Path] = set()
        for folder in sorted(groups):  # one order for every process: no two wait on each other
            stack.enter_context(_record_lock(folder))
            found = _read_versioned(folder)
            known_by_folder[folder] = found[0] if found is not None else _adoptable(folder)
            if found is None or not found[1]:
                outdated.add(folder)
        for folder, wanted in groups.items():
            refused = _refused(folder, wanted, known_by_folder[folder])
            if refused is not None:
                raise refused
        for folder, wanted in groups.items():
            known = known_by_folder[folder]
            if folder in outdated or any(known.get(name) != kind for name, kind in wanted.items()):
                _save(folder, {**known, **wanted})


def forget(files: Mapping[Path, str], *, root: Path | str | None = None, remove: bool = False) -> list[Path]:
    """Take ``files`` out of their records where they are recorded as the kind given (a claimed file whose write
    failed; outputs no longer made), removing each from the disk too with ``remove``; returns those forgotten."""
    forgotten = []
    for folder, wanted in _grouped(files, root).items():
        if not holds_record(folder):
            continue
        with _record_lock(folder):
            known = _read(folder) or {}
            names = [name for name, kind in wanted.items() if known.get(name) == kind]
            for name in names:
                if remove:
                    (folder / name).unlink(missing_ok=True)
                del known[name]
                forgotten.append(folder / name)
            if names:
                _save(folder, known)
    return forgotten


def recorded_of_kinds(folder: Path, wanted: Sequence[str], below: str = "") -> dict[Path, str]:
    """The files recorded in ``folder``'s record as one of the ``wanted`` kinds, below its subfolder ``below``."""
    prefix = f"{below.rstrip('/')}/" if below else ""
    return {
        folder / name: kind for name, kind in recorded(folder).items() if kind in wanted and name.startswith(prefix)
    }


def _adoptable(folder: Path) -> dict[str, str]:
    """What an earlier version provably wrote in ``folder`` (absolute), to be recorded; empty if nothing.

    Only a character whose ``<name>.frames.json`` is ours counts, and only the files it names: its sprites (and
    their normal sprites), its frame log and palette files, its report and manifest where they are ours, and the
    sheets and mirrored sprites that manifest names. Never every PNG below, and never on a report alone.
    """
    if not folder.is_dir():
        return {}
    found: dict[str, str] = {}

    def add(path: Path, kind: str) -> None:
        path = absolute(path)  # a listed sprite may say ".."
        if path.is_file() and is_inside(path, folder) and path != folder:
            found.setdefault(_key(path, folder), kind)

    for frame_list in sorted(folder.glob("*.frames.json")):
        name = frame_list.name.removesuffix(".frames.json")
        listed = _listed_sprites(frame_list)
        if listed is None:
            continue
        add(frame_list, kinds.FRAME_LIST)
        add(folder / f"{name}.frames.log", kinds.FRAME_LOG)
        for suffix in WRITTEN_PALETTE_SUFFIXES:
            add(folder / f"{name}{suffix}", kinds.palette_kind(suffix))
        for sprite in listed:
            add(folder / sprite, kinds.SPRITE)
            add(folder / "normals" / sprite, kinds.SPRITE)
        if _is_our_report(folder / f"{name}_report.json"):
            add(folder / f"{name}_report.json", kinds.REPORT)
        _add_manifest_files(folder / f"{name}.set.json", add)
    return found


def _listed_sprites(frame_list: Path) -> list[str] | None:
    """The sprites a frame list of ours names; None if the file is not one."""
    try:
        data = json.loads(frame_list.read_text(encoding="utf-8"))
        return [str(entry["sprite"]).replace("\\", "/") for entry in data["frames"] if entry["frame"] is not None]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


REPORT_FIELDS = frozenset({"frames_in", "frames_written", "skipped", "palette", "sprite_colors", "delta_e_mean"})


def _is_our_report(path: Path) -> bool:
    """Whether ``path`` is a report this tool wrote: JSON holding every field of ours."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and set(data) >= REPORT_FIELDS


def _add_manifest_files(manifest: Path, add: Callable[[Path, str], None]) -> None:
    """A manifest of ours, the sheets it names and the sprites of its mirrored facings (named in it, not in the
    frame list: they are flipped from their twins)."""
    folder = manifest.parent
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        facings = [str(item["name"]) for item in data["facings"]]
        actions = [(str(item["name"]), [str(name) for name in item["files"]]) for item in data["actions"]]
        sheets = [value for entry in data.get("sheets", []) for value in entry.values() if isinstance(value, str)]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return
    add(manifest, kinds.MANIFEST)
    for action, names in actions:
        for facing in facings:
            for name in names:
                add(folder / action / facing / name, kinds.SPRITE)
    for sheet in sheets:
        if sheet.startswith("sheets/"):
            add(folder / sheet, kinds.SHEET)
