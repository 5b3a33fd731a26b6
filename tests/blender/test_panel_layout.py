"""The Sprites tab as a new user meets it, checked without drawing: the panels' order, parents and closed ones; the
labels each panel draws (through a layout that records what it is asked to draw); text wrapped to the sidebar's
real width; and the last run's summary with its buttons (which test_show_results.py presses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import bpy
import pytest

from pixel_sprites.blender import (
    job_outline,
    panel_text,
    panels,
    preview,
    setting_panels,
)
from pixel_sprites.blender.render_size import sprite_resolution

MAIN = "PIXEL_SPRITES_PT_main"


@dataclass
class Drawn:
    """One thing a panel asked its layout to draw."""

    kind: str  # prop, operator, label, list or icon
    name: str  # the property, the operator's idname or the label's text
    text: str  # what the user reads
    active: bool = True
    options: dict[str, Any] = field(default_factory=dict)


class RecordingLayout:
    """Stands in for ``bpy.types.UILayout``: records what is drawn, in order, with the text Blender would show."""

    def __init__(self, drawn: list[Drawn] | None = None, parent: RecordingLayout | None = None) -> None:
        self.drawn = [] if drawn is None else drawn
        self.parent = parent
        self.active = True
        self.enabled = True
        self.scale_y = 1.0
        self.use_property_split = False
        self.use_property_decorate = False

    def is_active(self) -> bool:
        return self.active and (self.parent is None or self.parent.is_active())

    def _sub(self, *args: object, **kwargs: object) -> RecordingLayout:
        return RecordingLayout(self.drawn, self)

    row = column = box = split = grid_flow = _sub

    def prop(self, data: Any, name: str, text: str | None = None, **options: Any) -> None:
        shown = text if text is not None else data.bl_rna.properties[name].name
        options["scale_y"] = self.scale_y
        self.drawn.append(Drawn("prop", name, shown, self.is_active(), options))

    def operator(self, idname: str, text: str | None = None, **options: Any) -> SimpleNamespace:
        if text is None:
            module, name = idname.split(".")
            text = getattr(bpy.ops, module).__getattr__(name).get_rna_type().name
        options["scale_y"] = self._scale()
        self.drawn.append(Drawn("operator", idname, text, self.is_active(), options))
        return SimpleNamespace()

    def _scale(self) -> float:
        return self.scale_y * (self.parent._scale() if self.parent is not None else 1.0)

    def label(self, text: str = "", icon: str = "NONE") -> None:
        self.drawn.append(Drawn("label", text, text, self.is_active(), {"icon": icon}))

    def template_list(self, list_type: str, list_id: str, data: Any, name: str, *args: Any, **kwargs: Any) -> None:
        self.drawn.append(Drawn("list", name, list_type, self.is_active()))

    def template_icon(self, icon_value: int, scale: float = 1.0) -> None:
        self.drawn.append(Drawn("icon", str(icon_value), "", self.is_active(), {"scale": scale}))

    def separator(self, *args: object, **kwargs: object) -> None:
        pass


def sidebar(width: int = 229) -> SimpleNamespace:
    """A context as the sidebar's at ``width`` pixels and scale 1."""
    return SimpleNamespace(
        scene=bpy.context.scene,
        region=SimpleNamespace(width=width),
        preferences=bpy.context.preferences,
        window=None,
        area=None,
    )


def drawn(panel: type, context: SimpleNamespace | None = None) -> list[Drawn]:
    """What ``panel`` draws in the sidebar, as its ``draw`` would draw it there."""
    layout = RecordingLayout()
    stand_in = SimpleNamespace(layout=layout)
    if hasattr(panel, "draw_settings"):
        stand_in.draw_settings = lambda layout, context: panel.draw_settings(stand_in, layout, context)
    panel.draw(stand_in, context or sidebar())
    return layout.drawn


def texts(items: list[Drawn]) -> list[str]:
    return [item.text for item in items]


def names(items: list[Drawn], kind: str = "prop") -> list[str]:
    return [item.name for item in items if item.kind == kind]


@pytest.fixture
def scale_one(monkeypatch):
    """Interface scale 1, as in the issue's measurements, whatever Blender runs with here."""
    monkeypatch.setattr(panel_text, "interface_scale", lambda context: 1.0)


# ---------------------------------------------------------------------------------------------------------------
# The panels


def test_the_first_step_comes_first_and_the_rest_is_in_closed_sub_panels():
    """As it opens, the tab shows the main panel, the Preview and the sprite's size: short enough for a 1080p
    screen; the settings of later steps wait in closed sub-panels, the seldom-changed ones in closed children."""
    tree = [
        (cls.bl_idname, getattr(cls, "bl_parent_id", None), "DEFAULT_CLOSED" in getattr(cls, "bl_options", set()))
        for cls in panels.CLASSES
        if issubclass(cls, bpy.types.Panel)
    ]
    assert tree == [
        (MAIN, None, False),
        ("PIXEL_SPRITES_PT_preview", MAIN, False),
        ("PIXEL_SPRITES_PT_sprite", MAIN, False),
        ("PIXEL_SPRITES_PT_colours", MAIN, True),
        ("PIXEL_SPRITES_PT_palette_fitting", "PIXEL_SPRITES_PT_colours", True),
        ("PIXEL_SPRITES_PT_cleanup", MAIN, True),
        ("PIXEL_SPRITES_PT_set", MAIN, True),
        ("PIXEL_SPRITES_PT_pivot", "PIXEL_SPRITES_PT_set", True),
        ("PIXEL_SPRITES_PT_game_data", "PIXEL_SPRITES_PT_set", True),
        ("PIXEL_SPRITES_PT_output", MAIN, True),
        ("PIXEL_SPRITES_PT_sheet_layout", "PIXEL_SPRITES_PT_output", True),
        ("PIXEL_SPRITES_PT_variants", "PIXEL_SPRITES_PT_output", True),
        ("PIXEL_SPRITES_PT_character", MAIN, True),
    ]
    for idname, _parent, _closed in tree:
        assert isinstance(getattr(bpy.types, idname), type), f"{idname} is not registered"


def test_the_main_panel_leads_with_render_sprites_and_says_what_it_will_do():
    items = drawn(panels.PIXEL_SPRITES_PT_main)
    operators = names(items, "operator")
    assert operators[0] == "pixel_sprites.render_sprites"
    assert "pixel_sprites.render_set" not in operators
    render = next(item for item in items if item.name == "pixel_sprites.render_sprites")
    process = next(item for item in items if item.name == "pixel_sprites.process")
    assert render.options["scale_y"] > process.options["scale_y"]
    outline = job_outline.render_sprites(bpy.context.scene).line()
    labels_before = [item.text for item in items[: items.index(render)] if item.kind == "label"]
    assert "".join(labels_before).replace(" ", "") == outline.replace(" ", "")
    heading = texts(items).index("From Existing Renders")
    assert texts(items).index("Process Renders") > heading
    assert texts(items).index("Process Render Result") > heading


def test_render_sprite_set_is_in_directions_and_actions_with_its_own_icon_and_outline():
    scene = bpy.context.scene
    scene.pixel_sprites.pivot_object = bpy.data.objects["Cube"]
    scene.pixel_sprites.directions = 8
    items = drawn(setting_panels.PIXEL_SPRITES_PT_set)
    button = next(item for item in items if item.name == "pixel_sprites.render_set")
    assert button.options["icon"] not in ("RENDER_ANIMATION", "NONE")
    outline = job_outline.render_set(scene)
    assert outline is not None and outline.facings == 8
    before = "".join(item.text for item in items[: items.index(button)] if item.kind == "label")
    assert outline.line().replace(" ", "") in before.replace(" ", "")


def test_labels_say_what_they_are(scale_one):
    scene = bpy.context.scene
    settings = scene.pixel_sprites
    scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = 640, 900, 100
    settings.pixel = 10
    sprite = texts(drawn(setting_panels.PIXEL_SPRITES_PT_sprite))
    colours = texts(drawn(setting_panels.PIXEL_SPRITES_PT_colours))
    pivot = texts(drawn(setting_panels.PIXEL_SPRITES_PT_pivot))
    assert sprite_resolution(scene) == (64, 90)
    for label in ("Render at Sprite Size", "Alpha Threshold", "Pixel Size (px)", "→ 64×90"):
        assert label in sprite
    for label in ("Colour Tolerance (ΔE)", "Max Colours", "Target Palette", "Automatic Colour Count"):
        assert label in colours
    assert "Facing as Set Up" in pivot
    every = sprite + colours + pivot
    for old in ("Small Render", "Alpha", "Block", "Max", "Target", "Tolerance", "Faces"):
        assert old not in every


def test_seldom_changed_settings_are_drawn_only_in_their_closed_sub_panels():
    open_panels = [
        panels.PIXEL_SPRITES_PT_main,
        setting_panels.PIXEL_SPRITES_PT_sprite,
        setting_panels.PIXEL_SPRITES_PT_colours,
        setting_panels.PIXEL_SPRITES_PT_set,
        setting_panels.PIXEL_SPRITES_PT_output,
        setting_panels.PIXEL_SPRITES_PT_character,
    ]
    in_open = {name for panel in open_panels for item in drawn(panel) for name in [item.name]}
    closed = {
        setting_panels.PIXEL_SPRITES_PT_palette_fitting: {"seed", "method"},
        setting_panels.PIXEL_SPRITES_PT_sheet_layout: {"max_sheet_size", "sheet_padding", "sheet_margin", "sheet_rgba"},
        setting_panels.PIXEL_SPRITES_PT_variants: {"palette_variants"},
        setting_panels.PIXEL_SPRITES_PT_pivot: {"start_facing", "pivot_object"},
    }
    for panel, settings in closed.items():
        assert settings <= set(names(drawn(panel))) | set(names(drawn(panel), "list")), panel.bl_idname
        assert not settings & in_open, panel.bl_idname


def test_empty_folders_say_which_folder_they_stand_for(tmp_path):
    scene = bpy.context.scene
    settings = scene.pixel_sprites
    scene.render.filepath = str(tmp_path / "renders") + "/"
    labels = [item for item in drawn(setting_panels.PIXEL_SPRITES_PT_output) if item.kind == "label"]
    shown = "".join(item.text for item in labels)  # a path is broken after a slash, with no space added
    assert f"Empty: {tmp_path / 'renders'}Sprites" in shown
    assert f"Empty: {tmp_path / 'renders' / 'sprites'}" in shown
    assert all(not item.active for item in labels if item.text not in ("Renders Folder", "Sprites Folder"))  # greyed
    settings.source_folder, settings.output_folder = str(tmp_path / "frames"), str(tmp_path / "out")
    assert "Empty" not in "".join(texts(drawn(setting_panels.PIXEL_SPRITES_PT_output)))


def test_sampling_greyed_out_at_sprite_size_says_why():
    settings = bpy.context.scene.pixel_sprites
    sampling = next(item for item in drawn(setting_panels.PIXEL_SPRITES_PT_sprite) if item.name == "sampling")
    assert sampling.active
    settings.render_at_sprite_size = True
    items = drawn(setting_panels.PIXEL_SPRITES_PT_sprite)
    sampling = next(item for item in items if item.name == "sampling")
    assert not sampling.active
    after = " ".join(item.text for item in items[items.index(sampling) :] if item.kind == "label")
    assert "Sampling is unused" in after and "Render at Sprite Size" in after


def test_steady_colours_is_beside_sampling_and_acts_at_sprite_size_too():
    settings = bpy.context.scene.pixel_sprites
    for at_sprite_size in (False, True):
        settings.render_at_sprite_size = at_sprite_size
        items = drawn(setting_panels.PIXEL_SPRITES_PT_sprite)
        shown = names(items)
        assert shown.index("stabilise") == shown.index("sampling") + 1
        steady = next(item for item in items if item.name == "stabilise")
        assert (steady.text, steady.active) == ("Steady Colours", True)  # it steadies palette indices, not blocks


def test_sheet_layout_and_packed_have_a_line_each():
    bpy.context.scene.pixel_sprites.sheet_packed = True
    items = drawn(setting_panels.PIXEL_SPRITES_PT_sheet_layout)
    assert {"Layout", "Packed", "Extrude (px)", "Max Sheet Size (px)"} <= set(texts(items))
    layout_value = next(item for item in items if item.name == "sheet_layout")
    assert layout_value.text == ""  # its label is the one beside it


def test_the_preview_sub_panel(monkeypatch):
    settings = bpy.context.scene.pixel_sprites
    monkeypatch.setattr(preview, "settings_changed", lambda scene: None)  # no preview is made here
    monkeypatch.setattr(preview, "panel_icon_id", lambda scene: 42)
    monkeypatch.setattr(preview, "status_line", lambda scene: "64×90 · palette: locked, 16 colours")
    items = drawn(panels.PIXEL_SPRITES_PT_preview)
    assert names(items)[:3] == ["live_preview", "preview_quality", "preview_facing"]
    assert items[0].options.get("toggle") is True and items[1].options.get("expand") is True
    assert "Facing" in texts(items)
    assert "pixel_sprites.preview_show_image" not in names(items, "operator")  # live preview off
    settings.preview_quality = "EXACT"
    settings.live_preview = True
    items = drawn(panels.PIXEL_SPRITES_PT_preview)
    assert any("Exact renders at sprite size" in text for text in texts(items))
    icon = next(item for item in items if item.kind == "icon")
    assert icon.name == "42" and icon.options["scale"] > 8  # the width of the sidebar, not an icon's
    assert "64×90 · palette: locked, 16 colours" in " ".join(texts(items))
    assert "pixel_sprites.preview_show_image" in names(items, "operator")
    settings.render_at_sprite_size = True
    assert not any("Exact renders at sprite size" in text for text in texts(drawn(panels.PIXEL_SPRITES_PT_preview)))


# ---------------------------------------------------------------------------------------------------------------
# Text wrapped to the real width


def test_wrapping_breaks_between_words_and_paths_after_their_slashes():
    text = "18/18 sprites, 6 colours, in /home/ana/projects/hero/renders/sprites"
    assert panel_text.wrapped(text, panel_text.characters_fit(24)) == [
        "18/18 sprites, 6",
        "colours, in /home/ana/",
        "projects/hero/renders/",
        "sprites",
    ]
    # A path that fits a line of its own is not broken at all.
    assert panel_text.wrapped(text, panel_text.characters_fit(40)) == [
        "18/18 sprites, 6 colours, in",
        "/home/ana/projects/hero/renders/sprites",
    ]
    assert panel_text.wrapped("a" * 10, panel_text.characters_fit(4)) == ["aaaa", "aaaa", "aa"]
    assert panel_text.wrapped(r"in C:\Users\ana\hero", panel_text.characters_fit(12)) == ["in C:\\Users\\", "ana\\hero"]


def test_wrapping_follows_the_sidebars_width(scale_one):
    text = "Error: no PNG renders in /home/ana/projects/hero/renders/sprite_size, the render output folder"
    narrow = panel_text.wrapped(text, panel_text.text_fits(sidebar(229)))
    wide = panel_text.wrapped(text, panel_text.text_fits(sidebar(460)))
    assert len(wide) < len(narrow)
    measure = panel_text.measure(sidebar())
    for lines, width in ((narrow, 229), (wide, 460)):
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert all(measure(line) <= panel_text.label_width(sidebar(width)) for line in lines)
        # A line ends at a space or a slash: no word is cut.
        joined = " ".join(lines)
        assert all(line.endswith("/") or f"{line} " in joined + " " for line in lines)


def test_the_last_run_shows_its_folder_and_the_buttons_beside_its_summary(tmp_path):
    settings = bpy.context.scene.pixel_sprites
    settings.last_summary = f"4/4 sprites, 6 colours, mean ΔE2000 0.20, in {tmp_path}"
    settings.last_output = str(tmp_path)
    items = drawn(panels.PIXEL_SPRITES_PT_main)
    summary = next(index for index, item in enumerate(items) if item.options.get("icon") == "INFO")
    after = items[summary:]
    assert "last_output" in names(after)
    assert names(after, "operator")[:3] == [
        "pixel_sprites.show_sprites",
        "pixel_sprites.show_sheet",
        "pixel_sprites.open_folder",
    ]
    assert "".join(item.text for item in after if item.kind == "label").endswith(str(tmp_path))  # the path whole
