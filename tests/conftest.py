"""Shared pytest setup: make the package and the corpus modules importable, provide an rng."""

import os
import pathlib
import sys

import numpy as np
import pytest

os.environ.setdefault("ADJOINT_CHECK", "1")     # every pass verifies its guarantee during the tests

TESTS = pathlib.Path(__file__).resolve().parent
for path in (TESTS.parent, TESTS):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


@pytest.fixture
def rng():
    """A fresh deterministic random generator for each test."""
    return np.random.default_rng(20240601)
