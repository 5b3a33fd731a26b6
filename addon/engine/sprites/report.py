"""What a run did: frames in, written and skipped, the palette, the colour error, timings."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..colour.palette import Palette
    from ..palette.fit import PaletteSettings
    from ..palette.remap import ErrorStats, Remapper


@dataclass
class Report:
    """The outcome of a run, written as JSON beside the sprites."""

    frames_in: int = 0
    frames_read: int = 0
    frames_written: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False
    output_folder: Path | None = None
    report_path: Path | None = None
    fit_settings: PaletteSettings | None = None
    sample_size: int = 0
    counts_tried: list[int] = field(default_factory=list)
    palette: list[str] = field(default_factory=list)
    target_palette: list[str] | None = None
    sprite_colors: list[str] = field(default_factory=list)
    palette_file: list[str] | None = None
    """The palette as its file holds it (with an added outline colour), which every sprite here was written with."""
    palette_saved: bool = True
    """False when a run that fitted a palette stopped early: the palette files keep the earlier palette."""
    stale: list[str] = field(default_factory=list)
    """Sprites a run that stopped early did not write: they keep an earlier run's colours, or do not exist."""
    sprite_palette: Palette | None = field(default=None, repr=False, compare=False)
    """The colours the sprites were written in (with a target palette, the target's): what their sheets use. Not in
    the report's file, which has them as ``sprite_colors``."""
    written: dict[str, list[float]] = field(default_factory=dict)
    """Merged reports (apply): each sprite written (relative path) → [error pixels, error total], so that a frame
    written twice (a retried chunk) counts once, with its last write's error."""
    delta_e_mean: float = 0.0
    delta_e_p95: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def skip(self, path: Path, reason: str) -> None:
        self.skipped.append((str(path), reason))

    def note(self, path: Path, text: str) -> None:
        self.notes.append((str(path), text))

    def set_errors(self, errors: ErrorStats) -> None:
        self.delta_e_mean = round(errors.mean, 3)
        self.delta_e_p95 = round(errors.percentile(95), 3)

    def set_palettes(self, remapper: Remapper) -> None:
        self.palette = remapper.palette.hex_codes()
        self.target_palette = remapper.target.hex_codes() if remapper.target is not None else None
        self.sprite_colors = remapper.output_palette.hex_codes()
        self.sprite_palette = remapper.output_palette

    def skipped_text(self) -> str:
        return "\n".join(f"  {path}: {reason}" for path, reason in self.skipped)

    def summary(self) -> str:
        """One line for a terminal or Blender's status bar."""
        parts = [f"{self.frames_written}/{self.frames_in} sprites", f"{len(self.sprite_colors)} colours"]
        if self.frames_written:
            parts.append(f"mean ΔE2000 {self.delta_e_mean:.2f}")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        if self.cancelled:
            parts.append("cancelled: partial")
        if self.stale:
            parts.append(f"{len(self.stale)} sprites stale (the palette files keep the earlier palette; run again)")
        if self.output_folder is not None:
            parts.append(f"in {self.output_folder}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(replace(self, sprite_palette=None))
        del data["sprite_palette"]
        data["skipped"] = [{"file": path, "reason": reason} for path, reason in self.skipped]
        data["notes"] = [{"file": path, "note": text} for path, text in self.notes]
        for key in ("output_folder", "report_path"):
            data[key] = str(data[key]) if data[key] is not None else None
        data["timings"] = {name: round(seconds, 3) for name, seconds in self.timings.items()}
        for key, unset in (("palette_file", None), ("palette_saved", True), ("stale", []), ("written", {})):
            if data[key] == unset:  # only where they say something: a finished run's report is as it was
                del data[key]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _merged(earlier: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    """``later``'s report merged into ``earlier``'s: each sprite counts once, with its last write (a chunk run
    twice, or retried after a stop, adds nothing twice), skips and notes are kept once each, and the colour error
    is the mean over the sprites written, its 95th percentile the larger of the two (an upper bound)."""
    merged = dict(later)
    written = {str(name): [float(value) for value in item] for name, item in dict(earlier.get("written", {})).items()}
    written.update(later.get("written", {}))
    merged["written"] = dict(sorted(written.items()))
    for key in ("skipped", "notes"):
        seen = [item for item in earlier.get(key, []) if isinstance(item, dict)]
        merged[key] = seen + [item for item in later.get(key, []) if item not in seen]
    merged["frames_written"] = len(written)
    merged["frames_in"] = merged["frames_read"] = len(written) + len(merged["skipped"])
    merged["cancelled"] = bool(earlier.get("cancelled")) or bool(later.get("cancelled"))
    pixels = sum(int(item[0]) for item in written.values())
    if pixels:
        merged["delta_e_mean"] = round(sum(item[1] for item in written.values()) / pixels, 3)
        merged["delta_e_p95"] = max(float(earlier.get("delta_e_p95", 0.0)), float(later["delta_e_p95"]))
    timings = dict(earlier.get("timings", {}))
    for name, seconds in later.get("timings", {}).items():
        timings[name] = round(float(timings.get(name, 0.0)) + seconds, 3)
    merged["timings"] = timings
    return merged


def written_palette(path: Path) -> list[str] | None:
    """The palette the sprites of the report at ``path`` were written with, as its file holds it; None when there
    is no such report, or it says no sprite was written."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not data.get("frames_written"):
        return None
    palette = data.get("palette_file", data.get("palette"))
    return [str(code) for code in palette] if isinstance(palette, list) else None


def merge_into_report(report: Report, path: Path) -> None:
    """Add ``report``'s counts to the report at ``path`` (or start it), holding a lock beside it.

    Runs that only apply a saved palette (a farm's chunks, a frame-list render's frames) share one report:
    each adds its frames to it, and none overwrites another's.
    """
    from filelock import FileLock

    from ..files.atomic import write_atomically

    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path.with_name(f".{path.name}.lock"))):
        later = report.to_dict()
        later.setdefault("written", {})
        try:
            earlier = json.loads(path.read_text(encoding="utf-8"))
            data = _merged(earlier, later) if isinstance(earlier, dict) else later
        except (OSError, ValueError, TypeError, KeyError, IndexError):
            data = _merged({}, later)  # none yet, or not readable: this run's sprites start it
        write_atomically(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
