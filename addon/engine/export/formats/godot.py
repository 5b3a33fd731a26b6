"""Godot 4 ``SpriteFrames`` (``<group>.tres``): the group's animations on its pages; a palette variant's copy
names the variant's pages, and the run-time palette swap gets ``<group>_index.tres`` on the index maps."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..godot import write_sprite_frames
from ..index_maps import INDEX_SUFFIX
from ..recolour import Recolour
from .base import FormatOutcome, GroupPages, SheetFormat, WrittenPages


class GodotSpriteFrames(SheetFormat):
    name = "godot"

    def files(self, group: GroupPages) -> list[str]:
        return [f"{group.name}.tres"]

    def write(self, out: Path, group: GroupPages, pages: WrittenPages) -> FormatOutcome:
        normal_names = [name for name in pages.normal_names if name is not None]
        path = write_sprite_frames(
            out / f"{group.name}.tres", group.pages, group.image_names, group.sprite_set.sprite_size,
            normal_names=normal_names or None,
        )  # fmt: skip
        return FormatOutcome([path.name], manifest_key="godot")

    def runtime_files(self, written: Sequence[str], pages: Sequence[str]) -> list[str]:
        return [index_resource_name(name) for name in written]

    def runtime_copy(self, data: bytes, pages: Sequence[str]) -> bytes:
        return _with_pages(data.decode("utf-8"), pages, INDEX_SUFFIX).encode("utf-8")

    def variant_copy(self, data: bytes, name: str, pages: Sequence[str], variant: str, recolour: Recolour) -> bytes:
        return _with_pages(data.decode("utf-8"), pages, f".{variant}").encode("utf-8")


def index_resource_name(tres: str) -> str:
    """The ``SpriteFrames`` of a group cut from its index maps, for the palette swap shader: ``<group>_index.tres``."""
    return f"{tres.removesuffix('.tres')}{INDEX_SUFFIX}.tres"


def _with_pages(tres: str, pages: Sequence[str], suffix: str) -> str:
    """A ``.tres`` whose pages ``<page>.png`` are ``<page><suffix>.png``; normal sheets stay as they are."""
    for page in pages:
        tres = tres.replace(f' path="{page}.png" ', f' path="{page}{suffix}.png" ')
    return tres


FORMAT = GodotSpriteFrames()
