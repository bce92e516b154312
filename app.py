"""Overview: the landing page. Headline numbers for each link of the thesis, and the way in."""

import datetime as dt

import pandas as pd
import streamlit as st

from components import cache, charts, filters, page, tiles
from components.scorecard import basis_text, show_history, show_scorecard, show_verdict_strip
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


view = page.start("Overview", path="", intro=INTRO, pin=catalog.KINDS)
page.require_data(view)

with view.guard():
    start, end = filters.date_range(
        view, default=DEFAULT_RANGE, min_value=dt.date(2003, 1, 1), max_value=TODAY
    )
    version = cache.version()
    netliq = cache.net_liquidity(None, None, version)

    placebo = filters.toggle(
        view,
        key="placebo",
        label="Placebo 2017–2019 beside each claim",
        help="Replays every claim at the quarter-ends of 2017–2019, before the AI capex cycle. "
        "A claim supported at a quarter or more of them is flagged: its test finds the thesis "
        "where it cannot be true.",
    )
    latest = (netliq["net_liquidity_b"].dropna().index[-1] + H41_LAG).date()
    asof = filters.day(
        view,
        key="asof",
        label="Scorecard as of",
        default=latest,
        min_value=dt.date(2010, 1, 1),
        max_value=max(TODAY, latest),
        help="Judge each claim with only what was public on this date (capex from the filing "
        "that reported it, H.4.1 from the day after its Wednesday, FRED series from their "
        "vintages where stored). Default: the latest H.4.1.",
    )
    table, trends = cache.scorecard(asof.isoformat(), version)
    month_ago = asof - pd.DateOffset(months=1)
    before = cache.scorecard(f"{month_ago:%Y-%m-%d}", version)[0]
    st.subheader(f"Thesis scorecard, as of {asof:%Y-%m-%d}")
    basis = cache.replay_basis(asof.isoformat(), version)
    st.caption(page.escape_dollars(f"Replay basis: {basis_text(basis)}"))
    show_verdict_strip(table, before, month_ago, cache.newest_macro(version), TODAY)
    st.caption(
        "Each claim has a rule fixed in advance (hover the ? icon to read it); green = supported, "
        "red = not supported, grey = inconclusive because data were missing, stale, too short or "
        "the interval includes no effect; the card says which. Pick another date in the sidebar "
        "to replay the thesis as it stood then."
    )
    show_scorecard(table, trends, cache.scorecard_placebo(version) if placebo else None, basis)
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
        tiles.net_liquidity(netliq["net_liquidity_b"])
    with cols[1]:
        tiles.rate(
            cache.series("DGS10", "2015-01-01", None, version),
            "10y Treasury",
            source="FRED DGS10",
            help="Nominal 10-year Treasury yield, percent; change in basis points over 4 weeks. "
            "Rising = dearer money.",
        )
    with cols[2]:
        tiles.rate(
            cache.series("BAMLH0A0HYM2", "2015-01-01", None, version),
            "HY spread",
            source="FRED BAMLH0A0HYM2",
            help="ICE BofA US high-yield option-adjusted spread, percent; change in basis points "
            "over 4 weeks. Rising = tighter credit.",
        )
    for col, ticker, label in ((cols[3], "BTC-USD", "Bitcoin"), (cols[4], "MU", "Micron")):
        with col:
            tiles.price(cache.prices((ticker,), None, None, version)[ticker], ticker, label)

    st.caption("The supply channel: who absorbs new duration, and what it takes from reserves")
    cols = st.columns(2)
    with cols[0]:
        drain = cache.drain_calendar(TODAY.isoformat(), 4, version)
        tiles.supply_amount(
            "Net Treasury cash raised, next 4 weeks",
            drain.net_4w,
            f"from {TODAY:%Y-%m-%d}: {drain.net_4w_coverage}",
            help="Announced auction settlements minus maturities in the next four weeks, "
            "$ billions: positive = the Treasury takes cash in, reserves drain. The Liquidity "
            "page's drain calendar lists every event.",
        )
    with cols[1]:
        quarter, debt_b, debt_caption = cache.ai_debt_last_quarter(version)
        tiles.supply_amount(
            f"AI debt raised, {quarter}" if quarter else "AI debt raised, last quarter",
            debt_b,
            debt_caption,
            help="Hyperscaler debt issued in the latest calendar quarter: XBRL's debt issued "
            "summed over the companies that report it (the capex page's Debt raised section has "
            "the filings beside it).",
        )

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
