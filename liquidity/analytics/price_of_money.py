"""The price of money: yields, credit spreads, funding stress and M2 growth.

Yields and spreads stay in percent as FRED publishes them; funding stress (a rate minus the
interest on reserve balances) is in basis points, because it lives within a few dozen of them.
"""

from __future__ import annotations

import pandas as pd

# FRED id -> (label, unit) of every price-of-money line the app can draw.
LINES = {
    "DGS10": ("10-year yield", "PCT"),
    "DFII10": ("10-year real yield", "PCT"),
    "DGS2": ("2-year yield", "PCT"),
    "T10Y2Y": ("10y − 2y curve", "PCT"),
    "BAMLH0A0HYM2": ("High-yield OAS", "PCT"),
    "BAMLC0A0CM": ("Investment-grade OAS", "PCT"),
    "SOFR_IORB": ("SOFR − IORB", "BPS"),
    "EFFR_IORB": ("EFFR − IORB", "BPS"),
    "M2SL_YOY": ("M2 growth, year over year", "PCT"),
}
# Lines computed from other series, and the FRED ids they need.
DERIVED_INPUTS = {
    "SOFR_IORB": ("SOFR", "IORB"),
    "EFFR_IORB": ("EFFR", "IORB"),
    "M2SL_YOY": ("M2SL",),
}
INPUTS = tuple(s for s in LINES if s not in DERIVED_INPUTS) + ("SOFR", "EFFR", "IORB", "M2SL")


def funding_spread_bp(rate: pd.Series, iorb: pd.Series) -> pd.Series:
    """rate − IORB in basis points, on the days both were published (no filling)."""
    both = pd.concat([rate, iorb], axis=1, join="inner").dropna()
    return (both.iloc[:, 0] - both.iloc[:, 1]) * 100.0


def price_of_money(series: dict[str, pd.Series]) -> pd.DataFrame:
    """One column per line in LINES (percent, or basis points for the funding spreads).

    Daily, on the union of publication days; a column is NaN where its series was not published
    (M2 growth has one value a month).
    """
    columns = {sid: series[sid].dropna() for sid in LINES if sid in series}
    for name in ("SOFR_IORB", "EFFR_IORB"):
        rate, iorb = DERIVED_INPUTS[name]
        if rate in series and iorb in series:
            columns[name] = funding_spread_bp(series[rate], series[iorb])
    if "M2SL" in series:  # monthly: a value on the first of each month
        columns["M2SL_YOY"] = yoy_growth(series["M2SL"]).dropna()
    frame = pd.DataFrame(columns).sort_index()
    frame.index.name = "date"
    return frame


def yoy_growth(monthly: pd.Series) -> pd.Series:
    """Year-over-year growth in percent of a monthly series, matched by date (12 months back)."""
    monthly = monthly.dropna()
    base = monthly.reindex(monthly.index - pd.DateOffset(years=1))
    base.index = monthly.index
    return (monthly / base - 1.0) * 100.0
