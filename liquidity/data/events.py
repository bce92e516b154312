"""Dated market and policy events that any chart can overlay.

The curated file `liquidity/data/events.csv` (date,category,label,detail) ships with the package;
users extend it with one row per event.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from liquidity.core.errors import ValidationError

EVENTS_CSV = Path(__file__).with_name("events.csv")


def load_events(path: Path = EVENTS_CSV, start=None, end=None) -> pd.DataFrame:
    """Events sorted by date, optionally limited to [start, end]."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"date", "category", "label", "detail"} - set(frame.columns)
    if missing:
        raise ValidationError("events", f"missing column(s) {', '.join(sorted(missing))}")
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    if frame["date"].isna().any():
        raise ValidationError("events", "malformed date in events file")
    frame = frame.sort_values("date", kind="stable").reset_index(drop=True)
    lo = pd.Timestamp(start) if start is not None else frame["date"].min()
    hi = pd.Timestamp(end) if end is not None else frame["date"].max()
    return frame[(frame["date"] >= lo) & (frame["date"] <= hi)].reset_index(drop=True)
