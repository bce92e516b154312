"""Headline tiles: one number, its 4-week change and the date it stands at.

The Overview and the Liquidity page show the same kinds of tile; both draw them here so a rate
reads "4.60 %" and its change "+5 bp" everywhere, and a series with no data says "n/a".
"""

import pandas as pd
import streamlit as st

from components.page import escape_dollars
from liquidity.analytics.changes import change_over
from liquidity.core import units
from liquidity.core.calendar import H41_LAG

# About six months of daily prints, or of weekly ones for the net-liquidity sparkline.
DAILY_SPARK = 130
WEEKLY_SPARK = 26


def price_text(value: float) -> str:
    # A five-digit price with cents does not fit a fifth of the page width.
    return f"${value / 1000:,.1f}k" if value >= 10_000 else f"${value:,.2f}"


def rate_text(value: float, unit: str) -> str:
    return f"{value:.0f} bp" if unit == "BPS" else f"{value:.2f} %"


def rate(
    series: pd.Series, label: str, unit: str = "PCT", source: str = "", help: str | None = None
) -> None:
    """A rate or spread in `unit` (PCT or BPS); its 4-week change always in basis points."""
    series = series.dropna()
    if series.empty:
        st.metric(label, "n/a", border=True, help=help)
        st.caption("no observations in the data")
        return
    change = change_over(series, 28)
    st.metric(
        label,
        rate_text(series.iloc[-1], unit),
        f"{units.convert(change.absolute, unit, 'BPS'):+.0f} bp in 4 wk" if change else None,
        delta_color="inverse",  # a rising rate or spread is tighter money
        help=help,
        border=True,
        chart_data=series.iloc[-DAILY_SPARK:].tolist(),
    )
    st.caption(" · ".join(filter(None, (f"as of {series.index[-1]:%Y-%m-%d}", source))))


def price(prices: pd.Series, ticker: str, label: str) -> None:
    """An adjusted close in US dollars and its 4-week change in percent."""
    prices = prices.dropna()
    if prices.empty:
        st.metric(label, "n/a", border=True)
        st.caption(f"no {ticker} prices in the data")
        return
    change = change_over(prices, 28)
    st.metric(
        label,
        price_text(prices.iloc[-1]),
        f"{change.percent:+.1f} % in 4 wk" if change else None,
        help=f"{ticker} adjusted close, US dollars ({prices.iloc[-1]:,.2f}); change over 4 weeks.",
        border=True,
        chart_data=prices.iloc[-DAILY_SPARK:].round(2).tolist(),
    )
    st.caption(f"as of {prices.index[-1]:%Y-%m-%d} · {ticker}")


def net_liquidity(net: pd.Series) -> None:
    """The Overview's tile: latest Wednesday in $ trillions, change vs 4 weeks earlier in $B."""
    net = net.dropna()
    change = change_over(net, 28, max_gap_days=0)  # the Wednesday exactly 4 weeks earlier
    st.metric(
        "Fed net liquidity",
        f"${units.convert(net.iloc[-1], 'USD_B', 'USD_T'):,.2f} T",
        f"{change.absolute:+,.0f} $B in 4 wk" if change else None,
        help="WALCL − WDTGAL − RRPONTSYD on the latest Wednesday, in $ trillions; the Fed "
        "publishes it the next day (H.4.1). Change vs the Wednesday 4 weeks earlier, $ billions.",
        border=True,
        chart_data=net.iloc[-WEEKLY_SPARK:].round(1).tolist(),
    )
    st.caption(f"as of Wed {net.index[-1]:%Y-%m-%d}")


def net_liquidity_detail(net: pd.Series, unit: str, label: str, help: str, weekly: bool) -> None:
    """The Liquidity page's tile: the level in `unit`, its 1/4/13-week changes, and both dates
    (observed, and known = the day H.4.1 made it public for weekly variants)."""
    net = net.dropna()
    decimals = 2 if unit == "USD_T" else 0
    changes = [(w, change_over(net, 7 * w, max_gap_days=3)) for w in (1, 4, 13)]
    text = " · ".join(
        f"{w}W {units.convert(c.absolute, 'USD_B', unit):+,.{decimals}f}" for w, c in changes if c
    )
    level = units.convert(net.iloc[-1], "USD_B", unit)
    st.metric(
        label,
        f"{level:,.{decimals + 1 if unit == 'USD_T' else 0}f} {units.SHORT_LABELS[unit]}",
        border=True,
        help=help,
    )
    known = net.index[-1] + (H41_LAG if weekly else pd.Timedelta(0))
    st.caption(
        escape_dollars(
            f"{text} ({units.SHORT_LABELS[unit]})  \nobserved {net.index[-1]:%a %Y-%m-%d}, "
            f"known {known:%a %Y-%m-%d}"
        )
    )


def supply_amount(label: str, value_b: float | None, caption: str, help: str) -> None:
    """An amount of the supply channel in $ billions, "n/a" when the data do not give it (the
    caption then says why, never a zero)."""
    shown = (
        "n/a" if value_b is None or pd.isna(value_b) else units.amount(value_b, "USD_B", "USD_B")
    )
    st.metric(label, shown, border=True, help=help)
    st.caption(escape_dollars(caption))
