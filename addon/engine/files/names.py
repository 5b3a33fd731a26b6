"""The names this tool gives its files: a character's name, an action's safe file name, and the palette files a
run writes. One rule each, so that every stage finds a file under the name another stage gave it."""

from __future__ import annotations

import re
from collections.abc import Sequence

# The palette files a fit writes beside the sprites, as <palette name><suffix>.
WRITTEN_PALETTE_SUFFIXES = (".gpl", ".hex", ".png")


def character_file_name(name: str) -> str:
    """The character's name as used in its file names (``Hero Knight`` → ``Hero_Knight``): the one place a
    character's name is normalised, so that every file of it is found under the same name."""
    cleaned = re.sub(r"[^\w.-]+", "_", name.strip()).strip("._")
    return cleaned or "character"


def safe_name(name: str, fallback: str = "action") -> str:
    """``name`` as a file name valid on every OS: ``Armature|mixamo.com|Layer0`` → ``Armature_mixamo.com_Layer0``."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f\s]+', "_", name).strip("._ ")
    reserved = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}
    if cleaned.split(".")[0].upper() in reserved:
        cleaned = f"_{cleaned}"
    return cleaned[:100] or fallback


def unique_safe_names(names: Sequence[str]) -> list[str]:
    """:func:`safe_name` of each name, made unique (case-insensitively, for Windows and macOS) with ``_2``, ``_3``…"""
    taken: set[str] = set()
    result = []
    for name in names:
        candidate = base = safe_name(name)
        number = 2
        while candidate.lower() in taken:
            candidate = f"{base}_{number}"
            number += 1
        taken.add(candidate.lower())
        result.append(candidate)
    return result
