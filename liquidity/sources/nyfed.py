"""NY Fed Markets API (keyless): overnight reverse repo results and the SOFR and EFFR fixings.

Steps: `validate_rate` / `validate_window` (ValueError) → `fetch_rrp`, `fetch_rates` (one JSON
answer for one window through `_get_json`, the module's one network seam; HTML, unreadable JSON
and non-objects raise SourceError) → `parse_rrp`, `parse_rates` (pure: payload → dated frame).
`get_rrp` and `get_rate` split a long window into one-year requests, run the three steps for
each and join the pieces in date order; they return the frame and the number of requests sent.

The RRP frame holds one row per operation day: the largest overnight reverse repo operation of
that day, "Small Value Exercise" test operations and term operations left out (SOURCES.md §4).
A day whose operation accepted nothing is a true 0; a day without an operation has no row.
Dates are naive calendar days (the operation or effective date, New York time).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import requests

from liquidity.core.catalog import RATE_COLUMNS, RRP_COLUMNS
from liquidity.core.errors import SourceError
from liquidity.sources import http

SOURCE = "nyfed"
BASE_URL = "https://markets.newyorkfed.org/api"
RRP_PATH = "/rp/reverserepo/all/results/search.json"
RATE_PATHS = {
    "SOFR": "/rates/secured/sofr/search.json",
    "EFFR": "/rates/unsecured/effr/search.json",
}
RATES = ("SOFR", "EFFR")
# The NY Fed documents no rate limit (SOURCES.md, Additions table: "not documented"), so requests
# are spaced politely: a full-history refresh is a few dozen one-year requests, which this lets
# through in seconds without ever bursting at a public service that publishes no limit.
LIMITER = http.RateLimiter(per_second=4)
# First day of each history, the default start of a request (ON RRP results, SOFR's first
# publication, the EFFR's first day in the NY Fed's series).
FIRST_DAY = {
    "RRP": datetime.date(2014, 1, 1),
    "SOFR": datetime.date(2018, 4, 2),
    "EFFR": datetime.date(2000, 7, 3),
}
# The NY Fed dates a fixing by its business day and publishes it the next morning, New York
# time; a caller east of New York may already be on the next calendar day.
FUTURE_TOLERANCE = datetime.timedelta(days=1)

OVERNIGHT = "overnight"
REVERSE_REPO = "reverse repo"
SMALL_VALUE = "small value"  # "Small Value Exercise": a test operation, not market demand


# --- validate --------------------------------------------------------------------------------


def validate_rate(rate: str) -> str:
    if rate not in RATES:
        raise ValueError(f"unknown NY Fed rate {rate!r}: one of {', '.join(RATES)}")
    return rate


def validate_window(
    start: datetime.date | None, end: datetime.date | None, *, first: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """(start, end) of a request: dates, start ≤ end, neither after tomorrow.

    `start` defaults to `first` (the history's first day), `end` to today.
    """
    today = datetime.date.today()
    start = first if start is None else _as_date(start, "start")
    end = today if end is None else _as_date(end, "end")
    latest = today + FUTURE_TOLERANCE
    for name, value in (("start", start), ("end", end)):
        if value > latest:
            raise ValueError(f"{name} {value.isoformat()} is in the future")
    if start > end:
        raise ValueError(f"start {start.isoformat()} is after end {end.isoformat()}")
    return start, end


def _as_date(value: Any, name: str) -> datetime.date:
    if not isinstance(value, datetime.date):
        # ValueError like every other bad request, so callers need one except clause.
        raise ValueError(f"{name} must be a date, got {value!r}")  # noqa: TRY004
    return value.date() if isinstance(value, datetime.datetime) else value


def request_windows(
    start: datetime.date, end: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """`start`..`end` (inclusive) cut into one-year pieces, in order: one request each."""
    pieces = []
    while start <= end:
        following = _one_year_later(start)
        pieces.append((start, min(end, following - datetime.timedelta(days=1))))
        start = following
    return pieces


def _one_year_later(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return datetime.date(day.year + 1, 3, 1)


# --- fetch -----------------------------------------------------------------------------------


def fetch_rrp(session: requests.Session, start: datetime.date, end: datetime.date) -> dict:
    """One reverse repo results answer for `start`..`end` (all operations, unfiltered)."""
    return _get_json(session, RRP_PATH, _window_params(start, end))


def fetch_rates(
    session: requests.Session, rate: str, start: datetime.date, end: datetime.date
) -> dict:
    """One `refRates` answer of `rate` for `start`..`end`."""
    return _get_json(session, RATE_PATHS[validate_rate(rate)], _window_params(start, end))


def _window_params(start: datetime.date, end: datetime.date) -> dict[str, str]:
    return {"startDate": start.isoformat(), "endDate": end.isoformat()}


def _get_json(session: requests.Session, path: str, params: Mapping[str, str]) -> dict:
    """The NY Fed's one network seam: a GET through `http.get`, answered by a JSON object."""
    response = http.get(
        session,
        BASE_URL + path,
        source=SOURCE,
        limiter=LIMITER,
        params=params,
        headers={"Accept": "application/json"},
    )
    http.reject_html(response.text, source=SOURCE, server="markets.newyorkfed.org", expected="JSON")
    try:
        payload = response.json()
    except ValueError as exc:
        raise SourceError(SOURCE, f"unreadable JSON from {path}") from exc
    if not isinstance(payload, dict):
        raise SourceError(SOURCE, f"expected a JSON object from {path}")
    return payload


# --- parse -----------------------------------------------------------------------------------


def parse_rrp(payload: Any) -> pd.DataFrame:
    """Overnight reverse repo results → one row per operation day (RRP_COLUMNS).

    Kept: operationType "Reverse Repo" with term "Overnight" and results published
    (auctionStatus "Results" where given); dropped: term operations, other operation types and
    "Small Value Exercise" tests (named in the note or the operation method). Of several kept
    operations on one day the largest (totalAmtAccepted) stands for the day.
    """
    operations = _rows(payload, "repo", "operations")
    kept: dict[str, tuple[pd.Timestamp, float]] = {}
    for position, operation in enumerate(operations):
        where = f"repo.operations[{position}]"
        if not isinstance(operation, dict):
            raise SourceError(SOURCE, f"{where} is not an object")
        if not _is_overnight_rrp(operation, where):
            continue
        operation_id = str(_field(operation, "operationId", where)).strip()
        where = f"operation {operation_id!r}"
        day = _day(_field(operation, "operationDate", where), f"{where} operationDate")
        amount = _number(_field(operation, "totalAmtAccepted", where), f"{where} totalAmtAccepted")
        if math.isnan(amount) or amount < 0:
            raise SourceError(
                SOURCE,
                f"{where} has no usable totalAmtAccepted ({operation['totalAmtAccepted']!r})",
            )
        if operation_id in kept and kept[operation_id] != (day, amount):
            raise SourceError(SOURCE, f"{where} is listed twice with different values")
        kept[operation_id] = (day, amount)
    # Largest operation of each day; equal amounts fall to the higher operation id, so the pick
    # never depends on the order of the answer.
    best: dict[pd.Timestamp, tuple[float, str]] = {}
    for operation_id, (day, amount) in kept.items():
        if day not in best or (amount, operation_id) > best[day]:
            best[day] = (amount, operation_id)
    days = sorted(best)
    usd = [best[d][0] for d in days]
    frame = pd.DataFrame(
        {
            "total_accepted_busd": [value / 1e9 for value in usd],
            "total_amt_accepted_usd": usd,
            "operation_id": [best[d][1] for d in days],
        },
        index=_index(days),
    )
    frame = frame.astype(
        {
            "total_accepted_busd": "float64",
            "total_amt_accepted_usd": "float64",
            "operation_id": "str",
        }
    )
    return frame[list(RRP_COLUMNS)]


def parse_rates(payload: Any, rate: str) -> pd.DataFrame:
    """A `refRates` answer of `rate` → rate_pct (percent) and volume_busd ($ billions) per day.

    A missing or null volumeInBillions is NaN; a row of another rate type is an error (the
    wrong endpoint answered), as is one date listed twice with different values.
    """
    rate = validate_rate(rate)
    rows = _rows(payload, "refRates")
    by_day: dict[pd.Timestamp, tuple[float, float]] = {}
    for position, row in enumerate(rows):
        where = f"refRates[{position}]"
        if not isinstance(row, dict):
            raise SourceError(SOURCE, f"{where} is not an object")
        kind = _field(row, "type", where)
        if str(kind).strip().upper() != rate:
            raise SourceError(SOURCE, f"{where} is a {kind!r} rate in an answer for {rate}")
        day = _day(_field(row, "effectiveDate", where), f"{where} effectiveDate")
        where = f"{rate} {day.date().isoformat()}"
        percent = _number(_field(row, "percentRate", where), f"{where} percentRate")
        if math.isnan(percent):
            raise SourceError(SOURCE, f"{where} has no percentRate")
        volume = _number(row.get("volumeInBillions"), f"{where} volumeInBillions")
        value = (percent, volume)
        if day in by_day and not _same(by_day[day], value):
            raise SourceError(
                SOURCE, f"{where} is listed twice with different values ({by_day[day]} vs {value})"
            )
        by_day[day] = value
    days = sorted(by_day)
    frame = pd.DataFrame(
        {
            "rate_pct": [by_day[d][0] for d in days],
            "volume_busd": [by_day[d][1] for d in days],
        },
        index=_index(days),
        dtype="float64",
    )
    return frame[list(RATE_COLUMNS)]


def _rows(payload: Any, *keys: str) -> list:
    """The list at payload[keys[0]][keys[1]]...; a missing key is a schema change."""
    node = payload
    path = ""
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            found = sorted(node)[:5] if isinstance(node, dict) else type(node).__name__
            raise SourceError(SOURCE, f"the answer has no {path}{key!r} (found {found})")
        node = node[key]
        path += f"{key!r} → "
    if not isinstance(node, list):
        raise SourceError(SOURCE, f"{path[:-3]} is not a list (got {type(node).__name__})")
    return node


def _is_overnight_rrp(operation: dict, where: str) -> bool:
    kind = str(_field(operation, "operationType", where)).strip().lower()
    term = str(_field(operation, "term", where)).strip().lower()
    status = str(operation.get("auctionStatus") or "Results").strip().lower()
    labels = f"{operation.get('note') or ''} {operation.get('operationMethod') or ''}".lower()
    return (
        kind == REVERSE_REPO
        and term == OVERNIGHT
        and status == "results"
        and SMALL_VALUE not in labels
    )


def _field(row: dict, name: str, where: str) -> Any:
    if name not in row:
        raise SourceError(SOURCE, f"{where} has no {name} field (the API's schema changed?)")
    return row[name]


def _day(value: Any, where: str) -> pd.Timestamp:
    day = (
        pd.to_datetime(value, format="%Y-%m-%d", errors="coerce")
        if isinstance(value, str)
        else None
    )
    if day is None or pd.isna(day):
        raise SourceError(SOURCE, f"{where}: unreadable date {value!r} (expected YYYY-MM-DD)")
    return day


def _number(value: Any, where: str) -> float:
    """NaN for null or "" (an absent volume); see `http.json_number`."""
    return http.json_number(value, source=SOURCE, where=where)


def _same(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True))


def _index(days: list[pd.Timestamp]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(days, name="date", dtype="datetime64[us]")


# --- get -------------------------------------------------------------------------------------


def get_rrp(
    session: requests.Session,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> tuple[pd.DataFrame, int]:
    """The overnight RRP of `start`..`end` (default 2014-01-01..today) and the requests sent.

    The count is one per one-year window; retries inside `http.get` are not counted.
    """
    start, end = validate_window(start, end, first=FIRST_DAY["RRP"])
    pieces = [parse_rrp(fetch_rrp(session, a, b)) for a, b in request_windows(start, end)]
    return _join(pieces, "RRP"), len(pieces)


def get_rate(
    session: requests.Session,
    rate: str,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> tuple[pd.DataFrame, int]:
    """SOFR or EFFR fixings of `start`..`end` (default the first fixing..today) and the requests
    sent (one per one-year window)."""
    rate = validate_rate(rate)
    start, end = validate_window(start, end, first=FIRST_DAY[rate])
    pieces = [
        parse_rates(fetch_rates(session, rate, a, b), rate) for a, b in request_windows(start, end)
    ]
    return _join(pieces, rate), len(pieces)


def _join(pieces: list[pd.DataFrame], what: str) -> pd.DataFrame:
    """The windows' frames as one, in date order; a day two windows disagree on raises."""
    frame = pd.concat(pieces) if len(pieces) > 1 else pieces[0]
    repeated = frame.index.duplicated(keep="first")
    if repeated.any():
        twice = frame[frame.index.isin(frame.index[repeated])]
        for day, rows in twice.groupby(level=0):
            if len(rows.drop_duplicates()) > 1:
                raise SourceError(
                    SOURCE, f"{what} {day.date().isoformat()} differs between two answers"
                )
        frame = frame[~repeated]
    return frame.sort_index(kind="stable")
