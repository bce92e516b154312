"""Demand vs supply, per calendar quarter: the change in net liquidity next to hyperscaler capex.

Supply is the change in net liquidity from the last observed Wednesday of one quarter to the
last observed Wednesday of the next; M2's change is taken the same way from month-start levels.
Demand is the big-five capex of the quarter (calendar-labelled, summed over the companies that
report it; the count says how many did). Ratios whose denominator is within $1 billion of zero
are left empty rather than shown as meaningless thousands of percent.
"""

from __future__ import annotations

import pandas as pd

from liquidity.core import units

NEAR_ZERO_B = 1.0


def quarterly_change(series: pd.Series) -> pd.Series:
    """Last observation of each calendar quarter minus the last of the quarter before."""
    observed = series.dropna()
    if observed.empty:
        return pd.Series(dtype="float64", index=pd.PeriodIndex([], freq="Q", name="quarter"))
    last = observed.groupby(observed.index.to_period("Q")).last()
    last = last.reindex(pd.period_range(last.index.min(), last.index.max(), freq="Q"))
    return last.diff().rename_axis("quarter")


def supply_demand_ledger(
    net_weekly_b: pd.Series, m2_b: pd.Series, capex_table_usd: pd.DataFrame
) -> pd.DataFrame:
    """Per quarter, in $ billions: d_net_liquidity_b, capex_b (+ companies), d_m2_b, and capex
    as a percent of each change."""
    d_net = quarterly_change(net_weekly_b)
    d_m2 = quarterly_change(m2_b)
    capex_b = units.convert(capex_table_usd, "USD", "USD_B")
    frame = pd.DataFrame(
        {
            "d_net_liquidity_b": d_net,
            "capex_b": capex_b.sum(axis=1, min_count=1),
            "companies": capex_b.notna().sum(axis=1),
            "d_m2_b": d_m2,
        }
    )
    frame["companies"] = frame["companies"].fillna(0).astype(int)  # true zero: none reported
    frame["capex_pct_of_d_net_liquidity"] = _share(frame["capex_b"], frame["d_net_liquidity_b"])
    frame["capex_pct_of_d_m2"] = _share(frame["capex_b"], frame["d_m2_b"])
    frame.index.name = "quarter"
    return frame.sort_index()


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    return 100.0 * part / whole.where(whole.abs() >= NEAR_ZERO_B)
