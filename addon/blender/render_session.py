"""Which scenes are rendering a sprite set, and the set run in progress with a UI.

The render handlers (which hear that a render ended) and Render Sprite Set (which started it) share this one fact;
keeping it here lets both import it instead of each other.
"""

from __future__ import annotations

from typing import Protocol


class SetRun(Protocol):
    """What the handlers and the panel need of a sprite set's run."""

    def step_ended(self, cancelled: bool) -> None: ...

    def end(self) -> None: ...

    def status(self) -> str: ...


# Scenes rendering a sprite set: the set makes the sprites once its last render has ended.
set_renders: set[str] = set()
# Scenes rendering a frame for the live preview: no sprite job may follow such a render, and its file is not kept.
preview_renders: set[str] = set()
# The set run with a UI in progress, for the handlers, the panel and Cancel; None when there is none.
current: SetRun | None = None


def end_on_file_load() -> None:
    """Give the scene back before its file goes away (a set cannot go on in another file)."""
    if current is not None:
        current.end()
