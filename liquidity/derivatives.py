"""Crypto derivatives history for the liquidation page: what the data pack and the collector hold.

Two kinds of liquidation data, never mixed into one number:

- aggregated history (CoinGlass exports in the data pack): long and short USD per 4-hour UTC
  bucket summed over the venues CoinGlass tracks, with open interest and OI-weighted funding;
- the collector's own events (`python -m liquidity collect`): every liquidation the venues'
  public feeds pushed, per venue, since the collector started. Binance pushes at most one event
  per symbol per second, so sums from the feeds are lower bounds.
"""

from __future__ import annotations

import pandas as pd

from liquidity import catalog
from liquidity.errors import DataNotAvailable

SYMBOLS = catalog.COIN_SYMBOLS
AGGREGATED = "liquidation_aggregated_coin_history"
OPEN_INTEREST = "openInterest_ohlc_aggregated_history"
FUNDING = "fundingRate_oi_weight_ohlc_history"
EXCHANGES = "liquidation_exchange_list"
PRICE_TICKERS = {"BTC": "BTC-USD", "ETH": "ETH-USD"}


def _coinglass(endpoint: str, symbol: str, library=None) -> pd.DataFrame:
    from liquidity.loaders import load_dataset

    return load_dataset(f"{catalog.COINGLASS}/{endpoint}_{symbol}", library)[0]


def aggregated_history(symbol: str, library=None) -> pd.DataFrame:
    """CoinGlass long/short liquidations per 4-hour bucket: long_usd, short_usd, total_usd."""
    frame = _coinglass(AGGREGATED, symbol, library)
    out = pd.DataFrame(
        {
            "long_usd": frame["aggregated_long_liquidation_usd"],
            "short_usd": frame["aggregated_short_liquidation_usd"],
        }
    )
    out["total_usd"] = out["long_usd"] + out["short_usd"]
    out.index.name = "bucket_start"
    out.attrs["bucket"] = "4h"  # what liquidations.squeezes reads the bucket width from
    return out


def open_interest(symbol: str, library=None) -> pd.Series:
    """Aggregated open interest in USD at the close of each 4-hour bucket."""
    return _coinglass(OPEN_INTEREST, symbol, library)["close"].rename("open_interest_usd")


def funding(symbol: str, library=None) -> pd.Series:
    """OI-weighted funding rate in percent per funding interval, at each 4-hour close."""
    return _coinglass(FUNDING, symbol, library)["close"].rename("funding_pct")


def exchange_snapshot(symbol: str, library=None) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Per-venue totals of the latest CoinGlass capture (its window is not recorded)."""
    frame = _coinglass(EXCHANGES, symbol, library)
    latest = frame["snapshot"].max()
    rows = frame[(frame["snapshot"] == latest) & (frame["exchange"] != "All")]
    return rows.set_index("exchange").drop(columns="snapshot"), latest


def daily_price(symbol: str, library=None) -> pd.Series:
    """The coin's daily close in USD, stamped at the moment it is the price: the end of its
    UTC day (Yahoo labels the close of day D with D; it belongs at D+1 00:00 UTC)."""
    from liquidity.loaders import load_prices

    ticker = PRICE_TICKERS[symbol]
    prices = load_prices([ticker], library=library)[ticker].dropna()
    prices.index = prices.index.tz_localize("UTC") + pd.Timedelta(days=1)
    return prices.rename("price_usd")


def resample_history(history: pd.DataFrame, bucket: str) -> pd.DataFrame:
    """4-hour CoinGlass buckets summed into longer UTC buckets ("4h" returns them as they are)."""
    if bucket == "4h":
        return history
    out = history.resample(bucket, label="left", closed="left").sum(min_count=1)
    out = out.dropna(how="all")
    out.attrs["bucket"] = bucket.lower()
    return out


def check_symbol(symbol: str) -> str:
    symbol = symbol.strip().upper()
    if symbol not in SYMBOLS:
        raise DataNotAvailable(
            f"no liquidation history for {symbol!r}; choose from {', '.join(SYMBOLS)}"
        )
    return symbol


def history(symbol: str, bucket: str = "4h", library=None) -> pd.DataFrame:
    """`aggregated_history` in `bucket`-long UTC buckets ("4h" or "1D")."""
    return resample_history(aggregated_history(check_symbol(symbol), library), bucket)


def share_of_oi(symbol: str, bucket: str = "4h", library=None) -> pd.Series:
    """Liquidations per bucket as a percent of the open interest at the bucket's start."""
    from liquidity.liquidations import share_of_open_interest

    return share_of_open_interest(history(symbol, bucket, library), open_interest(symbol, library))


def squeeze_episodes(symbol: str, move_pct: float, multiple: float, library=None) -> pd.DataFrame:
    """Squeezes on daily buckets (the pack's price is a daily close), see liquidations.squeezes."""
    from liquidity.liquidations import squeezes

    daily = history(symbol, "1D", library)
    return squeezes(
        daily, daily_price(symbol, library), move_pct=move_pct, multiple=multiple, trailing=42
    )


def event_store(library=None):
    from liquidity.liquidations import EventStore
    from liquidity.loaders import default_library

    return EventStore((library or default_library()).store.events_path)


def collected_events(symbol: str, venues, library=None) -> pd.DataFrame:
    """The collector's events for one coin and the chosen venues (empty if it never ran)."""
    store = event_store(library)
    if not store.path.exists():
        return pd.DataFrame(
            columns=["ts", "venue", "symbol", "side", "qty", "price", "notional_usd"]
        )
    return store.read(symbols=[check_symbol(symbol)], venues=list(venues))


def collector_status(library=None) -> dict[str, tuple[int, pd.Timestamp]]:
    """Per venue: events collected and the time of the latest one."""
    store = event_store(library)
    if not store.path.exists():
        return {}
    counts, last = store.counts(), store.last_event()
    return {venue: (counts[venue], last[venue]) for venue in counts}


def venue_open_interest(symbol: str, session=None, library=None) -> tuple[dict, dict]:
    """Live open interest (coin) and funding from Binance and Bybit, fetched on request.

    Returns ({series name: Series}, {venue: problem}); a venue that refuses this machine (Binance
    451 and Bybit 403 for US hosts) or cannot be reached is reported, not raised.
    """
    from liquidity.errors import SourceError
    from liquidity.loaders import default_library
    from liquidity.sources import exchanges, http

    symbol = check_symbol(symbol)
    session = session or http.cached_session((library or default_library()).store.http_cache_path)
    fetches = {
        "Binance open interest (coin)": lambda: exchanges.fetch_binance_open_interest(
            session, symbol
        )["open_interest_coin"],
        "Bybit open interest (coin)": lambda: exchanges.fetch_bybit_open_interest(session, symbol)[
            "open_interest_coin"
        ],
        "Binance funding (% per 8 h)": lambda: exchanges.fetch_binance_funding(session, symbol)[
            "funding_pct"
        ],
    }
    series, problems = {}, {}
    for name, fetch in fetches.items():
        try:
            series[name] = fetch()
        except SourceError as exc:
            problems[name] = exc.message
    return series, problems
