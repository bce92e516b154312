"""FRED series as they were known on a date, from their stored vintages (ALFRED's realtime
periods).

A vintage frame (`catalog.VINTAGE_COLUMNS`) holds one row per (observation date, realtime
period): `date`, `realtime_start`, `realtime_end` (NaT while the value is current) and
`value`. FRED revises M2 every month, NFCI's whole history every week and H.4.1 items now and
then, so the latest values cut at a date are not what anyone could have seen on it; these are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def as_of(vintages: pd.DataFrame, asof) -> pd.Series:
    """Each observation's value in the latest vintage public on `asof` (realtime_start ≤
    `asof`), as a float Series indexed by observation date; an observation first published
    after `asof` is absent, and a value FRED marks missing stays NaN."""
    asof = pd.Timestamp(asof)
    known = vintages[vintages["realtime_start"].to_numpy() <= asof.to_datetime64()]
    # Rows of one date sit together ordered by realtime_start when the frame is sorted, so the
    # last row of each run is the latest vintage; sorting is skipped when it already holds.
    if not _sorted(known):
        known = known.sort_values(["date", "realtime_start"], kind="stable")
    dates = known["date"].to_numpy()
    last = np.ones(len(dates), dtype=bool)
    last[:-1] = dates[1:] != dates[:-1]
    picked = known[last]
    index = pd.DatetimeIndex(picked["date"], name="date")
    return pd.Series(picked["value"].to_numpy(dtype="float64"), index=index, name="value")


def _sorted(frame: pd.DataFrame) -> bool:
    dates = frame["date"].to_numpy()
    starts = frame["realtime_start"].to_numpy()
    same = dates[1:] == dates[:-1]
    return bool((dates[1:] >= dates[:-1]).all() and (starts[1:][same] >= starts[:-1][same]).all())
