"""Baskets on one calendar: speculative long-duration assets against near-cash-flow memory makers.

`panel` brings the tickers' adjusted closes onto the NYSE calendar (the days ^GSPC closed), in
US dollars: the Korean memory makers are converted with KRW=X when the data have it and
excluded, by name and reason, when they do not, and every asset ends at its last close.
`analyse` computes everything the divergence page and CLI show from the calculations in
`liquidity.analytics.divergence`, always on the full history first and only then cut to the
window, so a window's choice never changes a rolling value, and says who was in each basket on
each day.
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
# Yahoo's exchange suffixes priced in another currency, with the rate (units per dollar) that
# converts them and the currency's name. Any other suffix is a foreign exchange no rate here
# converts.
FOREIGN = {".KS": (FX, "won"), ".KQ": (FX, "won")}
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


def currency(ticker: str) -> tuple[str | None, str] | None:
    """None for a price in dollars, else (the rate that converts it or None, its currency)."""
    if "." not in ticker:  # Yahoo writes US share classes with a dash (BRK-B)
        return None
    suffix = ticker[ticker.rindex(".") :]
    return FOREIGN.get(suffix, (None, f"the currency of the {suffix} exchange"))


@dataclass
class Panel:
    prices: pd.DataFrame  # NYSE calendar × ticker in USD, NaN after each ticker's last close
    raw: pd.DataFrame  # each ticker on its own calendar (event days), USD unless excluded
    changes: pd.DataFrame  # divergence.membership_changes of `prices` over the whole calendar
    missing: dict[str, str] = field(default_factory=dict)  # ticker -> why it has no prices
    excluded: dict[str, str] = field(default_factory=dict)  # ticker -> why it is not in USD


def panel(raw: dict[str, pd.Series], missing: dict[str, str], fx: dict[str, pd.Series]) -> Panel:
    """The tickers' closes (`raw`, each on its own calendar, the market included) in dollars on
    the NYSE calendar. A ticker in another currency is divided by its rate in `fx` (units per
    dollar by symbol, same day or at most 7 days older), else left out of `prices` and listed
    in `excluded`. `missing`: ticker -> why it has no prices."""
    if MARKET not in raw:
        why = missing.get(MARKET, "no prices")
        raise DataNotAvailable(f"the divergence page needs {MARKET} for its calendar: {why}")
    usd, local, excluded = {}, {}, {}
    for ticker, closes in raw.items():
        foreign = currency(ticker)
        if foreign is None:
            usd[ticker] = closes
            continue
        rate, name = foreign
        if rate not in fx:
            excluded[ticker] = (
                f"{rate} missing, prices are in {name}"
                if rate
                else f"prices are in {name}, which no rate here converts"
            )
            continue
        per_dollar = divergence.on_calendar(fx[rate].rename(rate).to_frame(), closes.index)[rate]
        usd[ticker] = (closes / per_dollar).dropna()
        local[ticker] = closes
    # The market's history reaches back to 1927; the calendar starts with the first asset.
    first = min((s.index[0] for t, s in usd.items() if t != MARKET and len(s)), default=None)
    calendar = pd.DatetimeIndex(raw[MARKET].loc[first:].index, name="date")
    prices = divergence.on_calendar_to_end(pd.DataFrame(usd), calendar)
    in_own = prices.copy()
    if local:  # where a rate, not the price, is what begins or ends
        converted = divergence.on_calendar_to_end(pd.DataFrame(local), calendar)
        in_own[converted.columns] = converted
    return Panel(
        prices=prices,
        raw=pd.DataFrame({t: usd.get(t, closes) for t, closes in raw.items()}),
        changes=divergence.membership_changes(prices, in_own),
        missing=dict(missing),
        excluded=excluded,
    )


def by_reason(excluded: dict[str, str]) -> dict[str, list[str]]:
    """reason -> the tickers it excludes, in the order given."""
    out: dict[str, list[str]] = {}
    for ticker, reason in excluded.items():
        out.setdefault(reason, []).append(ticker)
    return out


def excluded_notes(excluded: dict[str, str]) -> list[str]:
    """One sentence per reason naming the tickers it excludes, e.g. "000660.KS, 005930.KS
    excluded: KRW=X missing, prices are in won"."""
    return [f"{', '.join(t)} excluded: {reason}" for reason, t in by_reason(excluded).items()]


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
    # Window dates × (basket, member), True where the member's return counts that day.
    membership: pd.DataFrame
    # Closes in the window at which a member joins or leaves: date, basket, member, change,
    # reason (divergence.membership_changes).
    changes: pd.DataFrame
    excluded: dict[str, str]  # member -> why it is in neither basket (not in USD)
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
    excluded = {t: panel.excluded[t] for t in [*spec, *memory] if t in panel.excluded}
    spec = [t for t in spec if t in panel.prices]
    memory = [t for t in memory if t in panel.prices]
    if not spec or not memory:
        notes = "; ".join(excluded_notes(excluded))
        raise DataNotAvailable(
            "each basket needs at least one ticker with prices in US dollars"
            + (f" ({notes})" if notes else "")
        )
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
    returns = divergence.daily_returns(panel.prices)
    members = {SPEC_NAME: spec, MEMORY_NAME: memory}
    membership = pd.concat(
        {name: divergence.membership(returns, tickers) for name, tickers in members.items()},
        axis=1,
    ).loc[start:end]
    changes = pd.concat(
        [
            panel.changes[panel.changes["member"].isin(tickers)].assign(basket=name)
            for name, tickers in members.items()
        ],
        ignore_index=True,
    )
    # A leave at the window's last close changes no day inside it; a member priced at the
    # first close is in the basket from its first level in the window.
    inside = changes["date"].isin(membership.index[:-1]) & ~(
        (changes["change"] == divergence.JOINS) & (changes["date"] == membership.index[0])
    )
    changes = changes[inside].sort_values(["date", "basket", "member"])
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
        membership=membership,
        changes=changes[["date", "basket", "member", "change", "reason"]].reset_index(drop=True),
        excluded=excluded,
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
