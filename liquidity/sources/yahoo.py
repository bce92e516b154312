"""Daily prices from Yahoo Finance through one batched `yfinance.download` call.

Steps: `validate_request` → `fetch_prices` (the raw download frame; a rate limit or an unreachable
Yahoo raises) → `parse_prices` (one ticker's bars); `get_prices` runs the three for a batch.
yfinance refuses requests-cache sessions and brings its own curl_cffi transport, so this adapter
takes the download function (not a session) as its seam and leaves caching to the store.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pandas as pd
import yfinance
from yfinance.exceptions import YFRateLimitError

from liquidity.core.errors import RateLimited, SourceError, SourceUnavailable
from liquidity.sources import http

SOURCE = "yahoo"
TICKER_PATTERN = re.compile(r"^\^?[A-Z0-9][A-Z0-9.\-=]{0,14}$")
COLUMNS = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Adj Close": "adj_close",
    "Volume": "volume",
}
PRICE_COLUMNS = ["open", "high", "low", "close", "adj_close"]

NO_DATA = "no data returned (unknown, delisted or rate-limited)"
RATE_LIMITED = "rate limited by Yahoo Finance; try again in a few minutes"
UNREACHABLE = "could not reach Yahoo Finance — you may be offline"
# Exception class names (requests and curl_cffi) that mean the network, not the ticker, failed.
NETWORK_FAILURE = re.compile(
    r"^(ConnectionError|ConnectTimeout|ReadTimeout|Timeout|DNSError|ProxyError|SSLError)\("
)


@dataclass(frozen=True)
class PriceRequest:
    tickers: tuple[str, ...]
    start: datetime.date | None


@dataclass
class PriceBatch:
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def validate_request(tickers: Iterable[str], start: datetime.date | None = None) -> PriceRequest:
    if isinstance(tickers, str):
        tickers = [tickers]
    cleaned = list(dict.fromkeys(str(ticker).strip().upper() for ticker in tickers))
    if not cleaned:
        raise ValueError("at least one ticker is required")
    for ticker in cleaned:
        if not TICKER_PATTERN.match(ticker):
            raise ValueError(
                f"invalid ticker {ticker!r}: expected e.g. NVDA, 005930.KS, BTC-USD, ^GSPC"
            )
    return PriceRequest(tickers=tuple(cleaned), start=http.validate_start(start))


def fetch_prices(
    request: PriceRequest, *, download: Callable[..., pd.DataFrame | None] = yfinance.download
) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """One batched download: yfinance's frame and the failure reason it logged per ticker.

    A rate limit or an unreachable Yahoo fails the whole batch (RateLimited, SourceUnavailable);
    per-ticker failures only leave that ticker's columns empty.
    """
    # Set per call rather than at import so importing the package has no side effects on a
    # library other code may use; without it yfinance logs network errors as "no data".
    yfinance.config.debug.hide_exceptions = False
    # Without a start yfinance fetches one month; None means full history here, as for FRED.
    span = {"start": request.start} if request.start is not None else {"period": "max"}
    try:
        # yfinance 1.7 calls pandas APIs that pandas 3.1 deprecates; its warnings are noise here.
        with capture_failures(request.tickers) as failures, warnings.catch_warnings():
            warnings.filterwarnings("ignore", module="yfinance")
            raw = download(
                list(request.tickers),
                **span,
                auto_adjust=False,
                actions=False,
                group_by="column",
                progress=False,
                threads=True,
                multi_level_index=True,
            )
    except YFRateLimitError as exc:
        raise RateLimited(SOURCE, RATE_LIMITED) from exc
    except OSError as exc:  # requests' and curl_cffi's network exceptions are OSErrors
        raise SourceUnavailable(SOURCE, UNREACHABLE) from exc
    return raw, failures


def parse_prices(raw: pd.DataFrame | None, ticker: str) -> pd.DataFrame:
    """One ticker's bars from a ('Price', 'Ticker') column MultiIndex; empty when it has none."""
    # yfinance returns None or a frame without the MultiIndex when every ticker failed.
    if (
        raw is None
        or not isinstance(raw.columns, pd.MultiIndex)
        or ticker not in raw.columns.get_level_values(1)
    ):
        return pd.DataFrame(columns=list(COLUMNS.values()), dtype="float64")
    frame = raw.xs(ticker, axis=1, level=1).reindex(columns=list(COLUMNS)).rename(columns=COLUMNS)
    frame = frame.astype("float64")
    # A mixed download shares one calendar: equities get NaN rows on BTC-USD's weekends.
    frame = frame.dropna(how="all", subset=PRICE_COLUMNS)
    index = pd.DatetimeIndex(frame.index, name="date")
    if index.tz is not None:
        index = index.tz_localize(None)
    # Microseconds to match what the Parquet store reads back.
    frame.index = index.as_unit("us")
    frame.columns.name = None
    return frame.sort_index()


def get_prices(
    tickers: Iterable[str],
    start: datetime.date | None = None,
    *,
    download: Callable[..., pd.DataFrame | None] = yfinance.download,
) -> PriceBatch:
    """validate_request → fetch_prices → parse_prices per ticker; per-ticker problems land in
    `errors`, never raised (a bad request is still a ValueError)."""
    request = validate_request(tickers, start)
    try:
        raw, failures = fetch_prices(request, download=download)
    except SourceError as exc:
        return PriceBatch(errors=dict.fromkeys(request.tickers, exc.message))
    batch = PriceBatch()
    for ticker in request.tickers:
        frame = parse_prices(raw, ticker)
        if frame.empty:
            batch.errors[ticker] = explain_failure(failures.get(ticker))
        else:
            batch.frames[ticker] = frame
    return batch


class FailureLog(logging.Handler):
    """Keeps the reason yfinance logs for each of `tickers` ("['NVDA', 'MU']: <repr of error>")."""

    def __init__(self, tickers: tuple[str, ...]):
        super().__init__(level=logging.ERROR)
        self.tickers = tickers
        self.reasons: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        symbols, sep, reason = record.getMessage().partition("]: ")
        if sep:
            for ticker in self.tickers:
                if repr(ticker) in symbols:
                    self.reasons[ticker] = reason


@contextlib.contextmanager
def capture_failures(tickers: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """Collect yfinance's per-ticker failure reasons for the duration of one download.

    yfinance 1.7 catches every per-ticker exception inside `download` (rate limits included) and
    reports it only as an ERROR log line. Lines from a concurrent download of other tickers are
    ignored; a ticker in both calls may pick up the other call's reason, which reflects the same
    Yahoo session anyway.
    """
    handler = FailureLog(tickers)
    logger = logging.getLogger("yfinance")
    logger.addHandler(handler)
    try:
        yield handler.reasons
    finally:
        logger.removeHandler(handler)


def explain_failure(reason: str | None) -> str:
    if reason is None:
        return NO_DATA
    if "YFRateLimitError" in reason:
        return RATE_LIMITED
    if NETWORK_FAILURE.match(reason):
        return UNREACHABLE
    return NO_DATA
