"""Liquidations: crypto leverage unwinding, by time, side and venue, next to price, OI, funding."""

import datetime as dt

import pandas as pd
import streamlit as st

from components import cache, charts, figures, filters, page
from liquidity.analytics import liquidations
from liquidity.core import catalog, units

TODAY = dt.date.today()
DEFAULT_RANGE = (dt.date(2024, 11, 1), TODAY)
BUCKETS = {"4h": "4 hours", "1D": "1 day"}
MOVES = ("2", "3", "5", "8")
MULTIPLES = ("2", "3", "5")
VENUES = ("okx", "bybit", "binance")
COVERAGE_FEED = (
    "Collected from the venues' public feeds by `python -m liquidity collect`: Binance pushes at "
    "most one liquidation per symbol per second and Bybit batches every 500 ms, so feed totals are "
    "lower bounds; venues that refuse this machine (Binance and Bybit block US hosts) are absent."
)


def millions(frame_or_series):
    return units.convert(frame_or_series, "USD", "USD_M")


view = page.start(
    "Liquidations",
    path="liquidations",
    pin=(catalog.COINGLASS, catalog.PRICES),
    intro="When liquidity drains, crypto leverage unwinds: positions are force-closed in "
    "cascades. Realized liquidations only, never modelled heatmaps; every number says which "
    "venues it covers.",
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
        help="4h = CoinGlass's own buckets; 1D sums six",
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
    hi = pd.Timestamp(end, tz="UTC") + pd.Timedelta(days=1)
    history = cache.liquidation_history(symbol, bucket, version)
    events = cache.collected_events(symbol, tuple(venues), cache.events_version())
    ready = True

if not ready:
    view.finish()
    st.stop()

# -- headline tiles --------------------------------------------------------------------------
with view.guard():
    cols = st.columns(4)
    if not events.empty:
        totals = cache.window_totals(events)
        for col, window in zip(cols[:3], ("1h", "4h", "24h"), strict=True):
            row = totals.loc[window]
            col.metric(
                f"Feed, last {window}",
                units.amount(row["total_usd"], "USD", "USD_M"),
                border=True,
                help=f"{row['long_share'] * 100:.0f}% longs · venues: {', '.join(venues)}",
            )
        big = events.loc[events["notional_usd"].idxmax()]
        cols[3].metric(
            "Largest event",
            units.amount(big["notional_usd"], "USD", "USD_M", decimals=2),
            border=True,
            help=f"{big['side']} on {big['venue']} at {big['ts']:%Y-%m-%d %H:%M} UTC",
        )
    else:
        last = history.dropna().iloc[-1]
        day = history.loc[history.index[-1] - pd.Timedelta(hours=20) :].sum()
        cols[0].metric(
            f"Last {BUCKETS[bucket]} bucket",
            units.amount(last["total_usd"], "USD", "USD_M"),
            border=True,
            help=f"CoinGlass, all venues, bucket of {history.index[-1]:%Y-%m-%d %H:%M} UTC",
        )
        cols[1].metric(
            "Longs share of that bucket",
            f"{100 * last['long_usd'] / last['total_usd']:.0f} %",
            border=True,
        )
        cols[2].metric(
            "Last 24 h of the history", units.amount(day["total_usd"], "USD", "USD_M"), border=True
        )
        peak = history["total_usd"].idxmax()
        cols[3].metric(
            "Largest bucket",
            units.amount(history.loc[peak, "total_usd"], "USD", "USD_M", decimals=0),
            border=True,
            help=f"{peak:%Y-%m-%d %H:%M} UTC",
        )
        st.caption(
            f"No live feed collected yet: tiles use the CoinGlass history, which ends "
            f"{history.index[-1]:%Y-%m-%d %H:%M} UTC. Run `python -m liquidity collect` "
            "to build your own."
        )

# -- history ---------------------------------------------------------------------------------
with view.guard():
    st.subheader(f"{symbol} liquidations per {BUCKETS[bucket]}")
    window = history.loc[lo:hi]
    if window.empty:
        st.info(
            f"No CoinGlass history between {start} and {end}; it covers "
            f"{history.index[0]:%Y-%m-%d} to {history.index[-1]:%Y-%m-%d}. Widen the range."
        )
    else:
        price = cache.coin_price(symbol, version).loc[lo:hi]
        fig = figures.liquidations.build_liquidations_figure(millions(window), price)
        charts.add_events(fig, cache.events(start.isoformat(), end.isoformat()))
        charts.show_chart(
            fig,
            window.join(price, how="outer"),
            name=f"liquidations_{symbol}",
            alt=f"{symbol} long and short liquidations per bucket with price",
        )
        st.caption(
            "CoinGlass aggregated history (API v4 exports in the data pack): all venues it "
            "tracks, 4-hour UTC buckets; a gap between the two exported windows (2025-05-12 to "
            "05-18) is missing, not zero. Price: the daily close."
        )

# -- venues ------------------------------------------------------------------------------------
with view.guard():
    st.subheader("By venue")
    left, right = st.columns(2)
    with left:
        snapshot, captured = cache.exchange_snapshot(symbol, version)
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
        st.caption(
            f"CoinGlass exchange list captured {captured:%Y-%m-%d}; the window its "
            "totals cover was not recorded with it."
        )
    with right:
        if events.empty:
            st.info(
                "The live feed has no events yet: run `python -m liquidity collect "
                f"--symbols {symbol}` (see the README for running it as a service)."
            )
        else:
            shares = cache.venue_shares(events)
            st.dataframe(shares, width="stretch")
            st.caption(COVERAGE_FEED)

# -- open interest and funding -------------------------------------------------------------------
with view.guard():
    st.subheader("Open interest and funding")
    oi = cache.open_interest(symbol, version)
    funding = cache.funding(symbol, version)
    oi_window, funding_window = oi.loc[lo:hi], funding.loc[lo:hi]
    if oi_window.empty and funding_window.empty:
        st.info("No open interest or funding in the selected range.")
    else:
        share = cache.share_of_oi(symbol, bucket, version).loc[lo:hi]
        fig = figures.liquidations.build_oi_funding_figure(
            units.convert(oi_window, "USD", "USD_B"),
            funding_window,
            share if not share.empty else None,
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
        st.caption(
            "CoinGlass aggregated open interest (USD) and OI-weighted funding in percent "
            "per funding interval (mostly 8 hours), at each 4-hour close."
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
        oi = {k: v for k, v in series.items() if "open interest" in k}
        rates = {k: v for k, v in series.items() if "funding" in k}
        for parts, y_title, name in (
            (oi, f"open interest, {symbol}", "venue_oi"),
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
    episodes = cache.squeeze_episodes(symbol, move, multiple, version)
    episodes = episodes[(episodes["start"] >= lo) & (episodes["start"] < hi)]
    if episodes.empty:
        st.info(
            f"No day in the range moved more than {move:g}% while one side's liquidations "
            f"exceeded {multiple:g}× their trailing median."
        )
    else:
        st.dataframe(
            episodes,
            width="stretch",
            hide_index=True,
            column_config={
                "long_usd": st.column_config.NumberColumn("longs ($)", format="%,.0f"),
                "short_usd": st.column_config.NumberColumn("shorts ($)", format="%,.0f"),
                "price_move_pct": st.column_config.NumberColumn("price move (%)", format="%.1f"),
            },
        )
        charts.download(episodes, name=f"squeezes_{symbol}")
    st.caption(
        f"Daily buckets (the price is a daily close): a day is flagged when the price "
        f"moved more than {move:g}% and longs or shorts liquidated exceeded {multiple:g}× "
        "their median of the previous 42 days; consecutive days form one episode."
    )

# -- live feed -----------------------------------------------------------------------------------
with view.guard():
    st.subheader("Live feed")
    status = cache.collector_status(cache.events_version())
    if not status:
        st.info("The collector has not written anything on this machine yet.")
    else:
        st.caption(
            " · ".join(
                f"**{venue}**: {n:,} events, last {last:%Y-%m-%d %H:%M:%S} UTC"
                for venue, (n, last) in status.items()
            )
        )
    if status:
        newest = max(last for _, last in status.values())
        quiet = pd.Timestamp.now(tz="UTC") - newest
        state = (
            "appears to be running"
            if quiet < pd.Timedelta(minutes=10)
            else f"has written nothing for {quiet.days} d {quiet.seconds // 3600} h: is it running?"
        )
        st.caption(f"The collector {state}.")
    if not events.empty:
        left, right = st.columns(2)
        with left:
            st.markdown("**Latest events**")
            st.dataframe(
                events.sort_values("ts", ascending=False).head(50), width="stretch", hide_index=True
            )
        with right:
            st.markdown("**Largest events**")
            st.dataframe(cache.largest_events(events), width="stretch", hide_index=True)
        charts.download(events, name=f"feed_{symbol}")
        st.caption(COVERAGE_FEED)

view.finish()
