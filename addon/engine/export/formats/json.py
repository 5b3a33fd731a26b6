"""Aseprite/TexturePacker JSON pages (the JSON Hash Phaser and PixiJS load): one ``<page>.json`` beside each
sheet page, naming its image; a palette variant's copy names the variant's page."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ...files.atomic import write_atomically
from ..page_json import page_json
from ..recolour import Recolour
from .base import FormatOutcome, GroupPages, SheetFormat, WrittenPages


class JsonPages(SheetFormat):
    name = "json"

    def files(self, group: GroupPages) -> list[str]:
        return [f"{page.name}.json" for page in group.pages]

    def write(self, out: Path, group: GroupPages, pages: WrittenPages) -> FormatOutcome:
        for page, image_format, normal_name in zip(group.pages, pages.image_formats, pages.normal_names, strict=True):
            data = page_json(page, f"{page.name}.png", image_format, group.sprite_set, normal_map=normal_name)
            text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
            write_atomically(out / f"{page.name}.json", text.encode("utf-8"))
        return FormatOutcome(self.files(group))

    def variant_copy(self, data: bytes, name: str, pages: Sequence[str], variant: str, recolour: Recolour) -> bytes:
        page = name.removesuffix(".json")
        return _with_image(data.decode("utf-8"), f"{page}.png", f"{page}.{variant}.png").encode("utf-8")


def _with_image(text: str, image: str, variant_image: str) -> str:
    """A page's JSON text naming ``variant_image`` in ``meta.image`` and otherwise the same, byte for byte (only
    ``meta`` has an ``image`` key; the JSON is parsed when the text does not show it exactly once)."""
    old, new = (f'"image": {json.dumps(name, ensure_ascii=False)}' for name in (image, variant_image))
    if text.count(old) == 1:
        return text.replace(old, new)
    sheet = json.loads(text)
    sheet["meta"]["image"] = variant_image
    return json.dumps(sheet, indent=1, ensure_ascii=False) + "\n"


FORMAT = JsonPages()
