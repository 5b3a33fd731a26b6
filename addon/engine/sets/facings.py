"""The directions a character is rendered from: their names, angles, and which are mirrors of others.

Facing 0 is the character as set up, facing the camera: ``S``. Facing ``k`` of
``n`` is the character turned ``k · 360° / n`` counter-clockwise seen from
above, so a quarter turn makes it face screen-right: ``E``. Counts that divide
16 take compass names (``S, SE, E, NE, N, NW, W, SW`` for 8); other counts are
numbered ``d00, d01, …``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..options import DIRECTIONS

# The 16 compass points in the order a counter-clockwise turn (seen from above) passes them, from S.
COMPASS = ("S", "SSE", "SE", "ESE", "E", "ENE", "NE", "NNE", "N", "NNW", "NW", "WNW", "W", "WSW", "SW", "SSW")
MAX_FACINGS = int(DIRECTIONS.maximum)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Facing:
    """One direction: its index, name and turn in degrees (counter-clockwise seen from above).

    ``mirror_of`` is the index of the facing whose sprites, flipped left to right, stand in for this one's when
    mirroring is on; ``None`` for the facings that are rendered.
    """

    index: int
    name: str
    angle: float
    mirror_of: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {"index": self.index, "name": self.name, "angle": self.angle, "mirror_of": self.mirror_of}


def facings(count: int, *, start: str = "S", mirror: bool = False) -> list[Facing]:
    """The ``count`` facings of a character that faces ``start`` as set up.

    With ``mirror``, a facing that looks to the screen's left (``NW, W, SW`` of 8) is the left-right mirror of
    the one that looks as far to the right (``NE, E, SE``), when there is one: only the others are rendered.

    Raises
    ------
    ValueError
        If ``count`` is not in 1..64, or ``start`` is not a compass name.
    """
    if not 1 <= count <= MAX_FACINGS:
        raise ValueError(f"--directions: must be in 1..{MAX_FACINGS}, got {count}")
    if start not in COMPASS:
        raise ValueError(f"--start-facing: expected one of {', '.join(COMPASS)}, got {start!r}")
    first = COMPASS.index(start)
    named = len(COMPASS) % count == 0
    # Where each facing looks, in sixteenths of a turn from the camera (S): a left-right flip negates it.
    compass_step = len(COMPASS) / count
    looks = [(first + index * compass_step) % len(COMPASS) for index in range(count)]
    result = []
    for index in range(count):
        name = COMPASS[int(looks[index])] if named else f"d{index:02d}"
        mirror_of = None
        if mirror and looks[index] > len(COMPASS) / 2:
            mirrored = (-looks[index]) % len(COMPASS)
            mirror_of = next((other for other, seen in enumerate(looks) if abs(seen - mirrored) < 1e-9), None)
        result.append(Facing(index, name, round(index * 360.0 / count, 6), mirror_of))
    return result
