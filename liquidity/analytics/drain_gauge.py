"""The drain gauge: a transparent composite that rises when the tub drains.

Four components, each standardised as a trailing z-score:

    −  13-week change in net liquidity, percent of its level 13 weeks earlier
    +  13-week change in the 10-year real yield, percentage points
    +  13-week change in the high-yield spread, percentage points
    +  hyperscaler capex growth year over year on a covered panel (capex.panel_growth), percent

Why these scales, so that a reading in 2005 means what one in 2025 means:

- Net liquidity is taken relative to its level. The tub held ~$0.7T in 2003 and ~$6T in 2022, and
  the spread of 13-week changes in dollars grew ~50× (~$12B in 2003–07, ~$590B in 2020–22); a
  $50B drain was 7% of the tub then and under 1% now. A percent of the level sizes a drain by
  the tub it drains. Yields and spreads are rates already, so their changes stay in points.
- Each z-score uses a TRAILING window of WINDOW (156 weeks, three years) of its own weekly
  values, not all history since 2003: even in percent, QE and QT weeks move several times more
  than 2003–07 weeks, and an expanding window lets one era's spread rule every later date. Three
  years is about one policy phase, so each date is compared with its own regime. A z-score needs
  MIN_OBS (104) values inside the window, two years: 13-week changes overlap, so fewer would rest
  on a handful of independent moves. The price: a drain that lasts longer than the window
  becomes the norm and the gauge drifts back toward zero; read the components' raw values too.
  A window whose values are all equal has no spread and gives no z-score.

`gauge` is the mean of the four signed z-scores present on a date, `gauge_ex_capex` the mean of
the other three: capex is the thesis's cause, so the tub's own state is shown without it too.
Contributions (`contrib_*`, `contrib_ex_capex_*`) are signed z-scores divided by the number
present, so they add up to their gauge. A component with no z-score on a date (input older than
its maximum age, capex quarter not covered, too little history) is NAMED in `missing` and the
date is `partial`: the mean of fewer components is a different quantity, and saying so is the
only honest way to show it.

Values are computed on the date the data became public: the Thursday after each H.4.1 Wednesday,
yields and spreads as of that day, capex growth from its assumed filing date (the latest quarter
public then, even when that quarter is not covered: an older quarter never stands in for it).
Nothing computed for a date changes when later data arrives.
"""

from __future__ import annotations

import pandas as pd

from liquidity.core.calendar import H41_LAG, latest_on_or_before

WEEKS = 13
WINDOW = pd.Timedelta(weeks=156)
MIN_OBS = 104
DAILY_MAX_AGE = pd.Timedelta(days=7)
CAPEX_MAX_AGE = pd.Timedelta(days=200)  # a quarterly figure stays current until the next one
CAPEX = "capex_yoy"

# column -> (label, sign, unit of the raw value)
COMPONENTS = {
    "net_liquidity_13w": ("13-week change in net liquidity", -1, "percent of net liquidity"),
    "real_yield_13w": ("13-week change in 10y real yield", 1, "percentage points"),
    "hy_spread_13w": ("13-week change in HY spread", 1, "percentage points"),
    CAPEX: ("Hyperscaler capex growth YoY", 1, "percent"),
}
EX_CAPEX = tuple(c for c in COMPONENTS if c != CAPEX)


def trailing_zscore(
    values: pd.Series, window: pd.Timedelta = WINDOW, min_obs: int = MIN_OBS
) -> pd.Series:
    """(x − mean) / standard deviation over the values in (date − window, date].

    NaN with fewer than `min_obs` values in the window or no spread in it. Missing values are
    skipped, so a gap shortens the sample instead of stretching the window back in time.
    """
    observed = values.dropna()
    rolling = observed.rolling(window, min_periods=min_obs)
    std = rolling.std(ddof=1)
    z = (observed - rolling.mean()) / std.where(std > 0)
    return z.reindex(values.index)


def percent_change(weekly: pd.Series, weeks: int = WEEKS) -> pd.Series:
    """100 × (value / value `weeks` weeks earlier − 1), matched by date; NaN without a base.

    A base at or below zero has no percent change, so it gives NaN rather than a flipped sign.
    """
    base = weekly.reindex(weekly.index - pd.Timedelta(weeks=weeks)).to_numpy()
    base = pd.Series(base, index=weekly.index)
    return (weekly / base.where(base > 0) - 1.0) * 100.0


def change_over_weeks(daily: pd.Series, dates: pd.DatetimeIndex, weeks: int = WEEKS) -> pd.Series:
    """Value known on each date minus the value known `weeks` earlier (each at most 7 days old)."""
    now = latest_on_or_before(daily, dates, DAILY_MAX_AGE)
    then = latest_on_or_before(daily, dates - pd.Timedelta(weeks=weeks), DAILY_MAX_AGE)
    return pd.Series(now.to_numpy() - then.to_numpy(), index=dates)


def latest_public(quarterly: pd.Series | pd.DataFrame, dates: pd.DatetimeIndex):
    """The latest entry public on each date (a Series or a frame), missing entries included.

    Unlike `latest_on_or_before`, a missing newest value (an uncovered quarter) is not replaced
    by the one before it; an entry older than CAPEX_MAX_AGE counts as stale.
    """
    return quarterly.sort_index().reindex(dates, method="ffill", tolerance=CAPEX_MAX_AGE)


def drain_gauge(
    net_weekly_b: pd.Series,
    real_yield: pd.Series,
    hy_spread: pd.Series,
    capex_growth: pd.Series | None = None,
    min_obs: int = MIN_OBS,
    window: pd.Timedelta = WINDOW,
) -> pd.DataFrame:
    """The gauge on each H.4.1 publication date, with raw values, z-scores and contributions.

    `net_weekly_b` ($ billions) is indexed by observation Wednesday; `capex_growth` (percent,
    `capex.panel_growth`'s `growth_pct` with uncovered quarters as NaN) by the date each quarter
    became public. Columns: the COMPONENTS (raw, in their units), `z_<component>`,
    `contrib_<component>` (adds up to `gauge`), `contrib_ex_capex_<component>` for the three
    others (adds up to `gauge_ex_capex`), `components` and `components_ex_capex` (how many
    z-scores exist, of 4 and 3), `missing` (comma-joined names of components without one),
    `partial` and `partial_ex_capex` (a value from fewer than all its components), `gauge` and
    `gauge_ex_capex` (NaN when no component exists).
    """
    net = net_weekly_b.dropna()
    dates = pd.DatetimeIndex(net.index + H41_LAG, name="date")
    raw = pd.DataFrame(
        {
            "net_liquidity_13w": percent_change(net).to_numpy(),
            "real_yield_13w": change_over_weeks(real_yield, dates).to_numpy(),
            "hy_spread_13w": change_over_weeks(hy_spread, dates).to_numpy(),
            CAPEX: (
                latest_public(capex_growth, dates).to_numpy(dtype="float64")
                if capex_growth is not None
                else float("nan")
            ),
        },
        index=dates,
    )
    z = pd.DataFrame({c: trailing_zscore(raw[c], window, min_obs) for c in COMPONENTS})
    signed = z * pd.Series({c: sign for c, (_, sign, _) in COMPONENTS.items()})
    present = signed.notna()
    count, count_ex = present.sum(axis=1), present[list(EX_CAPEX)].sum(axis=1)
    names = signed.columns.to_numpy()
    summary = pd.DataFrame(
        {
            "components": count,
            "components_ex_capex": count_ex,
            "missing": [",".join(names[~row]) for row in present.to_numpy()],
            "partial": (count > 0) & (count < len(COMPONENTS)),
            "partial_ex_capex": (count_ex > 0) & (count_ex < len(EX_CAPEX)),
            "gauge": signed.mean(axis=1),
            "gauge_ex_capex": signed[list(EX_CAPEX)].mean(axis=1),
        },
        index=dates,
    )
    return pd.concat(
        [
            raw,
            z.add_prefix("z_"),
            signed.div(count.where(count > 0), axis=0).add_prefix("contrib_"),
            signed[list(EX_CAPEX)]
            .div(count_ex.where(count_ex > 0), axis=0)
            .add_prefix("contrib_ex_capex_"),
            summary,
        ],
        axis=1,
    )


def missing_runs(gauge: pd.DataFrame, components=tuple(COMPONENTS)) -> pd.DataFrame:
    """Consecutive rows of `gauge` on which a component has no z-score, per component.

    Columns: `component`, `first` and `last` (dates), `dates` (rows in the run); ordered by
    component, then date. Runs follow the rows given (e.g. the dates a chart shows), so a run
    cut by the window's start begins at its first row.
    """
    rows = []
    for column in components:
        absent = gauge[f"z_{column}"].isna()
        run = (absent != absent.shift()).cumsum()[absent]
        for _, dates in run.groupby(run).groups.items():
            rows.append((column, dates[0], dates[-1], len(dates)))
    return pd.DataFrame(rows, columns=["component", "first", "last", "dates"])
