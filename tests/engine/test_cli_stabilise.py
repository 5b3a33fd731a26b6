"""Steady Colours on the command line (issue 31): ``--stabilise``, also spelled ``--stabilize``, in ``process`` and
``apply``, off by default, arrives in the job spec the run is given.

The runs go through ``pixel_sprites.cli.main`` with the engine's ``make_sprites`` replaced by one that keeps the
job it is handed, so that what is checked is the wiring; what the option does to the sprites is the engine's tests'.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest
from helpers import save_png

from pixel_sprites.cli import apply, build_parser, main, process
from pixel_sprites.cli.jobs import sprite_job
from pixel_sprites.engine import options
from pixel_sprites.engine.jobs.spec import SpriteJob
from pixel_sprites.engine.sprites.report import Report


@pytest.fixture
def frames(tmp_path: Path) -> Path:
    folder = tmp_path / "renders"
    for index in range(2):
        rgba = np.zeros((20, 20, 4), np.uint8)
        rgba[4:16, 4:16] = [200, 40 * index, 90, 255]
        save_png(folder / f"frame{index + 1}.png", rgba)
    (tmp_path / "hero.gpl").write_text("GIMP Palette\nName: hero\n#\n200   0  90\n200  40  90\n", encoding="utf-8")
    return folder


def parsed(*argv: str) -> argparse.Namespace:
    parser, _ = build_parser()
    return parser.parse_args(list(argv))


COMMANDS = {
    "process": ["process", "renders", "--out", "sprites"],
    "apply": ["apply", "renders", "--out", "sprites", "--palette", "hero.gpl"],
}


def in_folder(argv: list[str], folder: Path) -> list[str]:
    """``argv`` with its files and folders below ``folder``."""
    return [str(folder / arg) if arg in ("renders", "sprites", "hero.gpl") else arg for arg in argv]


@pytest.mark.parametrize("command", list(COMMANDS))
def test_both_spellings_turn_it_on_and_it_is_off_by_default(command: str) -> None:
    assert parsed(*COMMANDS[command]).stabilise is False
    assert parsed(*COMMANDS[command], "--stabilise").stabilise is True
    assert parsed(*COMMANDS[command], "--stabilize").stabilise is True
    assert options.STABILISE.default is False and options.STABILISE.flag == "--stabilise"


def test_fit_has_no_steady_colours_it_writes_no_sprites(capsys) -> None:
    with pytest.raises(SystemExit) as refused:
        parsed("fit", "renders", "--palette-out", "hero.gpl", "--stabilise")
    assert refused.value.code == 2
    assert "unrecognized arguments: --stabilise" in capsys.readouterr().err


@pytest.mark.parametrize("command", list(COMMANDS))
def test_the_help_names_both_spellings_and_the_panels_name(command: str, capsys) -> None:
    with pytest.raises(SystemExit):
        parsed(command, "--help")
    shown = " ".join(capsys.readouterr().out.split())
    assert "--stabilise, --stabilize" in shown
    assert "Steady Colours: within each animation" in shown


@pytest.mark.parametrize("command", list(COMMANDS))
def test_the_job_built_from_the_arguments_has_it(command: str, tmp_path: Path) -> None:
    palette = {"palette_file": tmp_path / "hero.gpl"} if command == "apply" else {}
    plain = sprite_job(parsed(*COMMANDS[command]), output=tmp_path, **palette)
    steady = sprite_job(parsed(*COMMANDS[command], "--stabilize"), output=tmp_path, **palette)
    assert (plain.stabilise, steady.stabilise) == (False, True)
    assert steady.output_settings().stabilise is True
    assert plain.output_settings().stabilise is False


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("flags", [[], ["--stabilise"], ["--stabilize"]])
def test_a_run_hands_the_engine_a_job_with_it(
    command: str, flags: list[str], frames: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed: list[SpriteJob] = []

    def keep_job(job: SpriteJob, sources: object, run: object) -> tuple[Report, None]:
        handed.append(job)
        return Report(), None

    module = {"process": process, "apply": apply}[command]
    monkeypatch.setattr(module, "make_sprites", keep_job)
    assert main([*in_folder(COMMANDS[command], frames.parent), *flags, "--workers", "1"]) == 0
    (job,) = handed
    assert job.stabilise is bool(flags)
