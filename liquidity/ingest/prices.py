"""Fetching prices for any Yahoo symbols into the store (the user's own tickers).

The catalogued tickers are refreshed by `refresh`; a ticker someone adds to a basket is fetched
here once, in one batched download, validated and stored as prices/TICKER like the rest.
Unknown or delisted symbols come back as per-ticker errors, never as an exception.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from liquidity.core import catalog
from liquidity.core.errors import LiquidityError
from liquidity.data.store import Store


def fetch_prices(
    tickers: Iterable[str], store: Store, *, download: Callable | None = None
) -> dict[str, str]:
    """Download full histories for `tickers` into the store; returns {ticker: problem}."""
    # Lazy: yfinance and curl_cffi cost a second to import, and only this source needs them.
    from liquidity.sources import yahoo

    datasets = {d.name: d for d in (catalog.price(t) for t in tickers)}
    kwargs = {"download": download} if download else {}
    batch = yahoo.get_prices(list(datasets), None, **kwargs)
    problems = dict(batch.errors)
    for name, frame in batch.frames.items():
        try:
            store.write(datasets[name], frame, source="Yahoo Finance (yfinance)")
            store.record_attempt(datasets[name].key, True, f"{len(frame)} rows")
        except LiquidityError as exc:
            problems[name] = str(exc)
    for name, problem in problems.items():
        store.record_attempt(datasets[name].key, False, problem)
    return problems
