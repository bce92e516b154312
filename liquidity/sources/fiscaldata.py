"""Treasury FiscalData (keyless REST): the daily TGA and Treasury auctions.

Steps: validation (`fetch_pages` checks the endpoint, field names, filters and sort before any
request; `get_*` check their start date with `http.validate_start`) → `fetch_pages` (every page
of one query through `_get_json`, the module's one network seam; HTML, unreadable JSON, JSON
without "data", a row without a requested field, a page cut short and a total-count that does
not match the rows raise SourceError) → `parse_tga`, `parse_auctions` (pure: rows → frame).
`get_tga`, `get_auctions` and `get_upcoming` run the three steps and return the frame and the
number of HTTP requests sent (one per page; retries inside `http.get` are not counted).

Every value in a FiscalData answer is a string and a missing one is the string "null".

The TGA closing balance has had three `account_type` labels (SOURCES.md §4), and in the newest
era its value moved to another column:

    "Federal Reserve Account"                         until 2021-09-30         close_today_bal
    "Treasury General Account (TGA)"                  2021-10-01 → 2022-04-15  close_today_bal
    "Treasury General Account (TGA) Closing Balance"  from 2022-04-18          open_today_bal

(in the last era close_today_bal is "null" on every row). `parse_tga` splices the three into one
series; a date that carries two labels keeps the newest one.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
import requests

from liquidity.core.catalog import AUCTION_COLUMNS, TGA_COLUMNS
from liquidity.core.errors import SourceError
from liquidity.sources import http

SOURCE = "fiscaldata"
BASE_URL = "https://api.fiscaldata.treasury.gov/services/api/fiscal_service"
SERVER = "api.fiscaldata.treasury.gov"
TGA_PATH = "/v1/accounting/dts/operating_cash_balance"
AUCTIONS_PATH = "/v1/accounting/od/auctions_query"
UPCOMING_PATH = "/v1/accounting/od/upcoming_auctions"
ENDPOINTS = (TGA_PATH, AUCTIONS_PATH, UPCOMING_PATH)
# FiscalData publishes no numeric rate limit, only that "excessive" use "may be throttled"
# (SOURCES.md, Additions table). A full refresh is a handful of 10,000-row pages, so 4
# requests/s costs nothing here and never bursts at a public service that states no limit.
LIMITER = http.RateLimiter(per_second=4)
MAX_PAGE_SIZE = 10_000  # the API's ceiling for page[size]
# The longest history read here (auctions since 1979, a few DTS rows per day since 2005) is well
# under 100,000 rows; an answer announcing more pages than this is not believed.
MAX_PAGES = 1_000

TGA_FIELDS = ("record_date", "account_type", "close_today_bal", "open_today_bal")
AUCTION_FIELDS = (
    "record_date",
    "cusip",
    "security_type",
    "security_term",
    "auction_date",
    "issue_date",
    "maturity_date",
    "offering_amt",
    "total_accepted",
    "announcemt_date",  # sic: the API's spelling
)
UPCOMING_FIELDS = (
    "record_date",
    "security_type",
    "security_term",
    "reopening",
    "cusip",
    "offering_amt",
    "announcemt_date",
    "auction_date",
    "issue_date",
)
# account_type → (the column holding the closing balance, era rank: higher = newer label).
TGA_ERAS = {
    "Federal Reserve Account": ("close_today_bal", 0),
    "Treasury General Account (TGA)": ("close_today_bal", 1),
    "Treasury General Account (TGA) Closing Balance": ("open_today_bal", 2),
}
AUCTIONS_SOURCE = "fiscaldata:auctions_query"
UPCOMING_SOURCE = "fiscaldata:upcoming_auctions"

# Field names and filter parts go into the query string, so only plain identifiers pass, and a
# filter value may not hold the characters that separate conditions (",") or their parts (":").
FIELD_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
OPERATORS = ("eq", "gt", "gte", "lt", "lte", "in")
VALUE_PATTERN = re.compile(r"^[A-Za-z0-9 ._()/&'-]{1,100}$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NULL = "null"

Filter = str | tuple[str, str, Any]


# --- validate --------------------------------------------------------------------------------


def validate_endpoint(endpoint: str) -> str:
    if endpoint not in ENDPOINTS:
        raise ValueError(f"unknown FiscalData endpoint {endpoint!r}: one of {', '.join(ENDPOINTS)}")
    return endpoint


def validate_fields(fields: Iterable[str]) -> tuple[str, ...]:
    if isinstance(fields, str):
        raise ValueError(f"fields must be a sequence of names, got the string {fields!r}")
    names = tuple(fields)
    if not names:
        raise ValueError("fields must name at least one field")
    for name in names:
        if not isinstance(name, str) or not FIELD_PATTERN.match(name):
            raise ValueError(f"invalid FiscalData field name {name!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"fields repeat a name: {', '.join(names)}")
    return names


def validate_filter(condition: Filter) -> str:
    """One condition as the API spells it (`field:op:value`), from that string or a
    (field, op, value) tuple; `in` takes a sequence of values. Values of `*_date` fields must
    be YYYY-MM-DD dates."""
    if isinstance(condition, str):
        parts = condition.split(":", 2)
        if len(parts) != 3:
            raise ValueError(f"invalid filter {condition!r}: expected field:operator:value")
        field, operator, value = parts
        if operator == "in":
            value = _in_values(value, condition)
    elif isinstance(condition, tuple) and len(condition) == 3:
        field, operator, value = condition
    else:
        raise ValueError(f"invalid filter {condition!r}: expected field:operator:value")
    if not isinstance(field, str) or not FIELD_PATTERN.match(field):
        raise ValueError(f"invalid filter field {field!r}")
    if operator not in OPERATORS:
        raise ValueError(f"invalid filter operator {operator!r}: one of {', '.join(OPERATORS)}")
    if operator == "in":
        if isinstance(value, str) or not isinstance(value, Sequence) or not value:
            raise ValueError(f"filter {field}:in needs a non-empty sequence of values")
        values = [_filter_value(field, v) for v in value]
        if any(c in v for v in values for c in "()"):
            raise ValueError(f"filter {field}:in values may not hold parentheses: {values}")
        return f"{field}:in:({','.join(values)})"
    return f"{field}:{operator}:{_filter_value(field, value)}"


def _in_values(text: str, condition: str) -> list[str]:
    if not (text.startswith("(") and text.endswith(")")):
        raise ValueError(f"invalid filter {condition!r}: `in` takes (a,b,...)")
    return text[1:-1].split(",")


def _filter_value(field: str, value: Any) -> str:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        value = value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"filter value for {field} must be a string or date, got {value!r}")
    if field.endswith("_date"):
        _valid_date(value, f"filter value for {field}")
    elif not VALUE_PATTERN.match(value):
        raise ValueError(f"invalid filter value {value!r} for {field}")
    return value


def _valid_date(value: str, what: str) -> None:
    try:
        if not DATE_PATTERN.match(value):
            raise ValueError(value)
        datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a YYYY-MM-DD date") from None


def validate_sort(sort: str | Sequence[str] | None) -> str | None:
    """`record_date` (ascending) or `-record_date` (descending); several keys are comma-joined."""
    if sort is None:
        return None
    keys = [sort] if isinstance(sort, str) else list(sort)
    if not keys:
        raise ValueError("sort must name at least one field")
    for key in keys:
        if not isinstance(key, str) or not FIELD_PATTERN.match(key.removeprefix("-")):
            raise ValueError(f"invalid sort key {key!r}")
    return ",".join(keys)


def validate_page_size(page_size: int) -> int:
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise ValueError(f"page_size must be an integer, got {page_size!r}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size {page_size} is outside 1..{MAX_PAGE_SIZE}")
    return page_size


# --- fetch -----------------------------------------------------------------------------------


def fetch_pages(
    session: requests.Session,
    endpoint: str,
    *,
    fields: Sequence[str],
    filters: Iterable[Filter] = (),
    sort: str | Sequence[str] | None = None,
    page_size: int = MAX_PAGE_SIZE,
) -> tuple[list[dict], int]:
    """Every row of one query, page after page, and the number of HTTP requests sent.

    Paging stops once page[number] reaches meta "total-pages" (or on an empty last page). An
    empty page before that, a page whose rows differ from its meta "count", a total-count that
    changes between pages or differs from the rows collected, and a row without one of
    `fields` are SourceErrors: a silently short history would be stored as complete.
    """
    endpoint = validate_endpoint(endpoint)
    names = validate_fields(fields)
    conditions = [validate_filter(c) for c in filters]
    order = validate_sort(sort)
    size = validate_page_size(page_size)
    params = {"fields": ",".join(names), "format": "json", "page[size]": str(size)}
    if conditions:
        params["filter"] = ",".join(conditions)
    if order is not None:
        params["sort"] = order

    rows: list[dict] = []
    total_count: int | None = None
    number = 0
    while True:
        number += 1
        payload = _get_json(session, endpoint, {**params, "page[number]": str(number)})
        data, count, pages = _page(payload, endpoint, number)
        if pages > MAX_PAGES:
            raise SourceError(
                SOURCE, f"{endpoint} announced {pages} pages, more than the {MAX_PAGES} read"
            )
        if total_count is None:
            total_count = count
        elif count != total_count:
            raise SourceError(
                SOURCE,
                f"{endpoint} changed while it was being read (total-count {total_count} on page "
                f"1, {count} on page {number}); try again",
            )
        if not data:
            if number < pages:
                raise SourceError(
                    SOURCE,
                    f"{endpoint} was cut off: page {number} of {pages} came back empty "
                    f"after {len(rows)} of {count} rows",
                )
            break
        for position, row in enumerate(data):
            _check_row(row, names, f"{endpoint} page {number} row {position}")
        rows.extend(data)
        if number >= pages:
            break
    if len(rows) != total_count:
        raise SourceError(
            SOURCE,
            f"{endpoint} announced {total_count} rows (meta total-count) but {number} "
            f"page(s) held {len(rows)}",
        )
    return rows, number


def _page(payload: dict, endpoint: str, number: int) -> tuple[list, int, int]:
    """(rows, total-count, total-pages) of one answer; a shape change raises."""
    if "data" not in payload:
        found = ", ".join(sorted(map(str, payload))[:5]) or "nothing"
        raise SourceError(SOURCE, f"{endpoint} answered JSON without 'data' (found {found})")
    data = payload["data"]
    if not isinstance(data, list):
        raise SourceError(SOURCE, f"{endpoint} 'data' is not a list (got {type(data).__name__})")
    meta = payload.get("meta")
    if not isinstance(meta, dict):
        raise SourceError(SOURCE, f"{endpoint} answered without 'meta' on page {number}")
    total_count = _meta_int(meta, "total-count", endpoint)
    total_pages = _meta_int(meta, "total-pages", endpoint)
    if "count" in meta and _meta_int(meta, "count", endpoint) != len(data):
        raise SourceError(
            SOURCE,
            f"{endpoint} page {number} announced {meta['count']} rows (meta count) but held "
            f"{len(data)}",
        )
    return data, total_count, total_pages


def _meta_int(meta: dict, key: str, endpoint: str) -> int:
    value = meta.get(key)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SourceError(SOURCE, f"{endpoint} meta {key!r} is not a count ({value!r})")
    return value


def _check_row(row: Any, fields: Sequence[str], where: str) -> None:
    if not isinstance(row, dict):
        raise SourceError(SOURCE, f"{where} is not an object")
    missing = [name for name in fields if name not in row]
    if missing:
        raise SourceError(
            SOURCE, f"{where} has no {', '.join(missing)} field (the API's schema changed?)"
        )


def _get_json(session: requests.Session, endpoint: str, params: Mapping[str, str]) -> dict:
    """FiscalData's one network seam: a GET through `http.get`, answered by a JSON object.

    A 400 carries the API's own reason (an unknown field, a bad filter) and is reported with it.
    """
    response = http.get(
        session,
        BASE_URL + endpoint,
        source=SOURCE,
        limiter=LIMITER,
        params=params,
        headers={"Accept": "application/json"},
        expect=(200, 400),
    )
    if response.status_code == 400:
        raise SourceError(
            SOURCE,
            f"{SERVER} rejected the query for {endpoint} (HTTP 400): {_reason(response.text)}",
        )
    http.reject_html(response.text, source=SOURCE, server=SERVER, expected="JSON")
    try:
        payload = response.json()
    except ValueError as exc:
        raise SourceError(SOURCE, f"unreadable JSON from {SERVER}{endpoint}") from exc
    if not isinstance(payload, dict):
        raise SourceError(SOURCE, f"expected a JSON object from {SERVER}{endpoint}")
    return payload


def _reason(text: str) -> str:
    """The error message of a 400 answer on one short line."""
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("error", "message") if body.get(k)]
        text = ": ".join(parts) if parts else text
    line = " ".join(text.split())
    return (line[:200] + "…") if len(line) > 200 else (line or "no reason given")


# --- parse -----------------------------------------------------------------------------------


def parse_tga(rows: Iterable[Any]) -> pd.DataFrame:
    """Operating cash balance rows → the TGA closing balance per day ($ millions, TGA_COLUMNS).

    Only the three TGA labels of `TGA_ERAS` count; other account types (Opening Balance,
    Total Operating Balance, cash investments, TT&L accounts) are ignored. A "null" balance is
    NaN. A date with rows of two eras keeps the newest label; one label listed twice on a date
    with different values raises, and so do rows none of which is a TGA row (a fourth label).
    """
    best: dict[pd.Timestamp, tuple[int, float]] = {}
    others: set[str] = set()
    for position, row in enumerate(rows):
        where = f"operating_cash_balance row {position}"
        if not isinstance(row, dict):
            raise SourceError(SOURCE, f"{where} is not an object")
        label = str(_field(row, "account_type", where)).strip()
        era = TGA_ERAS.get(label)
        if era is None:
            others.add(label)
            continue
        column, rank = era
        day = _date(_field(row, "record_date", where), f"{where} record_date")
        where = f"TGA {day.date().isoformat()} ({row['account_type']})"
        value = _number(_field(row, column, where), f"{where} {column}")
        if day in best and best[day][0] == rank and not _same(best[day][1], value):
            raise SourceError(
                SOURCE, f"{where} is listed twice with different values ({best[day][1]}, {value})"
            )
        if day not in best or rank >= best[day][0]:
            best[day] = (rank, value)
    if others and not best:
        # Every day has a TGA row: rows without one mean the label changed again.
        raise SourceError(
            SOURCE,
            "no TGA row among the account types "
            f"{', '.join(sorted(others)[:6])} (a new account_type label?)",
        )
    days = sorted(best)
    frame = pd.DataFrame(
        {TGA_COLUMNS[0]: [best[d][1] for d in days]},
        index=pd.DatetimeIndex(days, name="date", dtype="datetime64[us]"),
        dtype="float64",
    )
    return frame[list(TGA_COLUMNS)]


def parse_auctions(
    rows: Iterable[Any], *, status: str = "auctioned", source: str = AUCTIONS_SOURCE
) -> pd.DataFrame:
    """auctions_query or upcoming_auctions rows → AUCTION_COLUMNS, in dollars.

    `status` labels every row ("auctioned" for results, "announced" for the upcoming list), but
    a row whose offering amount is still "null" is "upcoming", and a result row whose
    total_accepted is still "null" (auctions_query lists an auction before its result is in)
    is "announced", so a later result replaces it in the store. A "null" amount is NaN (never
    0), a "null" date NaT and a missing cusip "". Fields an endpoint does not have
    (maturity_date, total_accepted and announcemt_date in the upcoming list) are NaN/NaT.
    auction_date is required. Identical rows (a row repeated across two pages) count once.
    """
    records = []
    for position, row in enumerate(rows):
        where = f"auction row {position}"
        if not isinstance(row, dict):
            raise SourceError(SOURCE, f"{where} is not an object")
        cusip = _text(_field(row, "cusip", where))
        where = f"auction row {position} ({cusip or 'no cusip'})"
        auction_date = _date(_field(row, "auction_date", where), f"{where} auction_date")
        offering = _number(_field(row, "offering_amt", where), f"{where} offering_amt")
        accepted = _number(row.get("total_accepted"), f"{where} total_accepted")
        records.append(
            {
                "auction_date": auction_date,
                "issue_date": _date(_field(row, "issue_date", where), f"{where} issue_date", True),
                "maturity_date": _date(row.get("maturity_date"), f"{where} maturity_date", True),
                "announcement_date": _date(
                    row.get("announcemt_date"), f"{where} announcemt_date", True
                ),
                "security_type": _text(_field(row, "security_type", where)),
                "security_term": _text(_field(row, "security_term", where)),
                "cusip": cusip,
                "offering_amt_usd": offering,
                "total_accepted_usd": accepted,
                "status": _status(status, offering, accepted),
                "source": source,
            }
        )
    frame = pd.DataFrame(records, columns=list(AUCTION_COLUMNS))
    for column in AUCTION_COLUMNS:
        if column.endswith("_date"):
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
        elif column.endswith("_usd"):
            frame[column] = frame[column].astype("float64")
        else:
            frame[column] = frame[column].astype("str")
    frame = frame.drop_duplicates()
    keys = ["auction_date", "issue_date", "cusip"]
    return frame.sort_values(keys, kind="stable", ignore_index=True)


def _status(status: str, offering: float, accepted: float) -> str:
    """What a row is: an offering still "null" is upcoming, a result still "null" announced."""
    if status not in ("auctioned", "announced"):
        return status
    if math.isnan(offering):
        return "upcoming"
    if status == "auctioned" and math.isnan(accepted):
        return "announced"
    return status


def _field(row: dict, name: str, where: str) -> Any:
    if name not in row:
        raise SourceError(SOURCE, f"{where} has no {name} field (the API's schema changed?)")
    return row[name]


def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in ("", NULL))


def _text(value: Any) -> str:
    return "" if _is_null(value) else str(value).strip()


def _number(value: Any, where: str) -> float:
    return http.json_number(value, source=SOURCE, where=where, nulls=("", NULL))


def _date(value: Any, where: str, optional: bool = False) -> pd.Timestamp:
    """A YYYY-MM-DD string as a naive Timestamp; "null" is NaT where `optional`."""
    if optional and _is_null(value):
        return pd.NaT
    text = value.strip() if isinstance(value, str) else None
    try:
        if text is None or not DATE_PATTERN.match(text):
            raise ValueError(text)
        return pd.Timestamp(datetime.date.fromisoformat(text))
    except ValueError:
        raise SourceError(
            SOURCE, f"{where}: unreadable date {value!r} (expected YYYY-MM-DD)"
        ) from None


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


# --- get -------------------------------------------------------------------------------------


def get_tga(
    session: requests.Session, start: datetime.date | None = None
) -> tuple[pd.DataFrame, int]:
    """The daily TGA closing balance from `start` (default: the whole history) and the requests
    sent. Every account type of each day is fetched: the TGA's label changed twice."""
    start = http.validate_start(start)
    filters = [] if start is None else [("record_date", "gte", start)]
    rows, requests_made = fetch_pages(
        session, TGA_PATH, fields=TGA_FIELDS, filters=filters, sort="record_date"
    )
    return parse_tga(rows), requests_made


def get_auctions(
    session: requests.Session, start: datetime.date | None = None
) -> tuple[pd.DataFrame, int]:
    """Auction results with auction_date from `start` (default: the whole history) and the
    requests sent."""
    start = http.validate_start(start)
    filters = [] if start is None else [("auction_date", "gte", start)]
    rows, requests_made = fetch_pages(
        session, AUCTIONS_PATH, fields=AUCTION_FIELDS, filters=filters, sort="auction_date"
    )
    return parse_auctions(rows, status="auctioned", source=AUCTIONS_SOURCE), requests_made


def get_upcoming(session: requests.Session) -> tuple[pd.DataFrame, int]:
    """The announced, not yet settled auctions ("upcoming" where the offering is still
    unannounced) and the requests sent."""
    rows, requests_made = fetch_pages(
        session, UPCOMING_PATH, fields=UPCOMING_FIELDS, sort="auction_date"
    )
    return parse_auctions(rows, status="announced", source=UPCOMING_SOURCE), requests_made
