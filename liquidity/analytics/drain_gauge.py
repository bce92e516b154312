"""The drain gauge: a transparent composite that rises when the tub drains.

Four components, each standardised as an expanding z-score (mean and standard deviation of its
own history up to that date only, and only once 104 weekly observations exist):

    −  13-week change in net liquidity           (falling liquidity drains)
    +  13-week change in the 10-year real yield   (dearer long money)
    +  13-week change in the high-yield spread    (tighter credit)
    +  hyperscaler capex growth, year over year   (more capital pulled out)

The gauge is the mean of the signed z-scores that exist on a date; each component's contribution
is its signed z-score divided by the number of components present, so the contributions add up
to the gauge. Values are computed on the date the data became public: the Thursday after each
H.4.1 Wednesday, yields and spreads as of that day, capex growth from its assumed filing date.
Nothing computed for a date changes when later data arrives.
"""

from __future__ import annotations

import pandas as pd

from liquidity.core.calendar import H41_LAG, latest_on_or_before

WEEKS = 13
MIN_OBS = 104
DAILY_MAX_AGE = pd.Timedelta(days=7)
CAPEX_MAX_AGE = pd.Timedelta(days=200)  # a quarterly figure stays current until the next one

# column -> (label, sign, unit of the raw value)
COMPONENTS = {
    "net_liquidity_13w": ("13-week change in net liquidity", -1, "$ billions"),
    "real_yield_13w": ("13-week change in 10y real yield", 1, "percentage points"),
    "hy_spread_13w": ("13-week change in HY spread", 1, "percentage points"),
    "capex_yoy": ("Hyperscaler capex growth YoY", 1, "percent"),
}


def expanding_zscore(values: pd.Series, min_obs: int = MIN_OBS) -> pd.Series:
    """(x − mean of x so far) / standard deviation of x so far; NaN before `min_obs` values."""
    observed = values.dropna()
    mean = observed.expanding(min_periods=min_obs).mean()
    std = observed.expanding(min_periods=min_obs).std(ddof=1)
    return ((observed - mean) / std).reindex(values.index)


def change_over_weeks(daily: pd.Series, dates: pd.DatetimeIndex, weeks: int = WEEKS) -> pd.Series:
    """Value known on each date minus the value known `weeks` earlier (each at most 7 days old)."""
    now = latest_on_or_before(daily, dates, DAILY_MAX_AGE)
    then = latest_on_or_before(daily, dates - pd.Timedelta(weeks=weeks), DAILY_MAX_AGE)
    return pd.Series(now.to_numpy() - then.to_numpy(), index=dates)


def drain_gauge(
    net_weekly_b: pd.Series,
    real_yield: pd.Series,
    hy_spread: pd.Series,
    capex_growth: pd.Series | None = None,
    min_obs: int = MIN_OBS,
) -> pd.DataFrame:
    """The gauge on each H.4.1 publication date, with raw values, z-scores and contributions.

    `net_weekly_b` is indexed by observation Wednesday; `capex_growth` (percent) by the date
    each value became public. Columns: the COMPONENTS (raw), `z_<component>`,
    `contrib_<component>`, `components` (how many were present) and `gauge`.
    """
    net = net_weekly_b.dropna()
    previous = net.reindex(net.index - pd.Timedelta(weeks=WEEKS)).to_numpy()
    dates = pd.DatetimeIndex(net.index + H41_LAG, name="date")
    raw = pd.DataFrame(
        {
            "net_liquidity_13w": net.to_numpy() - previous,
            "real_yield_13w": change_over_weeks(real_yield, dates).to_numpy(),
            "hy_spread_13w": change_over_weeks(hy_spread, dates).to_numpy(),
            "capex_yoy": (
                latest_on_or_before(capex_growth, dates, CAPEX_MAX_AGE).to_numpy()
                if capex_growth is not None
                else float("nan")
            ),
        },
        index=dates,
    )
    out = raw.copy()
    signed = pd.DataFrame(index=dates)
    for column, (_, sign, _) in COMPONENTS.items():
        out[f"z_{column}"] = expanding_zscore(raw[column], min_obs)
        signed[column] = sign * out[f"z_{column}"]
    present = signed.notna().sum(axis=1)
    for column in COMPONENTS:
        out[f"contrib_{column}"] = signed[column] / present.where(present > 0)
    out["components"] = present
    out["gauge"] = signed.mean(axis=1)
    return out
