"""The Flamenco job type refuses a number setting that is NaN or infinite at submission, naming the setting.

Compiled by ``tests/flamenco/harness.js`` as in ``test_flamenco_job.py``. JSON has no NaN nor infinity, so they
reach a job type as text (``"NaN"``, ``"Infinity"``), or as a number too large for a double (``1e999``, which
JavaScript reads as Infinity). Unchecked, Flamenco would turn a NaN chunk size into 0 and an infinite one into a
single chunk of every frame, and a number the job does not use would go unnoticed.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from test_flamenco_job import HARNESS, JOB_TYPE, pixel_job

TOO_LARGE = "@too large for a double@"  # written into the JSON as 1e999

CASES = [
    ({"chunk_size": "NaN"}, 'chunk_size: expected a finite number, got "NaN"'),
    ({"chunk_size": "Infinity"}, 'chunk_size: expected a finite number, got "Infinity"'),
    ({"chunk_size": "-Infinity"}, 'chunk_size: expected a finite number, got "-Infinity"'),
    ({"chunk_size": TOO_LARGE}, 'chunk_size: expected a finite number, got "Infinity"'),
    ({"add_path_components": "NaN"}, 'add_path_components: expected a finite number, got "NaN"'),
    ({"directions": "NaN"}, 'directions: expected a finite number, got "NaN"'),  # a plain scene does not use it
    ({"pixel": "NaN"}, 'pixel: expected a finite number, got "NaN"'),
]


@pytest.fixture(scope="module")
def answers(node: str) -> list[dict]:
    """The harness's answer for each case, from one Node process: {"jobType": ..., "job": ...} or {"error": ...}."""
    jobs = [pixel_job(**overrides) for overrides, _ in CASES]
    text = json.dumps(jobs).replace(json.dumps(TOO_LARGE), "1e999")
    done = subprocess.run([node, str(HARNESS), str(JOB_TYPE)], input=text, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("case", range(len(CASES)), ids=[json.dumps(overrides) for overrides, _ in CASES])
def test_a_number_setting_that_is_nan_or_infinite_is_refused(answers: list[dict], case: int) -> None:
    result, (_, message) = answers[case], CASES[case]
    assert "job" not in result
    assert result["error"] == message
