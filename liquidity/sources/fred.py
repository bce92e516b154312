"""FRED series: keyless `fredgraph.csv` by default, the keyed REST API when a key exists.

Steps: `validate_request` → `fetch_csv` / `fetch_observations` (text / JSON; HTTP, HTML and
FRED's own error answers raise) → `parse_csv` / `parse_observations`; `get_series` runs the three.
Both paths go through the same session and `http.get` (timeouts, retries, the shared limiter,
requests-cache) and give the same frame: DatetimeIndex "date" (ascending, tz-naive) and one
float64 column "value", with missing observations kept as NaN rows.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import requests

from liquidity.core.errors import SourceError
from liquidity.sources import http

SOURCE = "fred"
FRED_CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
API_HOST = "api.stlouisfed.org"
FRED_OBSERVATIONS_URL = f"https://{API_HOST}/fred/series/observations"
FRED_SERIES_URL = f"https://{API_HOST}/fred/series"
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
    http.reject_html(response.text, source=SOURCE, server="fred.stlouisfed.org", expected="CSV")
    return response.text


def parse_csv(text: str, series_id: str) -> pd.DataFrame:
    """Shape a fredgraph.csv body; columns are read by position (the header changed in 2024)."""
    if not text.strip():
        return _observation_frame([], [], series_id)
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except ValueError as exc:  # pandas' ParserError and EmptyDataError are ValueErrors
        raise SourceError(SOURCE, f"{series_id}: unreadable CSV ({exc})") from exc
    if raw.shape[1] != 2:
        raise SourceError(
            SOURCE,
            f"{series_id}: expected 2 CSV columns (date, value), got {raw.shape[1]}",
        )
    return _observation_frame(raw.iloc[:, 0].tolist(), raw.iloc[:, 1].tolist(), series_id)


def fetch_observations(
    session: requests.Session, request: FredRequest, api_key: str
) -> dict[str, Any]:
    """The keyed path: FRED's REST API, through the shared `http.get` like the keyless one.

    The key is a query parameter (the API takes it nowhere else); requests-cache leaves
    `api_key` out of its cache keys and stored URLs.
    """
    params = {"series_id": request.series_id, "api_key": api_key, "file_type": "json"}
    if request.start is not None:
        params["observation_start"] = request.start.isoformat()
    return _get_json(session, FRED_OBSERVATIONS_URL, params, api_key)


def parse_observations(payload: dict[str, Any], series_id: str) -> pd.DataFrame:
    """Shape a series/observations answer: values are strings, "." marks a missing one."""
    observations = payload.get("observations")
    if not isinstance(observations, list):
        raise SourceError(SOURCE, f"{series_id}: the API answer has no observations list")
    try:
        dates = [row["date"] for row in observations]
        values = [row["value"] for row in observations]
    except (KeyError, TypeError) as exc:
        raise SourceError(
            SOURCE, f"{series_id}: an observation without date or value ({exc!r})"
        ) from exc
    return _observation_frame(dates, values, series_id)


def fetch_series_info(
    session: requests.Session, request: FredRequest, api_key: str
) -> dict[str, Any]:
    """The keyed fred/series answer: title, units, frequency... of one series."""
    params = {"series_id": request.series_id, "api_key": api_key, "file_type": "json"}
    return _get_json(session, FRED_SERIES_URL, params, api_key)


def parse_units(payload: dict[str, Any], series_id: str) -> str:
    """The units FRED declares for a series, for start-up assertions (WTREGEN is disputed)."""
    try:
        return str(payload["seriess"][0]["units"])
    except (KeyError, IndexError, TypeError) as exc:
        raise SourceError(SOURCE, f"{series_id}: the API answer has no units") from exc


def get_series(
    series_id: str,
    start: datetime.date | None = None,
    *,
    session: requests.Session | None = None,
    api_key: str | None = None,
) -> pd.DataFrame:
    """validate_request → fetch → parse, through the keyed API when `api_key` is given."""
    request = validate_request(series_id, start)
    if session is None:
        raise ValueError("FRED needs a session (e.g. http.cached_session(path))")
    if api_key:
        return parse_observations(fetch_observations(session, request, api_key), request.series_id)
    return parse_csv(fetch_csv(session, request), request.series_id)


def _get_json(
    session: requests.Session, url: str, params: dict[str, str], api_key: str
) -> dict[str, Any]:
    """GET a keyed API document; FRED's own error answers (HTTP 400) become its message."""
    try:
        response = http.get(
            session, url, source=SOURCE, limiter=LIMITER, params=params, expect=(200, 400)
        )
    except SourceError as exc:
        # requests' exceptions quote the whole URL, key included: keep them out of tracebacks.
        raise exc from None
    http.reject_html(response.text, source=SOURCE, server=API_HOST, expected="JSON")
    try:
        payload = json.loads(response.text)
    except ValueError:
        payload = None
    if response.status_code == 400:
        said = payload.get("error_message") if isinstance(payload, dict) else None
        if not said:
            raise SourceError(SOURCE, f"{API_HOST} answered HTTP 400 for {urlsplit(url).path}")
        # FRED's messages name the api_key parameter; a future one might quote its value.
        raise SourceError(SOURCE, f"{API_HOST}: {str(said).replace(api_key, '…')}")
    if not isinstance(payload, dict):
        raise SourceError(SOURCE, f"{API_HOST} answered with a document that is not FRED's JSON")
    return payload


def _observation_frame(dates: list[Any], values: list[Any], series_id: str) -> pd.DataFrame:
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
