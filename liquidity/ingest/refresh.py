"""Live refresh: fetch every live dataset, validate it and write it to the store.

One function serves the CLI (`python -m liquidity refresh`) and the Data page's refresh button.
Refresh is incremental where the source allows it: FRED is asked only for the last months (to
pick up revisions), its vintages (with FRED_API_KEY) only for those published after the newest
stored one, Yahoo for the last days, and a ticker whose adjusted history changed (a new dividend
rescales every earlier adjusted close) is fetched again in full so bases never mix. The Treasury's
daily TGA and the NY Fed's series re-read their last 10 days, the auctions their last 45 (results
land after the auction; a first refresh reaches back to 1995 so every outstanding security's
maturity is known), and the EDGAR filings index downloads only documents not parsed before. A
failed or empty fetch leaves the stored copy untouched and is recorded, with its message, as the
dataset's last attempt.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from liquidity.core import catalog
from liquidity.core.catalog import Dataset
from liquidity.core.errors import (
    LiquidityError,
    NotConfigured,
    RateLimited,
    SourceError,
    SourceUnavailable,
)
from liquidity.data.store import Store
from liquidity.ingest import filers
from liquidity.ingest.event_store import EventStore
from liquidity.sources import coinglass, edgar, exchanges, fiscaldata, fred, http, nyfed, sec

SOURCES = ("fred", "prices", "sec", "treasury", "nyfed", "liquidations")
# CoinGlass endpoints refreshed with a key (the exchange list is a capture, not a history).
COINGLASS_HISTORIES = (
    "liquidation_aggregated_coin_history",
    "openInterest_ohlc_aggregated_history",
    "fundingRate_oi_weight_ohlc_history",
)
FRED_REVISION_WINDOW = pd.Timedelta(days=120)
# Why a keyless refresh stores no vintages (ALFRED has no keyless download).
NO_VINTAGES = "vintages need FRED_API_KEY; as-of views cut the revised data at the date instead"
PRICE_OVERLAP = pd.Timedelta(days=10)
# The first refresh reaches back far enough that every marketable security still outstanding
# (30-year bonds are the longest) has its auction, so the drain calendar knows its maturity.
AUCTIONS_SINCE = datetime.date(1995, 1, 1)
# Later ones re-read the last weeks: results land a few days after the auction.
AUCTION_OVERLAP = pd.Timedelta(days=45)
DAILY_OVERLAP = pd.Timedelta(days=10)  # DTS and NY Fed rows are final when published
FILINGS_SINCE = datetime.date(2015, 1, 1)

Progress = Callable[[int, int, str], None]


@dataclass
class Outcome:
    key: str
    ok: bool
    message: str
    added: int = 0
    revised: int = 0
    unreachable: bool = False  # the host could not be reached (offline, DNS, timeout)


@dataclass
class RefreshReport:
    outcomes: dict[str, list[Outcome]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # source -> why it was not run
    notes: dict[str, str] = field(default_factory=dict)  # source -> what part did not run

    @property
    def failed(self) -> bool:
        return any(not o.ok for items in self.outcomes.values() for o in items)

    @property
    def offline(self) -> bool:
        """Every failure was an unreachable host: the machine is most likely offline."""
        failures = [o for items in self.outcomes.values() for o in items if not o.ok]
        return bool(failures) and all(o.unreachable for o in failures)

    def summary(self, source: str) -> str:
        if source in self.skipped:
            return f"{source}: skipped: {self.skipped[source]}"
        items = self.outcomes.get(source, [])
        ok = [o for o in items if o.ok]
        changed = [o for o in ok if o.added or o.revised]
        text = (
            f"{source}: {len(ok)}/{len(items)} datasets ok, {len(changed)} changed "
            f"(+{sum(o.added for o in ok)} rows, {sum(o.revised for o in ok)} revised)"
        )
        failures = [o for o in items if not o.ok]
        if failures:
            text += f"; {len(failures)} failed, e.g. {failures[0].key}: {failures[0].message}"
        if source in self.notes:
            text += f"; {self.notes[source]}"
        return text


@dataclass
class Seams:
    """The network seams, injectable so tests replay recorded-shape payloads offline."""

    fred_session: object | None = None
    fred_opener: fred.Opener | None = None  # fredapi's requests; default: over fred_session
    download: Callable | None = None
    sec_session: object | None = None
    exchange_session: object | None = None
    fiscaldata_session: object | None = None
    nyfed_session: object | None = None


def refresh(
    store: Store,
    only: tuple[str, ...] | None = None,
    *,
    progress: Progress | None = None,
    seams: Seams | None = None,
    environ=os.environ,
) -> RefreshReport:
    """Fetch the live sources (`only` a subset of SOURCES) into `store`."""
    chosen = tuple(only) if only else SOURCES
    unknown = [s for s in chosen if s not in SOURCES]
    if unknown:
        raise LiquidityError(f"unknown source {unknown[0]!r}; choose from {', '.join(SOURCES)}")
    seams = seams or Seams()
    # A refresh killed mid-write leaves files no row names; clearing them here costs one
    # directory listing.
    store.sweep()
    report = RefreshReport()
    datasets = [d for s in chosen if s != "liquidations" for d in _datasets(s)]
    if "fred" in chosen:
        datasets += [None] * len(catalog.VINTAGE_SERIES)
    if "liquidations" in chosen:
        datasets += [None] * len(catalog.COIN_SYMBOLS) * (1 + len(COINGLASS_HISTORIES))
    done = 0

    def step(label: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(datasets), label)

    if "fred" in chosen:
        report.outcomes["fred"], note = _refresh_fred(store, seams, environ, step)
        if note:
            report.notes["fred"] = note
    if "prices" in chosen:
        report.outcomes["prices"] = _refresh_prices(store, seams, step)
    if "sec" in chosen:
        try:
            report.outcomes["sec"] = _refresh_sec(store, seams, environ, step)
        except NotConfigured as exc:
            if only:  # asked for explicitly: a missing setting is an error
                report.outcomes["sec"] = [
                    Outcome(d.key, False, exc.message) for d in _datasets("sec")
                ]
            else:
                report.skipped["sec"] = exc.message
            for d in _datasets("sec"):
                step(d.key)
    if "treasury" in chosen:
        report.outcomes["treasury"] = _refresh_treasury(store, seams, step)
    if "nyfed" in chosen:
        report.outcomes["nyfed"] = _refresh_nyfed(store, seams, step)
    if "liquidations" in chosen:
        outcomes, note = _refresh_liquidations(store, seams, environ, step)
        report.outcomes["liquidations"] = outcomes
        if note:
            report.notes["liquidations"] = f"CoinGlass not refreshed: {note}"
    return report


def _refresh_liquidations(store, seams, environ, step) -> tuple[list, str | None]:
    """OKX's last ~24 h of liquidation orders into the event store (keyless), and, with
    COINGLASS_API_KEY, the CoinGlass histories into the store. Returns (outcomes, skip note)."""
    session = seams.exchange_session or http.cached_session(store.http_cache_path)
    events = EventStore(store.events_path)
    outcomes = []
    for symbol in catalog.COIN_SYMBOLS:
        key = f"feed/okx/{symbol}"
        try:
            added = events.append(exchanges.get_okx_liquidations(session, symbol))
            store.record_attempt(key, True, f"+{added} events")
            outcomes.append(Outcome(key, True, f"+{added} events", added=added))
        except SourceError as exc:
            outcomes.append(_fail(store, key, exc))
        step(key)
    try:
        key_value = coinglass.api_key(environ)
    except NotConfigured as exc:
        # CoinGlass is a paid option: without a key the data pack's history stays in use.
        for _ in catalog.COIN_SYMBOLS * len(COINGLASS_HISTORIES):
            step("coinglass")
        return outcomes, exc.message
    fetchers = dict(
        zip(
            COINGLASS_HISTORIES,
            (
                coinglass.get_aggregated_liquidations,
                coinglass.get_open_interest_history,
                coinglass.get_funding_history,
            ),
            strict=True,
        )
    )

    def fetch_and_save(dataset: Dataset, fetch, symbol: str) -> Outcome:
        frame = fetch(session, symbol, api_key=key_value)
        return _save(store, dataset, _stored(store, dataset.key), frame, "CoinGlass API v4")

    jobs = []
    for symbol in catalog.COIN_SYMBOLS:
        for endpoint, fetch in fetchers.items():
            dataset = catalog.get(f"{catalog.COINGLASS}/{endpoint}_{symbol}")
            jobs.append((dataset, partial(fetch_and_save, dataset, fetch, symbol)))
    outcomes += _until_blocked(store, jobs, step)
    return outcomes, None


def _until_blocked(
    store: Store,
    jobs: list[tuple[Dataset, Callable[[], Outcome]]],
    step,
    errors: tuple[type[Exception], ...] = (SourceError,),
) -> list[Outcome]:
    """Run each job (fetch and save one dataset) in order; `errors` fail only their dataset.

    After the first unreachable host or rate limit, the rest of the source fails with the same
    error without asking: one timeout per dataset would take minutes offline, and each request
    made while rate limited or blocked (the SEC's 403) makes the wait longer.
    """
    outcomes, halted = [], None
    for dataset, job in jobs:
        if halted is not None:
            outcomes.append(_fail(store, dataset.key, halted))
        else:
            try:
                outcomes.append(job())
            except (SourceUnavailable, RateLimited) as exc:
                halted = exc
                outcomes.append(_fail(store, dataset.key, exc))
            except errors as exc:
                outcomes.append(_fail(store, dataset.key, exc))
        step(dataset.key)
    return outcomes


def _datasets(source: str) -> tuple[Dataset, ...]:
    if source == "sec":  # one User-Agent and rate limit: XBRL facts and the filings index
        return catalog.of_kind(catalog.SEC) + catalog.of_kind(catalog.FILINGS)
    kinds = {
        "fred": catalog.FRED,
        "prices": catalog.PRICES,
        "treasury": catalog.TREASURY,
        "nyfed": catalog.NYFED,
    }
    return catalog.of_kind(kinds[source])


def _stored(store: Store, key: str) -> pd.DataFrame | None:
    entry = store.entry(key)
    return None if entry is None or entry.origin != "live" else store.read(key, entry)


def _save(
    store: Store, dataset: Dataset, old: pd.DataFrame | None, new: pd.DataFrame, source: str
) -> Outcome:
    """Validate and write `new`; compare it with `old` to say what changed."""
    try:
        store.write(dataset, new, source=source)
    except LiquidityError as exc:
        store.record_attempt(dataset.key, False, str(exc))
        return Outcome(dataset.key, False, str(exc))
    diff = _diff_vintages if dataset.kind == catalog.FRED_VINTAGES else _diff
    added, revised = diff(old, new)
    message = f"+{added} rows, {revised} revised" if (added or revised) else "unchanged"
    store.record_attempt(dataset.key, True, message)
    return Outcome(dataset.key, True, message, added, revised)


def _fail(store: Store, key: str, exc: Exception) -> Outcome:
    message = exc.message if isinstance(exc, SourceError) else str(exc)
    store.record_attempt(key, False, message)
    return Outcome(key, False, message, unreachable=isinstance(exc, SourceUnavailable))


def _diff(old: pd.DataFrame | None, new: pd.DataFrame) -> tuple[int, int]:
    if old is None:
        return len(new), 0
    if not isinstance(new.index, pd.DatetimeIndex):  # facts: count rows not seen before
        seen = pd.util.hash_pandas_object(old, index=False)
        return int((~pd.util.hash_pandas_object(new, index=False).isin(seen)).sum()), 0
    added = int((~new.index.isin(old.index)).sum())
    common = new.index.intersection(old.index)
    cols = [c for c in new.columns if c in old.columns and pd.api.types.is_numeric_dtype(new[c])]
    a = new.loc[common, cols].to_numpy(dtype="float64")
    b = old.loc[common, cols].to_numpy(dtype="float64")
    differs = ~(np.isclose(a, b, rtol=1e-12, equal_nan=True))
    return added, int(differs.any(axis=1).sum())


def _diff_vintages(old: pd.DataFrame | None, new: pd.DataFrame) -> tuple[int, int]:
    """(vintage rows not stored before, stored current rows that a newer vintage closed)."""
    if old is None:
        return len(new), 0
    keys = ["date", "realtime_start"]
    joined = new.merge(old, on=keys, how="left", suffixes=("", "_old"), indicator=True)
    added = int((joined["_merge"] == "left_only").sum())
    closed = joined["realtime_end_old"].isna() & joined["realtime_end"].notna()
    return added, int((closed & (joined["_merge"] == "both")).sum())


def _merge(old: pd.DataFrame | None, new: pd.DataFrame, since: pd.Timestamp | None) -> pd.DataFrame:
    """Stored rows before `since` followed by the freshly fetched rows (which win on overlap)."""
    if old is None or since is None:
        return new
    return pd.concat([old[old.index < since], new[new.index >= since]]).sort_index()


def _refresh_fred(store, seams, environ, step) -> tuple[list[Outcome], str | None]:
    """The latest values of every series, then (with a key) the new vintages of VINTAGE_SERIES.
    Returns (outcomes, why the vintages were not fetched)."""
    api_key = environ.get("FRED_API_KEY", "").strip() or None
    session = seams.fred_session or http.cached_session(store.http_cache_path)
    opener = seams.fred_opener or fred.Opener(session)
    source = "FRED API (fredapi)" if api_key else "FRED fredgraph.csv"

    def fetch_and_save(dataset: Dataset) -> Outcome:
        old = _stored(store, dataset.key)
        since = None if old is None else old.index.max() - FRED_REVISION_WINDOW
        start = since.date() if since is not None else None
        new = fred.get_series(dataset.name, start, session=session, api_key=api_key, opener=opener)
        return _save(store, dataset, old, _merge(old, new, since), source)

    def fetch_vintages(dataset: Dataset) -> Outcome:
        old = _stored(store, dataset.key)
        after = None if old is None else (old["realtime_start"].max() + pd.Timedelta(days=1))
        new = fred.get_vintages(
            dataset.name,
            api_key=api_key,
            realtime_start=after.date() if after is not None else None,
            opener=opener,
        )
        merged = new if old is None else fred.merge_vintages(old, new)
        return _save(store, dataset, old, merged, "ALFRED vintages (fredapi)")

    jobs = [(d, partial(fetch_and_save, d)) for d in _datasets("fred")]
    vintages = [catalog.vintages(series_id) for series_id in catalog.VINTAGE_SERIES]
    if api_key:
        jobs += [(d, partial(fetch_vintages, d)) for d in vintages]
    outcomes = _until_blocked(store, jobs, step, errors=(SourceError, ValueError))
    if api_key:
        return outcomes, None
    for dataset in vintages:
        step(dataset.key)
    return outcomes, NO_VINTAGES


def _refresh_prices(store, seams, step) -> list[Outcome]:
    # Lazy: yfinance and curl_cffi cost a second to import, and only this source needs them.
    from liquidity.sources import yahoo

    kwargs = {"download": seams.download} if seams.download else {}
    datasets = _datasets("prices")
    olds = {d.key: _stored(store, d.key) for d in datasets}
    lasts = [o.index.max() for o in olds.values() if o is not None]
    since = min(lasts) - PRICE_OVERLAP if len(lasts) == len(datasets) else None
    tickers = [d.name for d in datasets]
    batch = yahoo.get_prices(tickers, since.date() if since is not None else None, **kwargs)
    # A changed adjusted close on the overlap means a new dividend or split: refetch in full.
    rebased = [
        d.name
        for d in datasets
        if since is not None
        and d.name in batch.frames
        and _adjusted_changed(olds[d.key], batch.frames[d.name])
    ]
    full = yahoo.get_prices(rebased, None, **kwargs) if rebased else None
    outcomes = []
    for d in datasets:
        source_batch = full if d.name in rebased else batch
        if d.name in source_batch.frames:
            new = source_batch.frames[d.name]
            merged = new if d.name in rebased else _merge(olds[d.key], new, since)
            outcomes.append(_save(store, d, olds[d.key], merged, "Yahoo Finance (yfinance)"))
        else:
            message = source_batch.errors.get(d.name, yahoo.NO_DATA)
            error = SourceUnavailable if message == yahoo.UNREACHABLE else SourceError
            outcomes.append(_fail(store, d.key, error("yahoo", message)))
        step(d.key)
    return outcomes


def _adjusted_changed(old: pd.DataFrame | None, new: pd.DataFrame) -> bool:
    if old is None:
        return False
    common = old.index.intersection(new.index)
    a = old.loc[common, "adj_close"].to_numpy(dtype="float64")
    b = new.loc[common, "adj_close"].to_numpy(dtype="float64")
    return not np.allclose(a, b, rtol=1e-6, equal_nan=True)


def _refresh_sec(store, seams, environ, step) -> list[Outcome]:
    agent = sec.user_agent(environ)  # NotConfigured before any request is made
    session = seams.sec_session or http.cached_session(store.http_cache_path)

    def fetch_and_save(dataset: Dataset) -> Outcome:
        _, facts, source = filers.fetch_facts(dataset.name, session, user_agent=agent)
        return _save(store, dataset, _stored(store, dataset.key), facts, source)

    def fetch_filings(dataset: Dataset) -> Outcome:
        old = _stored(store, dataset.key)
        # Documents already parsed are not downloaded again (`known`).
        new, _ = edgar.get_debt_filings(
            session, dataset.name, user_agent=agent, since=FILINGS_SINCE, known=old
        )
        return _save(store, dataset, old, merge_filings(old, new), "SEC EDGAR filings index")

    jobs = [(d, partial(fetch_and_save, d)) for d in catalog.of_kind(catalog.SEC)]
    jobs += [(d, partial(fetch_filings, d)) for d in catalog.of_kind(catalog.FILINGS)]
    return _until_blocked(store, jobs, step)


def merge_filings(old: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """Stored filings and newly listed ones, one row per accession number (the new row wins:
    a document that failed to download last time may have been parsed now)."""
    if old is None:
        return new
    both = pd.concat([old, new], ignore_index=True)
    both = both.drop_duplicates("accn", keep="last")
    return both.sort_values(["filed", "accn"], kind="stable", ignore_index=True)


def merge_auctions(
    old: pd.DataFrame | None, results: pd.DataFrame, upcoming: pd.DataFrame
) -> pd.DataFrame:
    """One row per (auction_date, security_term, cusip): a result replaces the announcement of
    the same auction, fresh rows replace stored ones, and announcements whose auction has a
    result drop out."""
    parts = [f for f in (old, upcoming, results) if f is not None and not f.empty]
    both = pd.concat(parts, ignore_index=True)
    rank = both["status"].map({"upcoming": 0, "announced": 1}).fillna(2)
    both = both.assign(_rank=rank, _order=range(len(both)))
    both = both.sort_values(["_rank", "_order"], kind="stable")
    both = both.drop_duplicates(["auction_date", "security_term", "cusip"], keep="last")
    both = both.drop(columns=["_rank", "_order"])
    keys = ["auction_date", "issue_date", "cusip"]
    return both.sort_values(keys, kind="stable", ignore_index=True)


def _refresh_treasury(store, seams, step) -> list[Outcome]:
    """The daily TGA and the auctions (results since AUCTIONS_SINCE, then the announced list)."""
    session = seams.fiscaldata_session or http.cached_session(store.http_cache_path)

    def fetch_tga(dataset: Dataset) -> Outcome:
        old = _stored(store, dataset.key)
        since = None if old is None else old.index.max() - DAILY_OVERLAP
        new, _ = fiscaldata.get_tga(session, since.date() if since is not None else None)
        return _save(store, dataset, old, _merge(old, new, since), "Treasury FiscalData (DTS)")

    def fetch_auctions(dataset: Dataset) -> Outcome:
        old = _stored(store, dataset.key)
        start = AUCTIONS_SINCE
        if old is not None:
            start = (old["auction_date"].max() - AUCTION_OVERLAP).date()
        results, _ = fiscaldata.get_auctions(session, start)
        upcoming, _ = fiscaldata.get_upcoming(session)
        merged = merge_auctions(old, results, upcoming)
        return _save(store, dataset, old, merged, "Treasury FiscalData (auctions)")

    jobs = [
        (catalog.get(catalog.TGA_DAILY), partial(fetch_tga, catalog.get(catalog.TGA_DAILY))),
        (catalog.get(catalog.AUCTIONS), partial(fetch_auctions, catalog.get(catalog.AUCTIONS))),
    ]
    return _until_blocked(store, jobs, step)


def _refresh_nyfed(store, seams, step) -> list[Outcome]:
    """The overnight RRP and the SOFR and EFFR fixings from the NY Fed (keyless)."""
    session = seams.nyfed_session or http.cached_session(store.http_cache_path)

    def fetch(dataset: Dataset) -> Outcome:
        old = _stored(store, dataset.key)
        since = None if old is None else old.index.max() - DAILY_OVERLAP
        start = since.date() if since is not None else None
        if dataset.key == catalog.RRP_DAILY:
            new, _ = nyfed.get_rrp(session, start)
        else:
            new, _ = nyfed.get_rate(session, dataset.name, start)
        return _save(store, dataset, old, _merge(old, new, since), "NY Fed Markets API")

    return _until_blocked(store, [(d, partial(fetch, d)) for d in _datasets("nyfed")], step)
