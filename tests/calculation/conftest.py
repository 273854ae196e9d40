"""Shared fixtures for the calculation tests."""

import pytest

from bistand.calculation import NormTables, default_norm_tables


@pytest.fixture
def tables() -> NormTables:
    """The norm tables shipped in bistand/calculation/data/riksnorm.json."""
    return default_norm_tables()
