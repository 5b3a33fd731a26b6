"""Shared fixtures. This folder is on ``sys.path``, so tests import ``helpers`` and ``synthetic``."""

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
