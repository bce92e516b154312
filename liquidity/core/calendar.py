"""Dates and time alignment shared by every layer: parsing a day, a window, the UTC instant of a
timestamp, the last observation on or before a date (at most so old), and publication lags.

Nothing here fills a gap: a value older than its allowed age is missing, never carried further.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from liquidity.core.errors import LiquidityError

# Python 3.11's fromisoformat also takes 20250101 and 2025-W01-1; the CLI and the URL promise
# YYYY-MM-DD and nothing else.
DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
H41_LAG = pd.Timedelta(days=1)  # H.4.1 for Wednesday w is public on Thursday w + 1


def parse_date(
    value: str | dt.date | pd.Timestamp | None, name: str = "date"
) -> pd.Timestamp | None:
    """A day as a Timestamp; LiquidityError with a one-line message for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, (dt.date, pd.Timestamp)):
        return pd.Timestamp(value).normalize()
    text = str(value).strip()
    try:
        if not DAY_PATTERN.fullmatch(text):
            raise ValueError(text)
        return pd.Timestamp(dt.date.fromisoformat(text))
    except ValueError:
        raise LiquidityError(f"malformed {name} {value!r}: use YYYY-MM-DD") from None


def date_window(start=None, end=None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    start, end = parse_date(start, "start date"), parse_date(end, "end date")
    if start is not None and end is not None and end < start:
        raise LiquidityError(f"end date {end.date()} is before start date {start.date()}")
    return start, end


def utc(value) -> pd.Timestamp:
    """A timestamp in UTC; a naive one is read as UTC."""
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def latest_on_or_before(
    daily: pd.Series, dates: pd.DatetimeIndex, max_age: pd.Timedelta
) -> pd.Series:
    """For each date, the last non-missing value on or before it, if at most `max_age` old."""
    return observed_on_or_before(daily, dates, max_age)[0]


def observed_on_or_before(
    series: pd.Series, dates: pd.DatetimeIndex, max_age: pd.Timedelta
) -> tuple[pd.Series, pd.Series]:
    """(values, observation dates) of the last observation on or before each date."""
    series = series.dropna().sort_index()
    pos = series.index.searchsorted(dates, side="right") - 1
    found = pos >= 0
    values = pd.Series(float("nan"), index=dates)
    observed = pd.Series(pd.NaT, index=dates, dtype="datetime64[ns]")
    if found.any():
        obs_dates = series.index[pos[found]]
        fresh = (dates[found] - obs_dates) <= max_age
        rows = found.nonzero()[0][fresh]
        values.iloc[rows] = series.to_numpy()[pos[found][fresh]]
        observed.iloc[rows] = obs_dates[fresh]
    return values, observed


def wednesdays(series: pd.Series) -> pd.DatetimeIndex:
    """The dates on which a weekly series was observed on a Wednesday."""
    index = series.dropna().index
    return pd.DatetimeIndex(index[index.day_of_week == 2], name="date")


def known_at(frame: pd.DataFrame | pd.Series, lag: pd.Timedelta = H41_LAG):
    """The same values indexed by the date they became public (observation date + lag)."""
    out = frame.copy()
    out.index = out.index + lag
    return out
