"""Godot 4 ``SpriteFrames`` (``<group>.tres``): the group's animations on its pages; a palette variant's copy
names the variant's pages, and the run-time palette swap gets ``<group>_index.tres`` on the index maps. A set with
game data (points, boxes or In Place) also gets the scene ``<group>.tscn`` (:mod:`..godot_scene`) beside the base
``.tres`` only: a variant or the palette swap uses it by giving its ``Sprite`` another ``SpriteFrames``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ...sets.manifest import SpriteSet
from ..godot import write_sprite_frames
from ..godot_scene import ANIMATION_NAME_FORBIDDEN, has_game_data, write_godot_scene
from ..index_maps import INDEX_SUFFIX
from ..recolour import Recolour
from .base import FormatOutcome, GroupPages, SheetFormat, Write, WrittenPages

SCENE_SUFFIX = ".tscn"


class GodotSpriteFrames(SheetFormat):
    name = "godot"

    def check(self, sprite_set: SpriteSet) -> str | None:
        if not has_game_data(sprite_set.rig):
            return None
        for action in sprite_set.actions:
            if any(character in action.name for character in ANIMATION_NAME_FORBIDDEN):
                return (
                    f"action {action.name!r}: its Godot scene cannot hold an animation of that name "
                    "(Godot refuses / : , [ in animation names); rename the action or leave godot out of --formats"
                )
        return None

    def files(self, group: GroupPages) -> list[str]:
        scene = [f"{group.name}{SCENE_SUFFIX}"] if has_game_data(group.sprite_set.rig) else []
        return [f"{group.name}.tres", *scene]

    def write(self, out: Path, group: GroupPages, pages: WrittenPages) -> FormatOutcome:
        normal_names = [name for name in pages.normal_names if name is not None]
        sprite_set = group.sprite_set
        path = write_sprite_frames(
            out / f"{group.name}.tres", group.pages, group.image_names, sprite_set.sprite_size,
            normal_names=normal_names or None,
        )  # fmt: skip
        written = [path.name]
        if sprite_set.rig is not None and has_game_data(sprite_set.rig):
            scene = out / f"{group.name}{SCENE_SUFFIX}"
            written.append(
                write_godot_scene(scene, path.name, group.pages, sprite_set.rig, sprite_set.pivot_pixel).name
            )
        return FormatOutcome(written, manifest_key="godot")

    def runtime_files(self, written: Sequence[str], pages: Sequence[str]) -> list[str]:
        return [index_resource_name(name) for name in _resources(written)]

    def variant_files(self, written: Sequence[str], variant: str) -> list[str]:
        return super().variant_files(_resources(written), variant)

    def write_variants(
        self,
        out: Path,
        written: Sequence[str],
        pages: Sequence[str],
        variants: Sequence[tuple[str, Recolour]],
        write: Write,
    ) -> None:
        super().write_variants(out, _resources(written), pages, variants, write)

    def runtime_copy(self, data: bytes, pages: Sequence[str]) -> bytes:
        return _with_pages(data.decode("utf-8"), pages, INDEX_SUFFIX).encode("utf-8")

    def variant_copy(self, data: bytes, name: str, pages: Sequence[str], variant: str, recolour: Recolour) -> bytes:
        return _with_pages(data.decode("utf-8"), pages, f".{variant}").encode("utf-8")


def index_resource_name(tres: str) -> str:
    """The ``SpriteFrames`` of a group cut from its index maps, for the palette swap shader: ``<group>_index.tres``."""
    return f"{tres.removesuffix('.tres')}{INDEX_SUFFIX}.tres"


def _resources(written: Sequence[str]) -> list[str]:
    """The ``SpriteFrames`` among a group's files: what variants and the palette swap copy (never the scene)."""
    return [name for name in written if not name.endswith(SCENE_SUFFIX)]


def _with_pages(tres: str, pages: Sequence[str], suffix: str) -> str:
    """A ``.tres`` whose pages ``<page>.png`` are ``<page><suffix>.png``; normal sheets stay as they are."""
    for page in pages:
        tres = tres.replace(f' path="{page}.png" ', f' path="{page}{suffix}.png" ')
    return tres


FORMAT = GodotSpriteFrames()
