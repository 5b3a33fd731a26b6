"""The game data a set is asked for: points and boxes as written in the options, and the names they get.

A point is ``SOURCE`` or ``NAME=SOURCE``, its source an object's name (its origin), ``OBJECT/BONE`` (the bone's
head) or ``OBJECT/BONE/tail`` (its tail); ``/`` because Mixamo's bone names hold ``:``. A box is ``SOURCE`` or
``NAME=SOURCE``, its source an object's or a collection's name. An output's name is the ``NAME`` given, else the
object's, bone's or collection's. Names the engine files use themselves are refused, as are two outputs of one
name, also once Godot's node names have replaced what Godot forbids in them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import OptionError

RESERVED_NAMES = ("pivot", "Sprite", "AnimationPlayer", "RootMotion")
"""The pivot slice of the JSON, and the Godot scene's own nodes."""
_GODOT_FORBIDDEN = re.compile(r'[.:@/"%]')
TAIL = "tail"


def godot_node_name(name: str) -> str:
    """``name`` as a Godot node name: each of ``. : @ / " %``, which Godot forbids there, becomes ``_``."""
    return _GODOT_FORBIDDEN.sub("_", name)


@dataclass(frozen=True)
class RigSource:
    """One point or box asked for: the name it gets in the outputs and where it comes from."""

    name: str
    object: str
    """The object's name; for a box, the object's or the collection's."""
    bone: str | None = None
    tail: bool = False

    @property
    def source(self) -> str:
        """The source as written in the options: ``OBJECT``, ``OBJECT/BONE`` or ``OBJECT/BONE/tail``."""
        parts = [self.object, *([self.bone] if self.bone is not None else []), *([TAIL] if self.tail else [])]
        return "/".join(parts)

    @property
    def written(self) -> str:
        """As the options write it: ``NAME=SOURCE`` where the name is not the source's own."""
        own = self.bone if self.bone is not None else self.object
        return self.source if self.name == own else f"{self.name}={self.source}"


def _split(text: str, option: str) -> tuple[str | None, str]:
    name, equals, source = text.partition("=")
    if not equals:
        return None, text.strip()
    if not name.strip() or not source.strip():
        raise OptionError(f"{option} {text!r}: NAME=SOURCE needs both a name and a source")
    return name.strip(), source.strip()


def parse_point(text: str, option: str = "--points") -> RigSource:
    """A point from ``SOURCE`` or ``NAME=SOURCE``.

    Raises
    ------
    OptionError
        Naming the option and the text, if it is empty or has more than ``OBJECT/BONE/tail``.
    """
    name, source = _split(text, option)
    parts = source.split("/")
    if not source or any(not part for part in parts) or len(parts) > 3 or (len(parts) == 3 and parts[2] != TAIL):
        raise OptionError(
            f"{option} {text!r}: a point is OBJECT, OBJECT/BONE or OBJECT/BONE/tail, optionally NAME=SOURCE"
        )
    bone = parts[1] if len(parts) > 1 else None
    own = bone if bone is not None else parts[0]
    return RigSource(name if name is not None else own, parts[0], bone, len(parts) == 3)


def parse_box(text: str, option: str = "--boxes") -> RigSource:
    """A box from ``SOURCE`` or ``NAME=SOURCE`` (an object's or a collection's name).

    Raises
    ------
    OptionError
        Naming the option and the text, if it is empty.
    """
    name, source = _split(text, option)
    if not source:
        raise OptionError(f"{option} {text!r}: a box is an object's or a collection's name, optionally NAME=SOURCE")
    return RigSource(name if name is not None else source, source)


def parse_list(text: str, option: str) -> list[RigSource]:
    """``SOURCE,…`` as given to ``--points`` or ``--boxes``; an empty text is none."""
    parse = parse_point if option == "--points" else parse_box
    return [parse(item, option) for item in text.split(",") if item.strip()]


def check_names(points: Sequence[RigSource], boxes: Sequence[RigSource]) -> None:
    """Refuse names the outputs cannot hold.

    Raises
    ------
    OptionError
        Naming the output: a name the engine files use themselves (``pivot``, ``Sprite``, ``AnimationPlayer``,
        ``RootMotion``), or one that two outputs would share, also once Godot's node names replace ``. : @ / " %``.
    """
    seen: dict[str, str] = {}
    for option, sources in (("--points", points), ("--boxes", boxes)):
        for source in sources:
            godot = godot_node_name(source.name)
            for reserved in RESERVED_NAMES:
                if source.name == reserved or godot == reserved:
                    raise OptionError(
                        f"{option} {source.written}: the name {source.name!r} is the engine files' own ({reserved}); "
                        "give it another with NAME=SOURCE"
                    )
            earlier = seen.get(godot)
            if earlier is not None:
                also = "" if godot == source.name else f" (in Godot, {godot})"
                raise OptionError(
                    f"{option} {source.written}: the name {source.name!r}{also} is already {earlier}'s; "
                    "give one another with NAME=SOURCE"
                )
            seen[godot] = source.written


@dataclass(frozen=True)
class RigRequest:
    """The game data a job asks Blender to project from the scene: points, boxes, and In Place (the action's
    horizontal motion taken out of the renders and given as root motion)."""

    points: tuple[RigSource, ...] = ()
    boxes: tuple[RigSource, ...] = ()
    in_place: bool = False

    def __post_init__(self) -> None:
        check_names(self.points, self.boxes)

    @property
    def wanted(self) -> bool:
        """Whether there is any game data to project (with none, every output is as without this feature)."""
        return bool(self.points or self.boxes or self.in_place)
