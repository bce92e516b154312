"""FRED series as known on a date, from their vintages (analytics.vintages)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from liquidity.analytics import vintages
from liquidity.core import catalog

NAT = pd.NaT


def frame(rows) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=list(catalog.VINTAGE_COLUMNS))
    for column in ("date", "realtime_start", "realtime_end"):
        out[column] = pd.to_datetime(out[column])
    out["value"] = out["value"].astype("float64")
    return out


# M2-like: January first published 2025-02-25 at 100, revised 2025-03-25 to 101; February
# first published 2025-03-25 at 102; March published 2025-04-22 as "." (missing), kept NaN.
ROWS = [
    ("2025-01-01", "2025-02-25", "2025-03-24", 100.0),
    ("2025-01-01", "2025-03-25", NAT, 101.0),
    ("2025-02-01", "2025-03-25", NAT, 102.0),
    ("2025-03-01", "2025-04-22", NAT, np.nan),
]


@pytest.mark.parametrize(
    ("asof", "expected"),
    [
        ("2025-02-24", {}),  # before the first vintage: nothing known
        ("2025-03-01", {"2025-01-01": 100.0}),  # between the two vintages: the first value
        ("2025-03-25", {"2025-01-01": 101.0, "2025-02-01": 102.0}),  # the revision's own day
        ("2025-05-01", {"2025-01-01": 101.0, "2025-02-01": 102.0, "2025-03-01": None}),
    ],
)
def test_a_series_as_of_a_day_takes_each_observations_latest_vintage_by_then(asof, expected):
    got = vintages.as_of(frame(ROWS), asof)
    as_dict = {f"{d:%Y-%m-%d}": (None if np.isnan(v) else v) for d, v in got.items()}
    assert as_dict == expected
    assert got.index.name == "date" and got.dtype == "float64"


def test_unsorted_vintages_give_the_same_answer():
    shuffled = frame(ROWS).iloc[[3, 1, 2, 0]].reset_index(drop=True)
    pd.testing.assert_series_equal(
        vintages.as_of(shuffled, "2025-03-25"), vintages.as_of(frame(ROWS), "2025-03-25")
    )
