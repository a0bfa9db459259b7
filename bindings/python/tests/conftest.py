"""Shared paths: the repository's data/ folder holds the golden vectors every binding checks."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "data"


@pytest.fixture
def data() -> Path:
    return DATA
