"""The live preview (placeholder until it is written)."""

from __future__ import annotations

from typing import Any


def settings_changed(scene: Any) -> None:
    """A setting of the add-on changed: the live preview, when on, is updated."""


CLASSES: tuple[type, ...] = ()


def register() -> None:
    """Nothing yet."""


def unregister() -> None:
    """Nothing yet."""
