"""The only place with `st.cache_*`: thin cached wrappers around the `liquidity` package.

Arguments are small hashable keys (ids, ISO dates, a data-version token), never frames, so cache
hits are exact (STREAMLIT.md §5.3). The version token changes when the store or the data pack
changes, so a refresh shows up at once without clearing anything by hand.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

import liquidity
from liquidity import api
from liquidity.analytics.divergence import event_returns
from liquidity.analytics.funding import capex_view as build_capex_view
from liquidity.analytics.liquidations import largest as largest_liquidations
from liquidity.analytics.liquidations import venue_shares as liquidation_shares
from liquidity.analytics.liquidations import window_totals as liquidation_windows
from liquidity.api import (
    analyse,
    load_companies,
    load_drain_gauge,
    load_ledger,
    load_panel,
    load_price_of_money,
    load_scorecard_history,
    load_scorecard_trends,
)
from liquidity.core import settings
from liquidity.data import snapshots
from liquidity.data.events import load_events
from liquidity.data.provenance import DatasetStatus, Library
from liquidity.data.snapshots import Snapshot
from liquidity.ingest.filers import fetch_filer as fetch_filer_facts
from liquidity.ingest.prices import fetch_prices as fetch_symbol_prices

TTL = "1h"
SNAPSHOT_PARAM = "snap"
_PINNED = "|pinned:"


def secret(name: str) -> str | None:
    """A secret from `st.secrets` (Community Cloud, secrets.toml), else the environment."""
    try:
        if name in st.secrets:
            return str(st.secrets[name]).strip() or None
    except FileNotFoundError:  # no secrets.toml anywhere: fine, fall back to the environment
        pass
    return settings.secret(name)


def environ_with_secrets() -> dict[str, str]:
    """The environment plus the project's secrets, for code that reads settings from a mapping."""
    env = dict(os.environ)
    for name in ("FRED_API_KEY", "SEC_USER_AGENT", "COINGLASS_API_KEY"):
        value = secret(name)
        if value:
            env[name] = value
    return env


def library(version: str | None = None) -> Library:
    """The library a view reads: the pinned snapshot's when `version` names one, else the
    process-wide library for the current LIQUIDITY_HOME / LIQUIDITY_DATA_PACK.

    `default_library` keeps one instance per setting, so its parsed-pack memo is shared by
    every session; nothing per user lives in it.
    """
    _, _, pinned = (version or "").partition(_PINNED)
    if pinned:
        return _pinned_library(pinned, str(liquidity.default_library().store.home))
    return liquidity.default_library()


def pinned_id() -> str | None:
    """The snapshot id the link pins (`?snap=`), when it is well formed; `page.start` has
    already stopped the page if the snapshot is unknown here."""
    value = st.query_params.get(SNAPSHOT_PARAM)
    return value if value and snapshots.ID_PATTERN.fullmatch(value) else None


def snapshot(snapshot_id: str) -> Snapshot:
    """The pinned snapshot, marked as served; SnapshotUnavailable (with the reason) if gone.
    Not cached: it must notice an eviction on the very next run."""
    return snapshots.open_snapshot(liquidity.default_library().store, snapshot_id)


def pin(kinds: tuple[str, ...]) -> Snapshot:
    """Freeze the datasets of `kinds` the app serves now (writes; memoised per data version)."""
    return snapshots.pin(liquidity.default_library(), kinds)


@st.cache_resource(max_entries=16, show_spinner=False)
def _pinned_library(snapshot_id: str, home: str) -> Library:
    # `home` is only part of the cache key: the same id in another store is another snapshot.
    return liquidity.pinned(snapshot_id)


def events_version() -> str:
    lib = library()
    return f"{lib.store.home}|{lib.events_version()}"


def version() -> str:
    """The cache key of this run's data: the latest data's version token, or the pinned
    snapshot's id (a snapshot never changes, so its cached views never expire early)."""
    lib = library()
    pinned = pinned_id()
    if pinned:
        return f"{lib.store.home}{_PINNED}{pinned}"
    return f"{lib.store.home}|{lib.version()}"


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def statuses(version: str) -> tuple[list[DatasetStatus], str]:
    lib = library(version)
    rows = lib.status()
    return rows, lib.mode(rows)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def series(
    series_id: str, start: str | None, end: str | None, version: str, unit: str | None = None
) -> pd.Series:
    return liquidity.load_series(series_id, start, end, unit, library=library(version))


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def prices(
    tickers: tuple[str, ...],
    start: str | None,
    end: str | None,
    version: str,
    field: str = "adj_close",
) -> pd.DataFrame:
    return liquidity.load_prices(list(tickers), start, end, field, library=library(version))


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def net_liquidity(
    start: str | None, end: str | None, version: str, variant: str = "wednesday"
) -> pd.DataFrame:
    return liquidity.load_net_liquidity(start, end, variant, library=library(version))


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def dataset(key: str, version: str) -> tuple[pd.DataFrame, dict]:
    frame, prov = liquidity.load_dataset(key, library=library(version))
    return frame, prov.as_dict()


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def events(start: str | None, end: str | None) -> pd.DataFrame:
    return load_events(start=start, end=end)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def price_of_money(start: str | None, end: str | None, version: str) -> tuple[pd.DataFrame, list]:
    return load_price_of_money(start, end, library=library(version))


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def ledger(variant: str, version: str) -> pd.DataFrame:
    return load_ledger(variant, library=library(version))


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def scorecard(asof: str, version: str) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    return load_scorecard_trends(asof, library=library(version))


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def scorecard_history(asof: str, extra: tuple[str, ...], version: str) -> pd.DataFrame:
    return load_scorecard_history(asof, library=library(version), extra=extra)


@st.cache_data(ttl=TTL, max_entries=4, show_spinner=False)
def scorecard_placebo(version: str) -> pd.DataFrame:
    return api.load_scorecard_placebo(library=library(version))


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def replay_basis(asof: str, version: str) -> dict[str, str]:
    return api.replay_basis(asof, library=library(version))


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def newest_macro(version: str) -> tuple[str, pd.Timestamp] | None:
    return api.newest_macro(library=library(version))


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def tga_daily(version: str) -> pd.Series:
    return api.load_tga_daily(library=library(version))


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def debt_ledger(tickers: tuple[str, ...], version: str) -> tuple[pd.DataFrame, list[str]]:
    return api.load_debt_ledger(tickers, library=library(version))


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def debt_reconciliation(tickers: tuple[str, ...], version: str) -> pd.DataFrame:
    return api.load_debt_reconciliation(tickers, library=library(version))


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def drain_calendar(asof: str, weeks: int, version: str):
    return api.load_drain_calendar(asof, weeks, library=library(version))


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def ai_debt_last_quarter(version: str) -> tuple[str | None, float | None, str]:
    return api.load_ai_debt_last_quarter(library=library(version))


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def duration_supply(version: str) -> pd.DataFrame:
    return api.load_duration_supply(library=library(version))


@st.cache_data(ttl=TTL, max_entries=4, show_spinner=False)
def drain_gauge(version: str) -> pd.DataFrame:
    return load_drain_gauge(library=library(version))


def fetch_filer(ticker: str) -> None:
    """Fetch a filer's SEC facts into the store (not cached: it writes; the version changes)."""
    fetch_filer_facts(ticker, library().store, environ=environ_with_secrets())


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def capex_view(tickers: tuple[str, ...], basis: str, version: str):
    return build_capex_view(load_companies(tickers, library=library(version)), basis)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def divergence(
    spec: tuple,
    memory: tuple,
    bench: str,
    start: str,
    end: str,
    base: str,
    window: int,
    mode: str,
    version: str,
):
    """(tickers without prices, Analysis) for one view of the page; the Analysis names the
    tickers it excludes for not being in dollars."""
    lib = library(version)
    panel = load_panel([*spec, *memory, bench], library=lib)
    result = analyse(panel, spec, memory, bench, start, end, base, window, mode, library=lib)
    return panel.missing, result


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def event_day(tickers: tuple, date: str, days: int, version: str):
    """(returns around `date`, {ticker: why its returns are in its own currency})."""
    panel = load_panel(tickers, library=library(version))
    return event_returns(panel.raw, date, days), panel.excluded


def fetch_prices(tickers: tuple[str, ...]) -> dict[str, str]:
    """Fetch symbols into the store (not cached: it writes; the version changes)."""
    return fetch_symbol_prices(tickers, library().store)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def liquidation_history(symbol: str, bucket: str, version: str) -> pd.DataFrame:
    return api.load_liquidation_history(symbol, bucket, library=library(version))


@st.cache_data(ttl=60, max_entries=16, show_spinner=False)
def collected_events(symbol: str, venues: tuple[str, ...], version: str) -> pd.DataFrame:
    return api.load_collected_events(symbol, venues, library=library(version))


@st.cache_data(ttl=60, max_entries=4, show_spinner=False)
def collector_status(version: str) -> dict:
    return api.load_collector_status(library=library(version))


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def coin_price(symbol: str, version: str) -> pd.Series:
    return api.load_coin_price(symbol, library=library(version))


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def exchange_snapshot(symbol: str, version: str):
    return api.load_exchange_snapshot(symbol, library=library(version))


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def open_interest(symbol: str, version: str) -> pd.Series:
    return api.load_open_interest(symbol, library=library(version))


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def funding(symbol: str, version: str) -> pd.Series:
    return api.load_funding_rate(symbol, library=library(version))


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def share_of_oi(symbol: str, bucket: str, version: str) -> pd.Series:
    return api.load_share_of_oi(symbol, bucket, library=library(version))


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def squeeze_episodes(symbol: str, move: float, multiple: float, version: str) -> pd.DataFrame:
    return api.load_squeezes(symbol, move, multiple, library=library(version))


def venue_shares(events: pd.DataFrame) -> pd.DataFrame:
    return liquidation_shares(events)


def window_totals(events: pd.DataFrame, end: pd.Timestamp | None = None) -> pd.DataFrame:
    """Feed totals for the 1h … 7d up to `end`, default now (not cached: "now" moves)."""
    return liquidation_windows(events, pd.Timestamp.now(tz="UTC") if end is None else end)


def venue_open_interest(symbol: str) -> tuple[dict, dict]:
    """Live venue OI and funding (not cached here: the HTTP cache keeps answers an hour)."""
    return api.fetch_venue_open_interest(symbol, library=library())


def largest_events(events: pd.DataFrame) -> pd.DataFrame:
    return largest_liquidations(events, 10)
