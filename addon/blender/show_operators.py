"""The results where they were made: buttons beside the last run's summary that open its folder, play its sprites
and show its sheet."""

from __future__ import annotations

from pathlib import Path

import bpy

from ..engine.errors import SetupError
from . import image_editor, sprite_results

SPRITES_IMAGE = "Pixel Sprites: Sprites"
SHEET_IMAGE = "Pixel Sprites: Sheet"


def open_path(folder: Path) -> None:
    """Open ``folder`` in the system's file manager."""
    bpy.ops.wm.path_open(filepath=str(folder))


class PIXEL_SPRITES_OT_open_folder(bpy.types.Operator):
    """Open the folder the last run wrote its sprites to in the system's file manager"""

    bl_idname = "pixel_sprites.open_folder"
    bl_label = "Open Folder"

    folder: bpy.props.StringProperty(  # type: ignore[valid-type]
        name="Folder",
        description="The folder to open; empty for the last run's output folder",
        subtype="DIR_PATH",
        options={"SKIP_SAVE"},
    )

    def execute(self, context: bpy.types.Context) -> set[str]:
        folder = Path(bpy.path.abspath(self.folder)) if self.folder else sprite_results.last_folder(context.scene)
        if not folder.is_dir():
            self.report({"ERROR"}, f"No folder {folder} yet: render or process first")
            return {"CANCELLED"}
        open_path(folder)
        return {"FINISHED"}


class PIXEL_SPRITES_OT_show_sprites(bpy.types.Operator):
    """Play the sprites in an Image Editor at their action's rate: the action selected in Directions & Actions, from
    the Preview's facing; with no action listed, the sprites of the scene's renders"""

    bl_idname = "pixel_sprites.show_sprites"
    bl_label = "Show Sprites"

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            sequence = sprite_results.chosen_sprites(context.scene)
        except SetupError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        several = len(sequence.files) > 1
        image = image_editor.load_image(SPRITES_IMAGE, sequence.files[0], sequence=several)
        shown = image_editor.show_image(context, image)
        if several:
            image_editor.play(image, sequence.numbers, sequence.rate)
        else:
            image_editor.stop()
        played = f"{len(sequence.files)} sprites at {sequence.rate:g} fps" if several else "1 sprite"
        where = "" if shown is not None else f" as the image '{SPRITES_IMAGE}' (no window to show it in)"
        self.report({"INFO"}, f"{sequence.title}: {played}{where}")
        return {"FINISHED"}


class PIXEL_SPRITES_OT_show_sheet(bpy.types.Operator):
    """Show the sheet of the action selected in Directions & Actions (or the set's atlas) in an Image Editor"""

    bl_idname = "pixel_sprites.show_sheet"
    bl_label = "Show Sheet"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if context.scene is None or sprite_results.chosen_sheet(context.scene) is not None:
            return context.scene is not None
        if hasattr(cls, "poll_message_set"):  # the greyed-out button's tooltip says why
            cls.poll_message_set("No sheet yet: Render Sprite Set writes one per action, with Output > Sheets on")
        return False

    def execute(self, context: bpy.types.Context) -> set[str]:
        sheet = sprite_results.chosen_sheet(context.scene)
        if sheet is None:
            self.report({"ERROR"}, "No sheet yet: Render Sprite Set writes one per action, with Output > Sheets on")
            return {"CANCELLED"}
        image = image_editor.load_image(SHEET_IMAGE, sheet)
        shown = image_editor.show_image(context, image)
        where = "" if shown is not None else f" as the image '{SHEET_IMAGE}' (no window to show it in)"
        self.report({"INFO"}, f"Sheet {sheet.name}{where}")
        return {"FINISHED"}


CLASSES = (PIXEL_SPRITES_OT_open_folder, PIXEL_SPRITES_OT_show_sprites, PIXEL_SPRITES_OT_show_sheet)
