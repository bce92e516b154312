"""Fed net liquidity: Fed assets minus the Treasury's cash account minus overnight reverse repo.

The Wednesday variant (METHODS.md §1.2, NL-B): WALCL − WDTGAL − RRPONTSYD, with WALCL and WDTGAL
taken only on an exact Wednesday observation and RRP as the latest daily value on or before that
Wednesday, at most 7 calendar days old. Nothing is interpolated; a week with a missing input is
missing. Inputs come in their native units (WALCL and WDTGAL in $ millions, RRP in $ billions) and
the result is in $ billions, checked against a plausible range so a unit slip fails loudly.
"""

from __future__ import annotations

import pandas as pd

from liquidity import units
from liquidity.errors import LiquidityError

RRP_MAX_AGE = pd.Timedelta(days=7)
# Net liquidity has stayed within these bounds since 2008; outside them a unit is wrong.
PLAUSIBLE_B = (500.0, 10_000.0)
PLAUSIBLE_SINCE = pd.Timestamp("2008-01-01")


def latest_on_or_before(
    daily: pd.Series, dates: pd.DatetimeIndex, max_age: pd.Timedelta
) -> pd.Series:
    """For each date, the last non-missing daily value on or before it, if at most `max_age` old."""
    daily = daily.dropna().sort_index()
    pos = daily.index.searchsorted(dates, side="right") - 1
    found = pos >= 0
    values = pd.Series(float("nan"), index=dates)
    if not found.any():
        return values
    obs_dates = daily.index[pos[found]]
    fresh = (dates[found] - obs_dates) <= max_age
    values.iloc[found.nonzero()[0][fresh]] = daily.to_numpy()[pos[found][fresh]]
    return values


def net_liquidity(walcl_m: pd.Series, tga_m: pd.Series, rrp_b: pd.Series) -> pd.DataFrame:
    """Weekly (Wednesday) net liquidity and its components, all in $ billions.

    Columns: walcl_b, tga_b, rrp_b, net_liquidity_b; index: the Wednesdays on which WALCL was
    observed. Raises LiquidityError when a value since 2008 falls outside a plausible range.
    """
    walcl = walcl_m.dropna()
    wednesdays = pd.DatetimeIndex(walcl.index[walcl.index.day_of_week == 2], name="date")
    frame = pd.DataFrame(
        {
            "walcl_b": units.convert(walcl.reindex(wednesdays), "USD_M", "USD_B"),
            "tga_b": units.convert(tga_m.reindex(wednesdays), "USD_M", "USD_B"),
            "rrp_b": latest_on_or_before(rrp_b, wednesdays, RRP_MAX_AGE),
        },
        index=wednesdays,
    )
    frame["net_liquidity_b"] = frame["walcl_b"] - frame["tga_b"] - frame["rrp_b"]
    check_plausible(frame["net_liquidity_b"])
    return frame


def check_plausible(net_b: pd.Series) -> None:
    recent = net_b.loc[PLAUSIBLE_SINCE:].dropna()
    lo, hi = PLAUSIBLE_B
    bad = recent[(recent < lo) | (recent > hi)]
    if not bad.empty:
        raise LiquidityError(
            f"net liquidity {bad.iloc[0]:,.0f} $B on {bad.index[0].date()} is outside "
            f"[{lo:,.0f}, {hi:,.0f}] $B: an input is in the wrong unit"
        )


def load_net_liquidity(start=None, end=None, library=None) -> pd.DataFrame:
    """`net_liquidity` computed from the loaded WALCL, WDTGAL and RRPONTSYD series."""
    from liquidity.loaders import date_window, load_series

    start, end = date_window(start, end)
    # RRP needs up to a week before the first Wednesday.
    rrp_start = None if start is None else start - RRP_MAX_AGE
    frame = net_liquidity(
        load_series("WALCL", start, end, library=library),
        load_series("WDTGAL", start, end, library=library),
        load_series("RRPONTSYD", rrp_start, end, library=library),
    )
    return frame.loc[start:end]
