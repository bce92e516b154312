"""Plumbing shared by the live sources: rate limiting, the cached session, the one GET helper
and the request checks every source applies.

Every REST source goes through `get`, so offline, throttled and blocked answers turn into the same
few exceptions with messages a user can act on, and transient failures (timeouts, HTTP 429, 5xx,
answers cut off mid-body) are retried the same bounded way.
"""

from __future__ import annotations

import datetime
import email.utils
import logging
import math
import pathlib
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import requests
import requests_cache
from requests_cache.policy.settings import DEFAULT_IGNORED_PARAMS

from liquidity.core.errors import RateLimited, SourceError, SourceUnavailable

DEFAULT_USER_AGENT = "LiquidityDrainMonitor/0.1 (+https://github.com/)"
DEFAULT_EXPIRY = datetime.timedelta(hours=1)
TIMEOUT = (5, 20)  # seconds to connect, seconds between bytes of the answer
# FRED revises at most daily and SEC facts change only when filings land, so both can be kept
# longer than the default; the keys are requests-cache host globs.
URL_EXPIRY = {
    "fred.stlouisfed.org": datetime.timedelta(hours=6),
    "api.stlouisfed.org": datetime.timedelta(hours=6),
    "data.sec.gov": datetime.timedelta(days=1),
    "www.sec.gov": datetime.timedelta(days=1),
}


_API_KEY_VALUE = re.compile(r"(api_key=)[^&\s\"']+", re.IGNORECASE)


def redact(text: str, *secrets: str) -> str:
    """`text` with every `api_key=` value and each of `secrets` masked as "…".

    FRED's API takes its key only in the query string, so any text quoting a request URL (a log
    line, an error message) carries it.
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, "…")
    return _API_KEY_VALUE.sub(r"\1…", text)


class _RedactApiKeys(logging.Filter):
    """Masks `api_key=` values in log records: urllib3 and requests-cache log whole URLs at
    DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "api_key=" in message.lower():
            record.msg, record.args = redact(message), ()
        return True


# A logger's filters see only the records it creates itself, so each module logger gets one.
for _name in list(logging.Logger.manager.loggerDict):
    if _name.partition(".")[0] in ("urllib3", "requests_cache"):
        logging.getLogger(_name).addFilter(_RedactApiKeys())


class RateLimiter:
    """Spaces calls at least 1/per_second apart across all threads that share the instance."""

    def __init__(
        self,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if per_second <= 0:
            raise ValueError(f"per_second must be positive, got {per_second}")
        self.per_second = per_second
        self._interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = float("-inf")

    def wait(self) -> None:
        # Reserve a slot under the lock but sleep outside it, so waiting threads queue up in
        # order instead of all waking at once when the lock is released.
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self._interval
        if slot > now:
            self._sleep(slot - now)

    def defer(self, seconds: float) -> None:
        """Hand out no slot sooner than `seconds` from now: the host asked every caller to wait."""
        with self._lock:
            self._next_slot = max(self._next_slot, self._clock() + seconds)


@dataclass(frozen=True)
class Retry:
    """How `get` treats a transient failure: a timeout, HTTP 429, a 5xx or a cut-off answer.

    Attempt n + 1 waits `backoff * 2 ** (n - 1)` seconds, or after a 429 the Retry-After the host
    sends, never more than `max_wait`: a Retry-After above it gives up at once, because a refresh
    that sleeps for minutes looks hung. The wait goes through the source's RateLimiter (`defer`),
    so other threads asking the same host wait too and retries never exceed the host's rate.
    """

    attempts: int = 3
    backoff: float = 1.0
    max_wait: float = 30.0


RETRY = Retry()


def cached_session(
    cache_path: pathlib.Path, *, stale_if_error: bool = False
) -> requests_cache.CachedSession:
    """One SQLite-backed session for the REST sources.

    An expired answer is not served in place of a failed request unless `stale_if_error` is set:
    a refresh must see its failures (the store keeps the last good data and the pages mark it
    "stale since"; a stale HTTP answer would be recorded as a fresh "ok, unchanged"). Only a
    lookup with no other copy to fall back on asks for it (the ticker list of
    liquidity/ingest/filers.py).

    requests-cache's default `ignored_parameters` stay in place: they keep api keys out of cache
    keys and out of the stored requests. CoinGlass's key header is added to them, because it is
    not one of the names requests-cache knows, and so is User-Agent: the SEC's carries the
    operator's name and e-mail (SEC_USER_AGENT), which has no business in a cache file.
    """
    session = requests_cache.CachedSession(
        str(cache_path),
        backend="sqlite",
        ignored_parameters=(*DEFAULT_IGNORED_PARAMS, "CG-API-KEY", "User-Agent"),
        expire_after=DEFAULT_EXPIRY,
        urls_expire_after=URL_EXPIRY,
        stale_if_error=stale_if_error,
        allowable_codes=(200,),
    )
    session.headers["User-Agent"] = DEFAULT_USER_AGENT
    return session


def plain_session() -> requests.Session:
    """A session without a cache, for answers not worth keeping, with the project's User-Agent."""
    session = requests.Session()
    session.headers["User-Agent"] = DEFAULT_USER_AGENT
    return session


def get(
    session: requests.Session,
    url: str,
    *,
    source: str,
    limiter: RateLimiter,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | tuple[float, float] = TIMEOUT,
    expect: tuple[int, ...] = (200,),
    retry: Retry | None = None,
) -> requests.Response:
    """GET `url`, returning the response when its status is in `expect` and raising otherwise.

    Callers that give a status a meaning (SEC: 404 = tag never used) add it to `expect`; such a
    status is returned, never retried. `retry` defaults to the module's RETRY.
    """
    retry = retry or RETRY
    host = urlsplit(url).hostname or url
    for attempt in range(1, retry.attempts + 1):
        limiter.wait()
        try:
            response = session.get(url, params=params, headers=headers, timeout=timeout)
        except requests.Timeout as exc:  # before ConnectionError: ConnectTimeout is both
            failure, wait = exc, None
        except requests.ConnectionError as exc:  # refused or unresolvable: retrying will not help
            raise SourceUnavailable(
                source,
                f"could not reach {host}: connection refused or host not found"
                " — you may be offline",
            ) from exc
        except requests.exceptions.ChunkedEncodingError as exc:  # body shorter than announced
            failure, wait = exc, None
        except requests.RequestException as exc:
            raise SourceError(source, f"request to {host} failed ({type(exc).__name__})") from exc
        else:
            status = response.status_code
            if status in expect:
                return response
            if status == 429:
                wait = retry_after_seconds(
                    response.headers.get("Retry-After"), now=datetime.datetime.now(datetime.UTC)
                )
                if wait is not None and wait > retry.max_wait:
                    raise RateLimited(
                        source,
                        f"{host} is rate limiting requests (HTTP 429) and asks to wait "
                        f"{wait:.0f} s, longer than the {retry.max_wait:.0f} s a refresh waits; "
                        f"try again in {wait:.0f} s",
                        wait,
                    )
                failure = response
            elif status >= 500:
                failure, wait = response, None
            else:
                raise SourceError(source, f"{host} answered HTTP {status} for {urlsplit(url).path}")
        if attempt < retry.attempts:
            backoff = retry.backoff * 2 ** (attempt - 1) if wait is None else wait
            limiter.defer(min(backoff, retry.max_wait))
    error = _gave_up(failure, wait, source, host, urlsplit(url).path, retry.attempts)
    raise error from (failure if isinstance(failure, Exception) else None)


def _gave_up(
    failure: requests.Response | Exception,
    wait: float | None,
    source: str,
    host: str,
    path: str,
    attempts: int,
) -> SourceError:
    """The error for the last of `attempts` transient failures (`wait`: its Retry-After)."""
    tries = f"{attempts} attempts" if attempts > 1 else "1 attempt"
    if isinstance(failure, requests.Timeout):
        return SourceUnavailable(
            source, f"could not reach {host}: timed out ({tries}) — you may be offline"
        )
    if isinstance(failure, Exception):
        return SourceError(
            source,
            f"the answer from {host} for {path} was cut off: the connection closed before the "
            f"whole body arrived ({tries})",
        )
    if failure.status_code == 429:
        return RateLimited(source, f"{host} is rate limiting requests (HTTP 429; {tries})", wait)
    return SourceError(source, f"{host} answered HTTP {failure.status_code} for {path} ({tries})")


def retry_after_seconds(value: str | None, *, now: datetime.datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP date); None if unreadable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    # RFC 9110 dates are GMT; parsedate_to_datetime leaves "-0000" zones naive.
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, (when - now).total_seconds())


def reject_html(text: str, *, source: str, server: str, expected: str) -> None:
    """Raise when `text` is markup: block and maintenance pages come as HTML, often with 200."""
    if text.lstrip()[:1] == "<":
        raise _blocked(source, server, expected)


_HTML_PAGE = re.compile(r"\s*(<!doctype\s+html|<html[\s>])", re.IGNORECASE)


def reject_html_page(text: str, *, source: str, server: str, expected: str) -> None:
    """Raise when `text`, expected to be XML (markup itself), is an HTML page instead."""
    if _HTML_PAGE.match(text):
        raise _blocked(source, server, expected)


def _blocked(source: str, server: str, expected: str) -> SourceError:
    return SourceError(
        source,
        f"{server} answered with an HTML page instead of {expected} (blocked or maintenance)",
    )


def validate_start(start: datetime.date | None) -> datetime.date | None:
    """The start date rule of every source: a date, not in the future; None = full history."""
    if start is None:
        return None
    if not isinstance(start, datetime.date):
        # ValueError like every other bad request, so callers need one except clause.
        raise ValueError(f"start must be a date, got {start!r}")  # noqa: TRY004
    if isinstance(start, datetime.datetime):
        start = start.date()
    if start > datetime.date.today():
        raise ValueError(f"start {start.isoformat()} is in the future")
    return start


def shape_rows(
    rows: Any,
    *,
    time_key: str,
    index_name: str,
    columns: dict[str, str],
    source: str,
    what: str,
) -> pd.DataFrame:
    """JSON rows of dicts → float64 columns on an ascending, unique UTC index named `index_name`.

    `time_key` holds epoch milliseconds; `columns` maps output names to row keys. Numbers sent
    as strings are read; anything unreadable becomes NaN, a missing key an error.
    """
    if not isinstance(rows, list):
        raise SourceError(source, f"{what}: expected a list of rows, got {type(rows).__name__}")
    try:
        stamps = [int(row[time_key]) for row in rows]
        values = {out: [row[key] for row in rows] for out, key in columns.items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise SourceError(source, f"{what}: unreadable row ({exc!r})") from exc
    index = pd.DatetimeIndex(
        pd.to_datetime(pd.Series(stamps, dtype="int64"), unit="ms", utc=True), name=index_name
    ).as_unit("us")
    frame = pd.DataFrame(
        {
            out: pd.to_numeric(pd.Series(v, dtype=object), errors="coerce").to_numpy("float64")
            for out, v in values.items()
        },
        index=index,
    )
    return frame[~frame.index.duplicated(keep="last")].sort_index()


def json_number(value: Any, *, source: str, where: str, nulls: tuple[str, ...] = ("",)) -> float:
    """A JSON number or numeric string as a finite float; NaN for null (None, or a string in
    `nulls`: FiscalData writes "null"); anything else is a SourceError naming `where`."""
    if value is None or (isinstance(value, str) and value.strip() in nulls):
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SourceError(source, f"{where}: not a number ({value!r})")
    try:
        number = float(value)
    except ValueError:
        raise SourceError(source, f"{where}: not a number ({value!r})") from None
    if not math.isfinite(number):
        raise SourceError(source, f"{where}: not a finite number ({value!r})")
    return number
