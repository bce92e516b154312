"""Relative performance of asset baskets and their sensitivity to liquidity (METHODS.md §2, §3, §5).

Prices arrive as one frame on the union of calendars (crypto 7 days a week, US equities on NYSE
days, Korean stocks on KRX days), NaN where a market was closed, each column in its own currency.
Nothing here forward-fills prices into invented zero-return days (R7): `on_calendar` puts all
assets on one chosen calendar, weekly statistics use Wednesday closes, and event returns use each
asset's own trading days. A basket's members are the assets with a return that day
(`membership`): an asset whose data end leaves at its last close (`on_calendar_to_end`), and
`membership_changes` says who joined or left on which day, and why.

Statistics follow §5: regressions on weekly changes, not levels, with Newey-West (HAC) errors; the
liquidity factor is lagged to the date the H.4.1 became public (§3), so a week's return is never
explained by a balance sheet that was published after it.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from liquidity.core.calendar import H41_LAG, known_at, latest_on_or_before

MAX_CARRY = pd.Timedelta(days=7)  # never carry a price or a yield further (METHODS.md R2)
Z95 = NormalDist().inv_cdf(0.975)  # statsmodels' HAC results use the normal distribution
# Why a member joins or leaves its basket (`membership_changes`).
JOINS, LEAVES = "joins", "leaves"
DATA_START, DATA_END = "data start", "data end"
GAP, RESUMED = "no price for over 7 days", "prices resume"
NOT_USD, IN_USD = "not in USD", "in USD from here"
RELATIVE_MODES = {
    "ratio": "Ratio A/B: 100 × (A/A₀)/(B/B₀), ≈ long A / short B rebalanced daily",
    "spread": "Spread %A − %B: buy and hold, in percentage points",
}


def on_calendar(prices: pd.DataFrame, calendar: pd.DatetimeIndex) -> pd.DataFrame:
    """Each asset's last price on or before each calendar day, at most 7 days old, else NaN.

    The page passes the NYSE calendar (the days with a ^GSPC close): a crypto asset's weekend
    move then lands in Monday's return, and US assets get no zero-return weekend days. An asset
    is NaN before its first observation. A market closed on a calendar day keeps its previous
    price: on a KRX holiday that is an NYSE day a Korean stock shows a 0 return, and its move
    over both sessions lands on the next day.
    """
    calendar = pd.DatetimeIndex(calendar, name=prices.index.name)
    return pd.DataFrame(
        {col: latest_on_or_before(prices[col], calendar, MAX_CARRY) for col in prices},
        index=calendar,
        columns=prices.columns,
    )


def on_calendar_to_end(prices: pd.DataFrame, calendar: pd.DatetimeIndex) -> pd.DataFrame:
    """`on_calendar`, but NaN after each asset's last observation.

    Within an asset's history the 7-day carry bridges a closed market; past its last price
    there is no later price to bridge to, and carrying would add days of zero return to its
    basket. A last price that falls between two calendar days (a crypto Saturday) has no
    calendar day of its own: the asset leaves at its last close on the calendar.
    """
    out = on_calendar(prices, calendar)
    last = pd.DatetimeIndex([prices[col].last_valid_index() for col in prices])
    return out.where(out.index.to_numpy()[:, None] <= last.to_numpy()[None, :])


def daily_returns(levels: pd.DataFrame) -> pd.DataFrame:
    """Simple returns from one row to the next; pass levels on one calendar (`on_calendar`)."""
    return levels / levels.shift(1) - 1.0


def basket_returns(returns: pd.DataFrame, tickers) -> pd.Series:
    """Equal weight rebalanced daily: the mean return of the members present that day.

    A constituent joins on its first return (SNDK trades from Feb 2025) and leaves after its
    last (prices from `on_calendar_to_end`), so some days average fewer names: show
    `membership` and `membership_changes` next to the chart.
    """
    return returns[list(tickers)].mean(axis=1)


def membership(returns: pd.DataFrame, tickers) -> pd.DataFrame:
    """date × ticker, True where the ticker's return counts in the basket's return that day."""
    return returns[list(tickers)].notna()


def basket_members(returns: pd.DataFrame, tickers) -> pd.Series:
    """How many constituents the basket averaged each day."""
    return membership(returns, tickers).sum(axis=1)


def membership_changes(usd: pd.DataFrame, local: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each close at which a ticker joins or leaves its basket, and why.

    `usd`: prices on the basket's calendar in dollars (`on_calendar_to_end`); `local`: the same
    in each ticker's own currency where that differs (a price there and none in `usd` means
    no exchange rate that day). A ticker joins at the close that starts a run of returns (it
    counts from the next day's return) and leaves at the last close of the run. Columns: date,
    member, change (JOINS or LEAVES) and reason: DATA_START or DATA_END (its own prices begin
    or end), GAP or RESUMED (more than 7 days without a price, then prices again), NOT_USD or
    IN_USD (its price is there, a rate to convert it is not, or is again).
    """
    local = usd if local is None else local
    present = usd.notna().to_numpy()
    member = present & np.vstack([np.zeros((1, present.shape[1]), bool), present[:-1]])
    rows = []
    for j, col in enumerate(usd.columns):
        inside = member[:, j]
        priced = local[col].notna().to_numpy()
        before = np.cumsum(priced) > 0  # a price on or before the row
        after = np.cumsum(priced[::-1])[::-1] > 0  # a price on or after the row
        for i in np.flatnonzero(inside[1:] & ~inside[:-1]):
            if i == 0 or not before[i - 1]:
                reason = DATA_START
            else:
                reason = IN_USD if priced[i - 1] else RESUMED
            rows.append((usd.index[i], col, JOINS, reason))
        for i in np.flatnonzero(inside[:-1] & ~inside[1:]):
            if not after[i + 1]:
                reason = DATA_END
            else:
                reason = NOT_USD if priced[i + 1] else GAP
            rows.append((usd.index[i], col, LEAVES, reason))
    changes = pd.DataFrame(rows, columns=["date", "member", "change", "reason"])
    changes["date"] = pd.to_datetime(changes["date"])
    return changes.sort_values(["date", "change", "member"], ignore_index=True)


def joined(prices: pd.DataFrame, tickers, start) -> dict[str, pd.Timestamp]:
    """{ticker: first observation} for the tickers whose history starts after `start`.

    Tickers without any observation are left out: they never joined.
    """
    start = pd.Timestamp(start)
    firsts = {t: prices[t].first_valid_index() for t in tickers}
    return {t: first for t, first in firsts.items() if first is not None and first > start}


def level(returns: pd.Series | pd.DataFrame, base: float = 100.0):
    """Cumulative index: `base` on the day before the first return, then compounded.

    Days without a return keep the previous level out of the product and show NaN.
    """
    if isinstance(returns, pd.DataFrame):
        return returns.apply(level, base=base)
    growth = (1.0 + returns).cumprod()
    first = returns.first_valid_index()
    if first is not None:
        pos = returns.index.get_loc(first)
        if pos > 0:  # anchor on the previous day, as a price series would be
            growth.iloc[pos - 1] = 1.0
    return base * growth


def rebase(levels: pd.DataFrame, base_date) -> tuple[pd.DataFrame, dict[str, pd.Timestamp]]:
    """(frame from `base_date` on, late): 100 at each column's first observation on or after it.

    `late` maps each column whose history starts after `base_date` to that first date: it is
    rebased at its own first value, so the caption must say so. A column with no observation on
    or after `base_date` is all NaN.
    """
    base_date = pd.Timestamp(base_date)
    frame = levels.loc[base_date:]
    rebased = 100.0 * frame / frame.bfill().iloc[0] if len(frame) else frame.copy()
    return rebased, joined(levels, levels.columns, base_date)


def relative(a_level: pd.Series, b_level: pd.Series, base_date, mode: str = "ratio") -> pd.Series:
    """A relative to B from the first day on or after `base_date` on which both have a value.

    ratio:  100 × (A_t/A₀) / (B_t/B₀), 100 at the base; ≈ long A / short B rebalanced daily.
    spread: 100 × [(A_t/A₀ − 1) − (B_t/B₀ − 1)], 0 at the base, in percentage points; buy and
            hold. The two diverge over long windows (METHODS.md §5.7).
    """
    if mode not in RELATIVE_MODES:
        raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(RELATIVE_MODES)}")
    pair = pd.concat([a_level, b_level], axis=1, keys=["a", "b"]).dropna()
    pair = pair.loc[pd.Timestamp(base_date) :]
    grown = pair / pair.iloc[0] if len(pair) else pair
    if mode == "ratio":
        return 100.0 * grown["a"] / grown["b"]
    return 100.0 * (grown["a"] - grown["b"])


def period_returns(levels: pd.DataFrame, asof, base_date) -> pd.DataFrame:
    """Returns in percent per column (rows) over 1W, 1M, 3M, YTD, 1Y and since the base date.

    Each end is the last observation on or before its date (at most 7 days old), so calendar
    periods never count rows (R6). YTD starts at the previous year's last close. A period whose
    start precedes the column's history is NaN; "since base" follows `rebase` (a late column
    counts from its own first value).
    """
    asof = pd.Timestamp(asof)
    starts = {
        "1W": asof - pd.Timedelta(days=7),
        "1M": asof - pd.DateOffset(months=1),
        "3M": asof - pd.DateOffset(months=3),
        "YTD": pd.Timestamp(asof.year, 1, 1) - pd.Timedelta(days=1),
        "1Y": asof - pd.DateOffset(years=1),
    }
    dates = pd.DatetimeIndex([asof, *starts.values()])
    rows = {}
    for col in levels:
        values = latest_on_or_before(levels[col], dates, MAX_CARRY).to_numpy()
        since = levels[col].loc[pd.Timestamp(base_date) : asof].dropna()
        base = since.iloc[0] if len(since) else math.nan
        rows[col] = 100.0 * (values[0] / np.append(values[1:], base) - 1.0)
    return pd.DataFrame.from_dict(rows, orient="index", columns=[*starts, "since base"])


def drawdown(levels: pd.DataFrame) -> pd.DataFrame:
    """Percent below the running peak (0 at a new high, negative otherwise)."""
    return 100.0 * (levels / levels.cummax() - 1.0)


def weekly_returns(levels: pd.DataFrame) -> pd.DataFrame:
    """Wednesday-to-Wednesday simple returns, from the last close on or before each Wednesday.

    Takes prices on any calendar (the raw union frame is fine): a Wednesday holiday uses the
    Tuesday close. The first Wednesday has no return.
    """
    weds = pd.date_range(levels.index.min(), levels.index.max(), freq="W-WED", name="date")
    closes = on_calendar(levels, weds)
    return closes / closes.shift(1) - 1.0


def liquidity_factors(
    net_weekly_b: pd.Series, real_yield_daily: pd.Series, weeks: pd.DatetimeIndex
) -> pd.DataFrame:
    """Weekly factors known at each Wednesday close in `weeks` (METHODS.md §3).

    d_net_liquidity_b: change in $B of the net liquidity known at Wednesday t vs Wednesday
        t − 7. The H.4.1 for Wednesday w is public on Thursday w + 1, so at t the latest known
        observation is w = t − 7, never t itself; a missing print leaves the week NaN.
    d_real_yield: change in percentage points of DFII10 between the last prints on or before
        t and t − 7 (each at most 7 days old); a market yield is known at its own close.
    """
    weeks = pd.DatetimeIndex(weeks)
    week_ago = weeks - pd.Timedelta(days=7)

    def change(series: pd.Series) -> np.ndarray:
        now = latest_on_or_before(series, weeks, MAX_CARRY).to_numpy()
        return now - latest_on_or_before(series, week_ago, MAX_CARRY).to_numpy()

    return pd.DataFrame(
        {
            "d_net_liquidity_b": change(known_at(net_weekly_b, H41_LAG)),
            "d_real_yield": change(real_yield_daily),
        },
        index=weeks,
    )


def default_maxlags(n: int) -> int:
    """Newey-West's rule of thumb: floor(4 (n/100)^(2/9))."""
    return int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def sensitivity(y: pd.Series, factors: pd.DataFrame, maxlags: int | None = None) -> pd.DataFrame:
    """OLS of y on a constant and the factors with Newey-West (HAC, Bartlett) standard errors.

    Uses the rows where y and every factor are present; HAC treats them as consecutive periods.
    One row per factor: beta, se, t, ci_low, ci_high (95%, normal), n. Add the market return as
    a factor to report partial (market-controlled) betas (§5.5).
    """
    data = pd.concat([y, factors], axis=1).dropna()
    n, k = len(data), factors.shape[1] + 1
    out = pd.DataFrame(
        math.nan, index=factors.columns, columns=["beta", "se", "t", "ci_low", "ci_high", "n"]
    )
    out["n"] = n
    if n <= k:
        return out
    # The one window of `rolling_sensitivity` that spans every complete row: the same numbers
    # as statsmodels' OLS with cov_type="HAC" (tested), without importing it (~0.75 s).
    lags = default_maxlags(n) if maxlags is None else maxlags
    fit = rolling_sensitivity(data.iloc[:, 0], data.iloc[:, 1:], n, lags).iloc[-1]
    for stat in ("beta", "se", "t", "ci_low", "ci_high"):
        out[stat] = [fit[f"{stat}_{f}"] for f in factors.columns]
    return out


def rolling_sensitivity(
    y: pd.Series, factors: pd.DataFrame, window: int, maxlags: int | None = None
) -> pd.DataFrame:
    """`sensitivity` over each window of `window` consecutive rows, indexed by the window end.

    Columns beta_<f>, se_<f>, t_<f>, ci_low_<f>, ci_high_<f> per factor. Only full windows
    (every row present) get values; the others are NaN. Rows run from the `window`-th date of
    the union of y's and the factors' dates. Vectorised over windows: the same numbers as
    `sensitivity` on each window, a few milliseconds per series over ten years of weeks.
    """
    data = pd.concat([y, factors], axis=1).sort_index()
    names = list(factors.columns)
    cols = [f"{stat}_{f}" for stat in ("beta", "se", "t", "ci_low", "ci_high") for f in names]
    if len(data) < window:
        return pd.DataFrame(columns=cols, index=data.index[:0], dtype=float)
    values = data.to_numpy(dtype=float)
    full = np.isfinite(values).all(axis=1)
    # Missing rows become 0 so that no NaN reaches the linear algebra; their windows are masked.
    values = np.where(full[:, None], values, 0.0)
    yw = sliding_window_view(values[:, 0], window)  # (windows, window)
    xw = sliding_window_view(values[:, 1:], window, axis=0).transpose(0, 2, 1)
    xw = np.concatenate([np.ones(xw.shape[:2] + (1,)), xw], axis=2)  # (windows, window, k)
    bread = np.linalg.pinv(np.einsum("wti,wtj->wij", xw, xw))
    beta = np.einsum("wij,wj->wi", bread, np.einsum("wti,wt->wi", xw, yw))
    scores = xw * (yw - np.einsum("wti,wi->wt", xw, beta))[:, :, None]
    # Bartlett-weighted sum of score autocovariances, exactly as statsmodels' S_hac_simple.
    lags = default_maxlags(window) if maxlags is None else maxlags
    meat = np.einsum("wti,wtj->wij", scores, scores)
    for lag in range(1, lags + 1):
        gamma = np.einsum("wti,wtj->wij", scores[:, lag:], scores[:, :-lag])
        meat += (1.0 - lag / (lags + 1.0)) * (gamma + gamma.transpose(0, 2, 1))
    cov = bread @ meat @ bread
    beta = beta[:, 1:]
    # Windows with missing rows are computed on zero-filled data and blanked just below; their
    # 0/0 t-statistics are noise, not a warning worth printing. A degenerate window (a factor
    # constant over it) can round its variance below zero: NaN there means "no estimate".
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))[:, 1:]
        t = beta / se
    stats = np.concatenate([beta, se, t, beta - Z95 * se, beta + Z95 * se], axis=1)
    complete = sliding_window_view(full, window).all(axis=1)
    stats[~complete] = math.nan
    return pd.DataFrame(stats, index=data.index[window - 1 :], columns=cols)


def event_returns(prices: pd.DataFrame, date, days: int = 5) -> pd.DataFrame:
    """Each asset's returns in percent around `date`, on its own trading days, ranked by day 0.

    Columns: first_day (the asset's first trading day on or after `date`: a weekend or a market
    holiday moves it, and this column says so), day_0 (from the previous close), day_1 …
    day_<days>, and cumulative (compounded over the days available).
    """
    date = pd.Timestamp(date)
    steps = [f"day_{i}" for i in range(days + 1)]
    rows = {}
    for col in prices:
        closes = prices[col].dropna().sort_index()
        start = closes.index.searchsorted(date)
        if start >= len(closes):
            rows[col] = [pd.NaT, *[math.nan] * (days + 2)]
            continue
        # Day 0 at the asset's first close has no previous close, hence no return.
        rets = (closes / closes.shift(1) - 1.0).iloc[start : start + days + 1].to_numpy()
        rets = np.append(rets, [math.nan] * (days + 1 - len(rets)))
        cumulative = np.nanprod(1.0 + rets) - 1.0 if np.isfinite(rets).any() else math.nan
        rows[col] = [closes.index[start], *(100.0 * rets), 100.0 * cumulative]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["first_day", *steps, "cumulative"])
    out["first_day"] = pd.to_datetime(out["first_day"])
    return out.sort_values("day_0", ascending=False, na_position="last")
