"""Overview: the landing page. Headline numbers for each link of the thesis, and the way in."""

import datetime as dt

import pandas as pd
import streamlit as st

from components import cache, charts, filters, page
from components.scorecard import show_history, show_scorecard
from liquidity.analytics.changes import change_over
from liquidity.core import catalog
from liquidity.core.calendar import H41_LAG

INTRO = (
    "Is AI capital expenditure draining market liquidity, a quiet reverse QE? Hyperscalers fund "
    "record capex with cash, debt and asset sales; once idle money is used up, every dollar for AI "
    "is pulled from elsewhere. This dashboard checks each link of that chain with real data."
)
TODAY = dt.date.today()
DEFAULT_RANGE = (dt.date(2020, 1, 1), TODAY)
NETLIQ_LABELS = {
    "walcl_b": "Fed assets (WALCL)",
    "tga_b": "Treasury account (WDTGAL)",
    "rrp_b": "Reverse repo (RRPONTSYD)",
    "net_liquidity_b": "Net liquidity",
}


def money(value: float) -> str:
    # A five-digit price with cents does not fit a fifth of the page width.
    return f"${value / 1000:,.1f}k" if value >= 10_000 else f"${value:,.2f}"


def netliq_tile(netliq: pd.DataFrame) -> None:
    net = netliq["net_liquidity_b"].dropna()
    change = change_over(net, 28, max_gap_days=0)  # the Wednesday exactly 4 weeks earlier
    st.metric(
        "Fed net liquidity",
        f"${net.iloc[-1] / 1000:,.2f} T",
        f"{change.absolute:+,.0f} $B in 4 wk" if change else None,
        help="WALCL − WDTGAL − RRPONTSYD on the latest Wednesday, in $ trillions; the Fed "
        "publishes it the next day (H.4.1). Change vs the Wednesday 4 weeks earlier, $ billions.",
        border=True,
        chart_data=net.iloc[-26:].round(1).tolist(),
    )
    st.caption(f"as of Wed {net.index[-1]:%Y-%m-%d}")


def rate_tile(series: pd.Series, series_id: str, label: str, help_text: str) -> None:
    change = change_over(series, 28)
    st.metric(
        label,
        f"{series.iloc[-1]:.2f} %",
        f"{change.absolute * 100:+.0f} bp in 4 wk" if change else None,
        delta_color="inverse",  # a rising rate or spread is tighter money
        help=help_text,
        border=True,
        chart_data=series.iloc[-130:].tolist(),
    )
    st.caption(f"as of {series.index[-1]:%Y-%m-%d} · FRED {series_id}")


def price_tile(prices: pd.Series, ticker: str, label: str) -> None:
    change = change_over(prices, 28)
    st.metric(
        label,
        money(prices.iloc[-1]),
        f"{change.percent:+.1f} % in 4 wk" if change else None,
        help=f"{ticker} adjusted close, US dollars ({prices.iloc[-1]:,.2f}); change over 4 weeks.",
        border=True,
        chart_data=prices.iloc[-130:].round(2).tolist(),
    )
    st.caption(f"as of {prices.index[-1]:%Y-%m-%d} · {ticker}")


view = page.start("Overview", path="", intro=INTRO, pin=catalog.KINDS)
page.require_data(view)

with view.guard():
    start, end = filters.date_range(
        view, default=DEFAULT_RANGE, min_value=dt.date(2003, 1, 1), max_value=TODAY
    )
    version = cache.version()
    netliq = cache.net_liquidity(None, None, version)

    latest = (netliq["net_liquidity_b"].dropna().index[-1] + H41_LAG).date()
    asof = filters.day(
        view,
        key="asof",
        label="Scorecard as of",
        default=latest,
        min_value=dt.date(2010, 1, 1),
        max_value=max(TODAY, latest),
        help="Judge each claim with only what was public on this date (capex from quarter end "
        "+ 45 days, H.4.1 from the day after its Wednesday). Default: the latest H.4.1.",
    )
    st.subheader(f"Thesis scorecard, as of {asof:%Y-%m-%d}")
    st.caption(
        "Each claim has a rule fixed in advance (hover the ? icon to read it); green = supported, "
        "red = not supported, grey = inconclusive because data were missing, stale or too short "
        "at that date. Pick another date in the sidebar to replay the thesis as it stood then."
    )
    show_scorecard(*cache.scorecard(asof.isoformat(), version))
    history = st.expander(
        "How the verdicts evolved, and where they stood at each event",
        key="scorecard_history",
        on_change="rerun",
    )
    # Replaying the scorecard at ~35 dates costs about a second; only when someone asks.
    if history.open:
        with history:
            events = cache.events(None, asof.isoformat())
            dates = tuple(f"{d:%Y-%m-%d}" for d in events["date"])
            show_history(cache.scorecard_history(asof.isoformat(), dates, version), events)

    st.subheader("Headline numbers")
    cols = st.columns(5)
    with cols[0]:
        netliq_tile(netliq)
    with cols[1]:
        rate_tile(
            cache.series("DGS10", "2015-01-01", None, version),
            "DGS10",
            "10y Treasury",
            "Nominal 10-year Treasury yield, percent; change in basis points over 4 weeks. "
            "Rising = dearer money.",
        )
    with cols[2]:
        rate_tile(
            cache.series("BAMLH0A0HYM2", "2015-01-01", None, version),
            "BAMLH0A0HYM2",
            "HY spread",
            "ICE BofA US high-yield option-adjusted spread, percent; change in basis points "
            "over 4 weeks. Rising = tighter credit.",
        )
    for col, ticker, label in ((cols[3], "BTC-USD", "Bitcoin"), (cols[4], "MU", "Micron")):
        with col:
            price_tile(cache.prices((ticker,), None, None, version)[ticker].dropna(), ticker, label)

    st.subheader("Fed net liquidity and its parts")
    window = netliq.loc[pd.Timestamp(start) : pd.Timestamp(end)]
    if window.empty:
        st.info("No Wednesday observations in the selected date range; widen it in the sidebar.")
    else:
        fig = charts.time_series_figure(
            window, "$ billions", hoverformat=",.0f", tickformat=",.0f", labels=NETLIQ_LABELS
        )
        charts.add_events(fig, cache.events(start.isoformat(), end.isoformat()))
        charts.show_chart(
            fig,
            window,
            name="net_liquidity",
            alt="Fed net liquidity with Fed assets, the Treasury account and reverse repo, "
            "weekly, in $ billions.",
        )
        st.caption(
            page.escape_dollars(
                "Weekly, Wednesday levels, $ billions. WALCL and WDTGAL (FRED, native $ millions) "
                "need an exact Wednesday observation; RRPONTSYD (native $ billions) is the last "
                "daily value on or before each Wednesday, at most 7 days old. Nothing is "
                "interpolated. Triangles mark curated events (hover to read them)."
            )
        )

    st.subheader("Explore")
    for script, label, icon in page.PAGES[1:]:
        st.page_link(script, label=label, icon=icon)

view.finish()
