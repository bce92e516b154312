"""Changes over a calendar window, found by date rather than by row count.

A "4-week change" of a daily series is latest value minus the last value on or before the date
28 days earlier; counting rows would mix trading and calendar days (METHODS.md §2, R6).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Change:
    date: pd.Timestamp  # of the latest observation
    value: float
    base_date: pd.Timestamp
    base_value: float

    @property
    def absolute(self) -> float:
        return self.value - self.base_value

    @property
    def percent(self) -> float:
        return 100.0 * (self.value / self.base_value - 1.0)


def change_over(series: pd.Series, days: int, max_gap_days: int = 7) -> Change | None:
    """Latest value vs the last one on or before `days` earlier (at most `max_gap_days` older).

    None when the series is empty or has no observation close enough to the base date.
    """
    series = series.dropna()
    if series.empty:
        return None
    last = series.index[-1]
    target = last - pd.Timedelta(days=days)
    base = series.loc[:target]
    if base.empty or (target - base.index[-1]).days > max_gap_days:
        return None
    return Change(last, float(series.iloc[-1]), base.index[-1], float(base.iloc[-1]))
