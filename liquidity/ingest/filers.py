"""SEC filers: ticker → CIK, and fetching a filer's XBRL facts into the store.

The big five's CIKs are fixed (sources.sec.CIKS); any other ticker is looked up in the SEC's
company_tickers.json through the cached HTTP session (kept a day, served stale when offline).
One companyfacts request per company brings every concept at once, well within the SEC's
10 requests per second.
"""

from __future__ import annotations

import os

import pandas as pd

from liquidity.analytics import funding
from liquidity.core import catalog
from liquidity.core.catalog import Dataset
from liquidity.core.errors import LiquidityError
from liquidity.data.store import Entry, Store
from liquidity.sources import http, sec


def resolve_cik(ticker: str, session, *, user_agent: str) -> int:
    """The CIK of a ticker; LiquidityError when the SEC lists no such filer."""
    ticker = catalog.sec_facts(ticker).name  # validates the pattern
    if ticker in sec.CIKS:
        return sec.CIKS[ticker]
    ciks = sec.parse_company_tickers(sec.fetch_company_tickers(session, user_agent=user_agent))
    if ticker not in ciks:
        raise LiquidityError(f"{ticker} is not an SEC filer (not in the SEC's ticker list)")
    return ciks[ticker]


def fetch_facts(
    ticker: str, session, *, user_agent: str, lookup_session=None
) -> tuple[Dataset, pd.DataFrame, str]:
    """(dataset, the tracked facts, a source description) for one filer; nothing is stored.

    `lookup_session` (default `session`) asks for the SEC's ticker list.
    """
    dataset = catalog.sec_facts(ticker)
    cik = resolve_cik(dataset.name, lookup_session or session, user_agent=user_agent)
    payload = sec.fetch_companyfacts(session, cik, user_agent=user_agent)
    return (
        dataset,
        sec.parse_facts(payload, tags=funding.TRACKED_TAGS),
        f"SEC EDGAR companyfacts (CIK {cik})",
    )


def fetch_filer(ticker: str, store: Store, *, session=None, environ=os.environ) -> Entry:
    """Fetch one filer's facts into the store as sec/TICKER, recording the attempt.

    Raises NotConfigured without SEC_USER_AGENT, SourceError/SourceUnavailable on HTTP trouble,
    ValidationError when the filing has none of the tracked facts; the store is then unchanged.
    """
    agent = sec.user_agent(environ)
    # The ticker list may come from an expired cached copy when www.sec.gov fails: nothing else
    # holds it and its age misleads no one. The facts may not: a failure must show, and the
    # store keeps the last good ones.
    lookup = session or http.cached_session(store.http_cache_path, stale_if_error=True)
    session = session or http.cached_session(store.http_cache_path)
    key = catalog.sec_facts(ticker).key
    try:
        dataset, facts, source = fetch_facts(
            ticker, session, user_agent=agent, lookup_session=lookup
        )
        entry = store.write(dataset, facts, source=source)
    except LiquidityError as exc:
        store.record_attempt(key, False, str(exc))
        raise
    store.record_attempt(key, True, f"{entry.rows} facts")
    return entry
