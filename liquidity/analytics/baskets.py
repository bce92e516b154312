"""Baskets on one calendar: speculative long-duration assets against near-cash-flow memory makers.

`panel` brings the tickers' adjusted closes onto the NYSE calendar (the days ^GSPC closed), in
US dollars where it can (the Korean memory makers are converted with KRW=X when the data have
it, and say so when they do not). `analyse` computes everything the divergence page and CLI
show from the calculations in `liquidity.analytics.divergence`, always on the full history
first and only then cut to the window, so a window's choice never changes a rolling value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from liquidity.analytics import divergence
from liquidity.core.errors import DataNotAvailable

SPECULATIVE = (
    "BTC-USD",
    "ETH-USD",
    "IGV",
    "CRM",
    "NOW",
    "ADBE",
    "ARKK",
    "GME",
    "AMC",
    "COIN",
    "MSTR",
)
MEMORY = ("MU", "SNDK", "WDC", "000660.KS", "005930.KS")
BENCHMARKS = ("^GSPC", "^IXIC", "QQQ", "SPY", "TLT", "GLD")
MARKET = "^GSPC"
FX = "KRW=X"
SPEC_NAME, MEMORY_NAME = "Speculative basket", "Memory basket"
FACTOR_LABELS = {
    "d_net_liquidity_b": "Δ net liquidity",
    "d_real_yield": "Δ 10y real yield",
    "market": "market return (^GSPC)",
}
# Betas are estimated on weekly fractions and shown per a readable move of each factor.
FACTOR_SCALES = {
    "d_net_liquidity_b": (1e4, "% weekly return per $100B"),
    "d_real_yield": (100.0, "% weekly return per 1 pp"),
    "market": (1.0, "× the market's weekly return"),
}


@dataclass
class Panel:
    prices: pd.DataFrame  # NYSE calendar × ticker, USD where converted
    raw: pd.DataFrame  # each ticker on its own calendar (for event days)
    missing: dict[str, str] = field(default_factory=dict)  # ticker -> why it is not there
    in_krw: list[str] = field(default_factory=list)  # Korean tickers left in won


def panel(raw: dict[str, pd.Series], missing: dict[str, str], fx: pd.Series | None) -> Panel:
    """The tickers' closes (`raw`, each on its own calendar, the market included) on the NYSE
    calendar; the Korean tickers divided by `fx` (won per dollar, same day, at most 7 days old)
    when given, else left in won and listed in `in_krw`. `missing`: ticker -> why it has none."""
    if MARKET not in raw:
        why = missing.get(MARKET, "no prices")
        raise DataNotAvailable(f"the divergence page needs {MARKET} for its calendar: {why}")
    raw = dict(raw)
    korean = [t for t in raw if t.endswith(".KS")]
    in_krw = korean
    if korean and fx is not None:
        for ticker in korean:  # won per share ÷ won per dollar, on the same day (≤ 7 days)
            rate = divergence.on_calendar(fx.rename(FX).to_frame(), raw[ticker].index)[FX]
            raw[ticker] = (raw[ticker] / rate).dropna()
        in_krw = []
    frame = pd.DataFrame(raw)
    # The market's history reaches back to 1927; the calendar starts with the first asset.
    first = min((s.index[0] for t, s in raw.items() if t != MARKET), default=None)
    calendar = pd.DatetimeIndex(raw[MARKET].loc[first:].index, name="date")
    return Panel(divergence.on_calendar(frame, calendar), frame, dict(missing), in_krw)


@dataclass
class Analysis:
    levels: pd.DataFrame  # rebased to 100 at the base date: baskets, benchmark, constituents
    relative: pd.Series  # memory vs speculative, ratio or spread
    drawdowns: pd.DataFrame
    periods: pd.DataFrame  # period returns in percent, the memory − speculative gap first
    betas: pd.DataFrame  # full-window sensitivities: (series, factor) rows
    rolling: dict[str, pd.DataFrame]  # basket -> rolling sensitivity columns
    correlation: pd.DataFrame  # weekly returns within the window
    late: dict[str, pd.Timestamp]  # series that start after the base date
    joined: dict[str, pd.Timestamp]  # constituents joining their basket after its start
    asof: pd.Timestamp | None = None  # the last close in the window
    weeks: int = 0  # weekly observations in the full-window regressions


def basket_levels(prices: pd.DataFrame, spec, memory) -> pd.DataFrame:
    """The two equal-weighted baskets, daily rebalanced, as levels (100 at their first day):
    columns SPEC_NAME and MEMORY_NAME."""
    returns = divergence.daily_returns(prices)
    return pd.DataFrame(
        {
            SPEC_NAME: divergence.level(divergence.basket_returns(returns, spec)),
            MEMORY_NAME: divergence.level(divergence.basket_returns(returns, memory)),
        }
    )


def analyse(
    panel: Panel,
    spec,
    memory,
    bench: str,
    start,
    end,
    base,
    window: int,
    mode: str,
    net_weekly_b: pd.Series,
    real_yield_daily: pd.Series,
) -> Analysis:
    """Everything the divergence page shows, for baskets `spec` and `memory`, with weekly
    sensitivities to Δ net liquidity (`net_weekly_b`, by H.4.1 Wednesday), Δ real yield and the
    market."""
    spec = [t for t in spec if t in panel.prices]
    memory = [t for t in memory if t in panel.prices]
    if not spec or not memory:
        raise DataNotAvailable("each basket needs at least one ticker with prices")
    start, end, base = pd.Timestamp(start), pd.Timestamp(end), pd.Timestamp(base)
    baskets = basket_levels(panel.prices, spec, memory)
    others = [t for t in dict.fromkeys([bench, *spec, *memory]) if t in panel.prices]
    series = pd.concat([baskets, panel.prices[others]], axis=1)
    window_levels = series.loc[start:end]
    for name in baskets.columns:  # each basket must have a level to rebase and compare
        if window_levels[name].loc[base:].dropna().empty:
            held = baskets[name].dropna().index
            span = f"{held[0]:%Y-%m-%d} → {held[-1]:%Y-%m-%d}" if len(held) else "nowhere"
            raise DataNotAvailable(
                f"the {name.lower()} has no level from the base date {base:%Y-%m-%d} to "
                f"{end:%Y-%m-%d} (its members' prices cover {span}); pick another range, base "
                "date or members"
            )
    asof = window_levels.dropna(how="all").index[-1]
    rebased, late = divergence.rebase(window_levels, base)

    weekly = divergence.weekly_returns(series)
    market = divergence.weekly_returns(panel.prices[[MARKET]])[MARKET]
    factors = divergence.liquidity_factors(net_weekly_b, real_yield_daily, weekly.index).assign(
        market=market
    )
    in_window = weekly.loc[start:end]
    estimates = {
        name: divergence.sensitivity(in_window[name], factors.loc[start:end])
        for name in weekly.columns
        # the market regressed on itself is no estimate, nor are too few weeks
        if name != MARKET and in_window[name].notna().sum() > 2 * len(factors.columns) + 2
    }
    betas = pd.concat(estimates, names=["series", "factor"]) if estimates else pd.DataFrame()
    rolling = {
        name: divergence.rolling_sensitivity(weekly[name], factors, window).loc[start:end]
        for name in baskets.columns
    }
    return Analysis(
        levels=rebased,
        relative=divergence.relative(
            baskets[MEMORY_NAME].loc[start:end], baskets[SPEC_NAME].loc[start:end], base, mode
        ),
        drawdowns=divergence.drawdown(window_levels[[*baskets.columns, bench]]),
        # As of the last close in the window, not a calendar end the data never reached.
        # Single assets on their own calendars: a carried-forward close is no close.
        periods=_periods_with_gap(
            pd.concat([baskets, panel.raw[others]], axis=1, sort=True).loc[:end], asof, base
        ),
        betas=betas,
        rolling=rolling,
        correlation=in_window.corr(min_periods=26),
        late=late,
        joined=divergence.joined(panel.prices, [*spec, *memory], start),
        asof=asof,
        weeks=int(in_window[SPEC_NAME].notna().sum()),
    )


def _periods_with_gap(levels: pd.DataFrame, asof, base) -> pd.DataFrame:
    """Period returns of every column as of its own last close (a series that stopped before
    `asof`, e.g. a fund whose file ends a few weeks earlier, still shows its numbers), with
    the memory − speculative gap first and an "as of" column saying which close was used."""
    rows = []
    for column in levels:
        last = levels[column].loc[:asof].last_valid_index()
        if last is None:
            continue
        row = divergence.period_returns(levels[[column]], last, base)
        rows.append(row.assign(**{"as of": last.date()}))
    periods = pd.concat(rows)
    gap = periods.loc[MEMORY_NAME].drop("as of") - periods.loc[SPEC_NAME].drop("as of")
    gap["as of"] = periods.loc[MEMORY_NAME, "as of"]
    return pd.concat([gap.rename("Memory − speculative (pp)").to_frame().T, periods])
