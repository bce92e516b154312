"""FRED series: keyless `fredgraph.csv` by default, the keyed API through fredapi when a key exists.

Both paths return the same frame: DatetimeIndex "date" (ascending, tz-naive) and one float64
column "value", with missing observations kept as NaN rows.
"""

from __future__ import annotations

import datetime
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any

import fredapi
import pandas as pd
import requests

from liquidity.errors import RateLimited, SourceError, SourceUnavailable
from liquidity.sources import http

SOURCE = "fred"
FRED_CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
SERIES_ID_PATTERN = re.compile(r"^[A-Z0-9_]{1,40}$")
# FRED throttles per second since 2026 and counts keyed and keyless calls alike (SOURCES.md §3.3).
LIMITER = http.RateLimiter(per_second=2)


@dataclass(frozen=True)
class FredRequest:
    series_id: str
    start: datetime.date | None


def validate_request(series_id: str, start: datetime.date | None = None) -> FredRequest:
    series_id = str(series_id).strip().upper()
    if not SERIES_ID_PATTERN.match(series_id):
        raise ValueError(
            f"invalid FRED series id {series_id!r}: use letters, digits and _ (max 40)"
        )
    return FredRequest(series_id=series_id, start=http.validate_start(start))


def fetch_csv(session: requests.Session, request: FredRequest) -> str:
    # One id per request: several ids with mixed frequencies come back as a ZIP.
    params = {"id": request.series_id}
    if request.start is not None:
        params["cosd"] = request.start.isoformat()
    response = http.get(session, FRED_CSV_URL, source=SOURCE, limiter=LIMITER, params=params)
    return response.text


def parse_csv(text: str, series_id: str) -> pd.DataFrame:
    """Shape a fredgraph.csv body; columns are read by position (the header changed in 2024)."""
    if not text.strip():
        return shape_observations([], [], series_id)
    http.reject_html(text, source=SOURCE, server="fred.stlouisfed.org", expected="CSV")
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except ValueError as exc:  # pandas' ParserError and EmptyDataError are ValueErrors
        raise SourceError(SOURCE, f"{series_id}: unreadable CSV ({exc})") from exc
    if raw.shape[1] != 2:
        raise SourceError(
            SOURCE,
            f"{series_id}: expected 2 CSV columns (date, value), got {raw.shape[1]}",
        )
    return shape_observations(raw.iloc[:, 0].tolist(), raw.iloc[:, 1].tolist(), series_id)


def fetch_api(fred_client: fredapi.Fred, request: FredRequest) -> pd.DataFrame:
    series = call_api(fred_client.get_series, request.series_id, observation_start=request.start)
    return shape_observations(list(series.index), series.tolist(), request.series_id)


def api_units(fred_client: fredapi.Fred, series_id: str) -> str:
    """The units FRED declares for a series, for start-up assertions (WTREGEN is disputed)."""
    request = validate_request(series_id)
    return str(call_api(fred_client.get_series_info, request.series_id)["units"])


def fetch_series(
    series_id: str,
    start: datetime.date | None = None,
    *,
    session: requests.Session | None = None,
    api_key: str | None = None,
    fred_factory: Callable[..., fredapi.Fred] = fredapi.Fred,
) -> pd.DataFrame:
    request = validate_request(series_id, start)
    if api_key:
        return fetch_api(fred_factory(api_key=api_key), request)
    if session is None:
        raise ValueError("the keyless FRED path needs a session (e.g. http.cached_session(path))")
    return parse_csv(fetch_csv(session, request), request.series_id)


def call_api(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run one fredapi call under the shared limiter, turning its exceptions into source errors.

    A rate-limit answer is retried like `http.get` retries a 429 (fredapi hides the Retry-After
    header, so with the exponential backoff alone); fredapi reports every other HTTP error as the
    same ValueError, so nothing else is retried. fredapi sets no timeout: a host that accepts
    the connection and never answers blocks the call (the keyless path has timeouts).
    """
    retry = http.RETRY
    for attempt in range(1, retry.attempts):
        LIMITER.wait()
        try:
            return _call_once(method, *args, **kwargs)
        except RateLimited:
            LIMITER.defer(min(retry.backoff * 2 ** (attempt - 1), retry.max_wait))
    LIMITER.wait()
    return _call_once(method, *args, **kwargs)


def _call_once(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """fredapi reports FRED's error messages as ValueError and lets urllib's network errors,
    cut-off bodies and unexpected documents through."""
    try:
        return method(*args, **kwargs)
    except ValueError as exc:
        said = exc.args[0] if exc.args and isinstance(exc.args[0], str) else ""
        if not said:  # an error page with no FRED message in it: a proxy or block page
            raise SourceError(
                SOURCE, "api.stlouisfed.org answered with an error page that is not FRED's"
            ) from exc
        if "too many requests" in said.lower():
            raise RateLimited(SOURCE, f"api.stlouisfed.org: {said}") from exc
        raise SourceError(SOURCE, f"api.stlouisfed.org: {said}") from exc
    except ET.ParseError as exc:
        # An error page that is not FRED's XML: a proxy or block page.
        raise SourceError(
            SOURCE, "api.stlouisfed.org answered with an unreadable error page"
        ) from exc
    except TypeError as exc:
        # Well-formed markup without FRED's observation attributes (an XHTML block page).
        raise SourceError(
            SOURCE, "api.stlouisfed.org answered with a page that is not FRED's XML"
        ) from exc
    except HTTPException as exc:  # IncompleteRead: the connection closed mid-body
        raise SourceError(
            SOURCE, "the answer from api.stlouisfed.org was cut off before its end"
        ) from exc
    except OSError as exc:
        # urllib.error.URLError, socket timeouts and refused connections are all OSErrors.
        raise SourceUnavailable(
            SOURCE, "could not reach api.stlouisfed.org — you may be offline"
        ) from exc


def shape_observations(dates: list[Any], values: list[Any], series_id: str) -> pd.DataFrame:
    try:
        stamps = pd.to_datetime(pd.Series(dates, dtype=object), format="ISO8601")
    except (ValueError, TypeError) as exc:
        raise SourceError(SOURCE, f"{series_id}: unreadable observation date ({exc})") from exc
    # Microseconds whatever the input (an empty list would give seconds): the Parquet store reads
    # dates back as datetime64[us], so fresh and stored frames compare equal.
    index = pd.DatetimeIndex(stamps, name="date").as_unit("us")
    # Missing observations are '.' (historically) or an empty field (2026 files); coercion turns
    # both into NaN rows, as SOURCES.md §3.1 prescribes.
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    frame = pd.DataFrame({"value": numbers.to_numpy(dtype="float64")}, index=index)
    duplicated = frame.index[frame.index.duplicated()]
    if len(duplicated):
        raise SourceError(
            SOURCE,
            f"{series_id}: duplicate observation dates, first {duplicated[0].date()}",
        )
    return frame.sort_index()
