"""Shared data for the complexity tests: the cid-harvard fixtures (see fixtures/README.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
KEYS = ["year", "origin", "hs92"]


def read_fixture(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name)


def as_float32(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Round a column the way Stata's ``import delimited`` stores it (float), keeping float64 dtype."""
    out = frame.copy()
    out[column] = out[column].to_numpy(dtype=np.float32).astype(np.float64)
    return out


@pytest.fixture(scope="session")
def trade() -> pd.DataFrame:
    return read_fixture("trade_data_sample.csv")


@pytest.fixture(scope="session")
def population() -> pd.DataFrame:
    return read_fixture("population_data_sample.csv")
