"""FRED series as known on a date, from their vintages (analytics.vintages)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from liquidity import api
from liquidity.analytics import vintages
from liquidity.core import catalog
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.data.store import Store

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


# WALCL's first two Wednesdays as the fixture pack has them (6,800,000 and 6,810,000 $M), but
# with the 2025-01-01 print first published at 6,790,000 on 2025-01-02 and revised to its
# final 6,800,000 on 2025-01-16.
WALCL_VINTAGES = [
    ("2025-01-01", "2025-01-02", "2025-01-15", 6_790_000.0),
    ("2025-01-01", "2025-01-16", NAT, 6_800_000.0),
    ("2025-01-08", "2025-01-09", NAT, 6_810_000.0),
]


@pytest.fixture
def library(fixture_pack, tmp_path):
    store = Store(tmp_path / "home")
    store.write(catalog.vintages("WALCL"), frame(WALCL_VINTAGES), source="test")
    return Library(store, DataPack(fixture_pack))


def test_the_loader_reads_a_series_as_of_a_day_from_its_stored_vintages(library):
    before = api.load_series("WALCL", asof="2025-01-10", library=library)
    assert before.to_dict() == {
        pd.Timestamp("2025-01-01"): 6_790_000.0,
        pd.Timestamp("2025-01-08"): 6_810_000.0,
    }
    after = api.load_series("WALCL", asof="2025-01-16", library=library)
    assert after[pd.Timestamp("2025-01-01")] == 6_800_000.0
    # Without `asof` the latest values serve, the pack's full series.
    assert len(api.load_series("WALCL", library=library)) > 2


def test_a_series_without_vintages_is_cut_at_the_day_and_the_basis_says_which(library):
    # WDTGAL has no vintages here: its revised values up to the day, nothing after it.
    cut = api.load_series("WDTGAL", asof="2025-01-10", library=library)
    assert cut.index.max() <= pd.Timestamp("2025-01-10")
    assert api.series_basis(["WALCL"], library) == api.POINT_IN_TIME
    assert api.series_basis(["WDTGAL"], library) == api.CUT_AT_DATE
    assert api.series_basis(["WALCL", "WDTGAL"], library) == (
        "revised data cut at the as-of date (vintages only for WALCL)"
    )
