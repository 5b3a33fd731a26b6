"""Adding the add-on's functions to Blender's handler lists once, and taking them away again."""

from __future__ import annotations

from collections.abc import Callable, Iterable

Handlers = Iterable[tuple[list[Callable[..., None]], Callable[..., None]]]


def add(handlers: Handlers) -> None:
    """Each ``(handler list, function)``: the function appended, unless the list holds it already (a reload)."""
    for handler_list, function in handlers:
        if function not in handler_list:
            handler_list.append(function)


def remove(handlers: Handlers) -> None:
    for handler_list, function in handlers:
        if function in handler_list:
            handler_list.remove(function)
