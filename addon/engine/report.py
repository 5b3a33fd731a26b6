"""What a run did: frames in, written and skipped, the palette, the colour error, timings."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .quantize import PaletteSettings
    from .remap import ErrorStats, Remapper


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
        if self.output_folder is not None:
            parts.append(f"in {self.output_folder}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["skipped"] = [{"file": path, "reason": reason} for path, reason in self.skipped]
        data["notes"] = [{"file": path, "note": text} for path, text in self.notes]
        for key in ("output_folder", "report_path"):
            data[key] = str(data[key]) if data[key] is not None else None
        data["timings"] = {name: round(seconds, 3) for name, seconds in self.timings.items()}
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
