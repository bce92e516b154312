"""Liquidations: crypto leverage unwinding, by time, side and venue, next to price, OI, funding.

Every chart, tile and table states its coverage right under its heading: which coin, which
source and venues, which span, and "lower bound" where the source sees only part of the market.
"""

import datetime as dt

import pandas as pd
import streamlit as st

from components import cache, charts, figures, filters, page
from liquidity.analytics import liquidations
from liquidity.core import catalog, units
from liquidity.core.errors import DataNotAvailable

TODAY = dt.date.today()
DEFAULT_RANGE = (dt.date(2024, 11, 1), TODAY)
BUCKETS = {"4h": "4 hours", "1D": "day"}
BUCKET_WORDS = {"4h": "4-hour", "1D": "daily"}
MOVES = ("2", "3", "5", "8")
MULTIPLES = ("2", "3", "5")
VENUES = ("okx", "bybit", "binance")
FOUR_HOURS = pd.Timedelta(liquidations.HISTORY_BUCKET)
DAY = pd.Timedelta(days=1)
TRAILING_DAYS = 42  # api.load_squeezes' trailing window
# Older than this, a "last 4 hours" tile is no longer about the hours before now.
OLD = pd.Timedelta(days=1)
FEED_LIMITS = (
    "Binance pushes at most one liquidation per symbol per second and Bybit batches every "
    "500 ms; venues that refuse this machine (Binance and Bybit block US hosts) are absent"
)


def millions(frame_or_series):
    return units.convert(frame_or_series, "USD", "USD_M")


def when(ts: pd.Timestamp, daily: bool = False) -> str:
    return f"{ts:%Y-%m-%d}" if daily else f"{ts:%Y-%m-%d %H:%M}"


def spans_text(spans: pd.DataFrame, daily: bool = False) -> str:
    """What a history covers, its holes left out: "A to B and C to D UTC" (for days: the
    first and the last day, both included)."""
    if spans.empty:
        return "none"
    parts = [
        f"{when(s, daily)} to {when(e - DAY if daily else e, daily)}"
        for s, e in zip(spans["start"], spans["end"], strict=True)
    ]
    return " and ".join(parts) + (" (whole UTC days)" if daily else " UTC")


def show_coverage(text: str) -> None:
    st.markdown(":violet-badge[:material/fact_check: Coverage] " + page.escape_dollars(text))


def coinglass_exchanges(symbol: str, version: str) -> str:
    """The exchanges CoinGlass aggregates, as its exchange list in the data names them."""
    try:
        snapshot, captured = cache.exchange_snapshot(symbol, version)
    except DataNotAvailable:
        return "the exchanges it tracks; no exchange list in the data names them"
    return f"exchanges in its {captured:%Y-%m-%d} list: {', '.join(snapshot.index)}"


def feed_coverage(symbol: str, events: pd.DataFrame, chosen) -> str:
    answered = sorted(events["venue"].unique())
    silent = [v for v in chosen if v not in answered]
    missing = f" (no events from {', '.join(silent)})" if silent else ""
    first, last = events["ts"].min(), events["ts"].max()
    return (
        f"{symbol}, live feed of the venues with events: {', '.join(answered)}{missing}, "
        f"**lower bound** ({FEED_LIMITS}), {when(first)} to {when(last)} UTC."
    )


def age_text(age: pd.Timedelta) -> str:
    return (
        f"{age.days} days"
        if age >= pd.Timedelta(days=2)
        else f"{age.total_seconds() / 3600:.0f} hours"
    )


view = page.start(
    "Liquidations",
    path="liquidations",
    pin=(catalog.COINGLASS, catalog.PRICES),
    intro="When liquidity drains, crypto leverage unwinds: positions are force-closed in "
    "cascades. Realized liquidations only, never modelled heatmaps. Each source sees only part "
    "of the market, so every total is a lower bound, and every chart says what it covers.",
)
page.require_data(view)
ready = False

with view.guard():
    symbol = filters.choice(
        view, key="symbol", label="Coin", options=liquidations.SYMBOLS, default="BTC"
    )
    bucket = filters.choice(
        view,
        key="bucket",
        label="Bucket",
        options=list(BUCKETS),
        default="4h",
        help="4h = CoinGlass's own buckets; 1D sums six (a day missing any of them is missing)",
    )
    start, end = filters.date_range(
        view, default=DEFAULT_RANGE, min_value=dt.date(2019, 1, 1), max_value=TODAY
    )
    venues = filters.choices(
        view,
        key="venues",
        label="Feed venues",
        options=VENUES,
        default=VENUES,
        help="Venues of the collected live feed",
    )
    move = float(
        filters.choice(
            view, key="move", label="Squeeze: price move over %", options=MOVES, default="3"
        )
    )
    multiple = float(
        filters.choice(
            view,
            key="multiple",
            label="Squeeze: one side above × trailing median",
            options=MULTIPLES,
            default="3",
        )
    )
    version = cache.version()
    lo = pd.Timestamp(start, tz="UTC")
    hi = pd.Timestamp(end, tz="UTC") + DAY
    daily = bucket == "1D"
    history = cache.liquidation_history(symbol, bucket, version)
    history_4h = cache.liquidation_history(symbol, liquidations.HISTORY_BUCKET, version)
    history_4h = history_4h.dropna(subset=["total_usd"])
    source = (
        f"{symbol}, CoinGlass aggregated history ({coinglass_exchanges(symbol, version)}), "
        "**lower bound** of all liquidations"
    )
    events = cache.collected_events(symbol, tuple(venues), cache.events_version())
    ready = True

if not ready:
    view.finish()
    st.stop()

now = pd.Timestamp.now(tz="UTC")

# -- headline tiles --------------------------------------------------------------------------
with view.guard():
    if not events.empty:
        newest = events["ts"].max()
        old = now - newest > OLD
        totals = cache.window_totals(events, newest if old else None)
        if old:
            st.warning(
                f"The live feed's newest event is {when(newest)} UTC, {age_text(now - newest)} "
                "ago: the tiles show the hours up to it, not the hours before now. Is the "
                "collector running?",
                icon=":material/history:",
            )
        cols = st.columns(4)
        for col, window in zip(cols[:3], ("1h", "4h", "24h"), strict=True):
            row = totals.loc[window]
            longs = (
                f"{row['long_share'] * 100:.0f} % longs"
                if pd.notna(row["long_share"])
                else "no events"
            )
            col.metric(
                # The tile is a quarter of the page: the label carries the date, the coverage
                # line under the tiles says it is the feed.
                f"{window.removesuffix('h')} h to {when(newest)} UTC"
                if old
                else f"Feed, last {window}",
                units.amount(row["total_usd"], "USD", "USD_M"),
                border=True,
                help=f"{longs} · venues with events: {', '.join(sorted(events['venue'].unique()))}",
            )
        big = events.loc[events["notional_usd"].idxmax()]
        cols[3].metric(
            "Largest event",
            units.amount(big["notional_usd"], "USD", "USD_M", decimals=2),
            border=True,
            help=f"{big['side']} on {big['venue']} at {big['ts']:%Y-%m-%d %H:%M} UTC",
        )
        show_coverage(feed_coverage(symbol, events, venues))
    elif history_4h.empty:
        st.info(f"The CoinGlass history has no {symbol} buckets.")
    else:
        last_start = history_4h.index[-1]
        last_end = last_start + FOUR_HOURS
        last = history_4h.iloc[-1]
        day = history_4h.loc[last_end - DAY :]
        whole_day = len(day) == DAY // FOUR_HOURS
        if now - last_end > OLD:
            st.warning(
                f"No live feed, and the CoinGlass history ends {when(last_end)} UTC, "
                f"{age_text(now - last_end)} ago: these tiles show its last hours, not the hours "
                "before now. Run `python -m liquidity collect` for a live feed.",
                icon=":material/history:",
            )
        cols = st.columns(4)
        cols[0].metric(
            f"4 h to {when(last_end)} UTC",
            units.amount(last["total_usd"], "USD", "USD_M"),
            border=True,
            help=f"{symbol}, CoinGlass bucket {when(last_start)} to {when(last_end)} UTC",
        )
        cols[1].metric(
            "Longs' share of those 4 h",
            f"{100 * last['long_usd'] / last['total_usd']:.0f} %"
            if last["total_usd"] > 0
            else "n/a",
            border=True,
        )
        cols[2].metric(
            f"24 h to {when(last_end)} UTC",
            units.amount(day["total_usd"].sum(), "USD", "USD_M") if whole_day else "n/a",
            border=True,
            help=None
            if whole_day
            else f"only {len(day)} of the day's six 4-hour buckets are in the data",
        )
        peak = history_4h["total_usd"].idxmax()
        cols[3].metric(
            f"Largest 4 h, {peak:%Y-%m-%d}",
            units.amount(history_4h.loc[peak, "total_usd"], "USD", "USD_M", decimals=0),
            border=True,
            help=f"bucket {when(peak)} to {when(peak + FOUR_HOURS)} UTC",
        )
        spans = liquidations.covered_spans(history_4h.index, FOUR_HOURS)
        show_coverage(f"{source}; history {spans_text(spans)}.")

# -- history ---------------------------------------------------------------------------------
with view.guard():
    st.subheader(f"{symbol} liquidations per {BUCKETS[bucket]}")
    window = history.loc[lo:hi]
    if window.empty:
        spans = liquidations.covered_spans(history.index, bucket)
        unit = "complete day (all six 4-hour buckets)" if daily else "bucket"
        st.info(
            f"No {unit} of the {symbol} CoinGlass history between {start} and {end}; "
            + (
                f"it covers {spans_text(spans, daily)}. Widen the range."
                if not spans.empty
                else "it has none at all. Try 4-hour buckets."
            )
        )
    else:
        spans = liquidations.covered_spans(window.index, bucket)
        missing = liquidations.uncovered(spans, lo, hi)
        # `hi` is exclusive: the last week is the one holding the instant before it.
        weeks = liquidations.weekly_totals(
            history_4h["total_usd"], FOUR_HOURS, start=lo, end=min(hi, now) - pd.Timedelta(1)
        )
        show_coverage(
            f"{source}; {BUCKET_WORDS[bucket]} UTC buckets"
            + (" (a day counts only with all six 4-hour buckets)" if daily else "")
            + f", in this range {spans_text(spans, daily)}. Grey: no data, missing, not zero. "
            f"Whole weeks (Wednesday to Wednesday, all 42 buckets): {int(weeks['covered'].sum())} "
            f"of {len(weeks)} in the range; the scorecard's leverage-flush claim counts only such "
            "weeks."
        )
        price = cache.coin_price(symbol, version).loc[lo:hi]
        fig = figures.liquidations.build_liquidations_figure(millions(window), price, missing)
        charts.add_events(fig, cache.events(start.isoformat(), end.isoformat()))
        charts.show_chart(
            fig,
            window.join(price, how="outer"),
            name=f"liquidations_{symbol}",
            alt=f"{symbol} long and short liquidations per bucket with price",
        )
        st.caption(
            "CoinGlass aggregated history (API v4 exports in the data pack), longs liquidated "
            "below zero, shorts above. Price: the daily close (Yahoo), at the end of its UTC day."
        )

# -- venues ------------------------------------------------------------------------------------
with view.guard():
    st.subheader("By venue")
    left, right = st.columns(2)
    with left:
        snapshot, captured = cache.exchange_snapshot(symbol, version)
        show_coverage(
            f"{symbol}, CoinGlass exchange list captured {captured:%Y-%m-%d}, "
            f"{len(snapshot)} exchanges, **lower bound** (the venues CoinGlass tracks). The "
            "window these totals cover was not recorded with them: compare the venues with "
            "each other, not with the history."
        )
        venues_m = millions(
            snapshot.rename(
                columns={
                    "liquidation_usd": "total_usd",
                    "longLiquidation_usd": "long_usd",
                    "shortLiquidation_usd": "short_usd",
                }
            )
        )
        charts.show_chart(
            figures.liquidations.build_venue_figure(venues_m),
            venues_m,
            name=f"venues_{symbol}",
            alt="Liquidations by venue",
        )
    with right:
        if events.empty:
            st.info(
                "The live feed has no events yet: run `python -m liquidity collect "
                f"--symbols {symbol}` (see the README for running it as a service)."
            )
        else:
            show_coverage(feed_coverage(symbol, events, venues))
            shares = cache.venue_shares(events)
            st.dataframe(
                shares.assign(total_usd=millions(shares["total_usd"])),
                width="stretch",
                column_config={
                    "total_usd": st.column_config.NumberColumn("total ($M)", format="%,.2f"),
                    "share_pct": st.column_config.NumberColumn("share (%)", format="%.1f"),
                },
            )

# -- open interest and funding -------------------------------------------------------------------
with view.guard():
    st.subheader("Open interest and funding")
    oi = cache.open_interest(symbol, version)
    funding = cache.funding(symbol, version)
    oi_window, funding_window = oi.loc[lo:hi], funding.loc[lo:hi]
    if oi_window.empty and funding_window.empty:
        st.info("No open interest or funding in the selected range.")
    else:
        share = cache.share_of_oi(symbol, bucket, version).loc[lo:hi].dropna()
        # Each value is a bar's close, stamped at the bar's end: the bars start 4 h before.
        oi_spans = liquidations.covered_spans(oi_window.dropna().index - FOUR_HOURS, FOUR_HOURS)
        funding_spans = liquidations.covered_spans(
            funding_window.dropna().index - FOUR_HOURS, FOUR_HOURS
        )
        plotted = pd.concat([oi_window, funding_window]).index
        show_coverage(
            f"{symbol}, CoinGlass aggregated open interest (USD) and OI-weighted funding "
            "(percent per funding interval, mostly 8 hours) over the exchanges it tracks, each "
            f"the close of a 4-hour bar. In this range open interest bars "
            f"{spans_text(oi_spans)}; funding bars {spans_text(funding_spans)}. Liquidations ÷ "
            "open interest: a bucket's liquidations (a **lower bound**) over the open interest "
            "at its start (the last close at most one bucket earlier); a bucket without one is "
            "left out, not zero."
        )
        fig = figures.liquidations.build_oi_funding_figure(
            units.convert(oi_window, "USD", "USD_B"),
            funding_window,
            share if not share.empty else None,
            liquidations.uncovered(oi_spans, plotted.min(), plotted.max()),
        )
        data = pd.concat(
            [oi_window, funding_window, share.rename("liquidations_pct_of_oi")], axis=1, sort=True
        )
        charts.show_chart(
            fig,
            data,
            name=f"oi_funding_{symbol}",
            alt="Open interest, funding and liquidations as a share of OI",
        )

# -- venues, live ----------------------------------------------------------------------------------
with view.guard():
    st.subheader("Open interest and funding by venue (live)")
    st.caption(
        "Binance keeps 30 days of open interest, Bybit pages back further; both refuse US "
        "hosts. Fetched only when you ask, through the HTTP cache (kept an hour)."
    )
    if st.button(
        "Fetch from Binance and Bybit", icon=":material/cloud_download:", key="fetch_venue_oi"
    ):
        series, problems = cache.venue_open_interest(symbol)
        for name, problem in problems.items():
            st.info(f"{name}: {problem}", icon=":material/cloud_off:")
        if series:
            show_coverage(
                "; ".join(
                    f"{name}: {when(s.index.min())} to {when(s.index.max())} UTC"
                    for name, s in series.items()
                    if not s.empty
                )
                + (f"; no answer: {', '.join(problems)}" if problems else "")
                + ". Each venue's own figures, not the market's."
            )
        oi_parts = {k: v for k, v in series.items() if "open interest" in k}
        rates = {k: v for k, v in series.items() if "funding" in k}
        for parts, y_title, name in (
            (oi_parts, f"open interest, {symbol}", "venue_oi"),
            (rates, "percent per 8 hours", "venue_funding"),
        ):
            if parts:
                frame = pd.DataFrame(parts).sort_index()
                charts.show_chart(
                    charts.time_series_figure(frame, y_title),
                    frame,
                    name=f"{name}_{symbol}",
                    alt=f"{symbol} {y_title} by venue",
                )

# -- squeezes ------------------------------------------------------------------------------------
with view.guard():
    st.subheader("Squeeze episodes")
    days = cache.liquidation_history(symbol, "1D", version)
    show_coverage(
        f"{source}; daily sums, only days with all six 4-hour buckets: "
        f"{spans_text(liquidations.covered_spans(days.index, DAY), daily=True)}. A day is judged "
        f"only after {TRAILING_DAYS} complete days before it."
    )
    episodes = cache.squeeze_episodes(symbol, move, multiple, version)
    episodes = episodes[(episodes["start"] >= lo) & (episodes["start"] < hi)]
    if episodes.empty:
        st.info(
            f"No day in the range moved more than {move:g}% while one side's liquidations "
            f"exceeded {multiple:g}× their trailing median."
        )
    else:
        shown = episodes.assign(
            start=episodes["start"].dt.strftime("%Y-%m-%d"),
            end=(episodes["end"] - DAY).dt.strftime("%Y-%m-%d"),
            long_usd=millions(episodes["long_usd"]),
            short_usd=millions(episodes["short_usd"]),
        )
        st.dataframe(
            shown,
            width="stretch",
            hide_index=True,
            column_config={
                "start": st.column_config.TextColumn("first day (UTC)"),
                "end": st.column_config.TextColumn("last day (UTC)"),
                "long_usd": st.column_config.NumberColumn("longs ($M)", format="%,.1f"),
                "short_usd": st.column_config.NumberColumn("shorts ($M)", format="%,.1f"),
                "price_move_pct": st.column_config.NumberColumn("price move (%)", format="%.1f"),
            },
        )
        charts.download(episodes, name=f"squeezes_{symbol}")
    st.caption(
        f"A day is flagged when the price (a daily close) moved more than {move:g}% and longs "
        f"or shorts liquidated exceeded {multiple:g}× their median of the previous "
        f"{TRAILING_DAYS} days; consecutive days form one episode."
    )

# -- live feed -----------------------------------------------------------------------------------
with view.guard():
    st.subheader("Live feed")
    status = cache.collector_status(cache.events_version())
    if not events.empty:
        show_coverage(feed_coverage(symbol, events, venues))
    if not status:
        st.info("The collector has not written anything on this machine yet.")
    else:
        st.caption(
            " · ".join(
                f"**{venue}**: {n:,} events, last {last:%Y-%m-%d %H:%M:%S} UTC"
                for venue, (n, last) in status.items()
            )
        )
        newest = max(last for _, last in status.values())
        quiet = now - newest
        state = (
            "appears to be running."
            if quiet < pd.Timedelta(minutes=10)
            else f"has written nothing for {quiet.days} d {quiet.seconds // 3600} h: is it running?"
        )
        st.caption(f"The collector {state}")
    if not events.empty:
        left, right = st.columns(2)
        with left:
            st.markdown("**Latest events** (notional in US dollars)")
            st.dataframe(
                events.sort_values("ts", ascending=False).head(50), width="stretch", hide_index=True
            )
        with right:
            st.markdown("**Largest events** (notional in US dollars)")
            st.dataframe(cache.largest_events(events), width="stretch", hide_index=True)
        charts.download(events, name=f"feed_{symbol}")

view.finish()
