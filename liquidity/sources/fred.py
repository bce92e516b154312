"""FRED series: keyless `fredgraph.csv` by default, the keyed API through fredapi with a key.

Steps: `validate_request` → `fetch_csv` (text; HTTP, HTML and error answers raise) or
`fetch_observations` (fredapi's Series) → `parse_csv` / `parse_observations`; `get_series` runs
the three. Vintages alike: `validate_vintages` → `fetch_vintages` (fredapi's all-releases frame
for one realtime window) → `parse_vintages`; `get_vintages` splits the realtime windows FRED's
row limit needs and stitches them with `merge_vintages`. Both series paths give the same frame:
DatetimeIndex "date" (ascending, tz-naive, datetime64[us]) and one float64 column "value", with
missing observations kept as NaN rows.

Every keyed call goes through `fredapi.Fred`, which sends each request by calling
`fredapi.fred.urlopen(url)`, looked up at call time, with no timeout of its own. That name is set
once, below, to a function that hands the URL to the `Opener` of the call being served: a context
variable holds it, so concurrent calls in other threads (or tests) never see each other's, and
outside a call of this module fredapi keeps urllib's urlopen. The Opener sends the request through
`http.get` (connect/read timeouts, the 2/s limiter, bounded retries honouring Retry-After, the
same exceptions as every source) and turns FRED's XML error answers into SourceError with the key
masked.
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime
import io
import itertools
import math
import re
import urllib.request
import xml.etree.ElementTree as ET
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import fredapi.fred
import pandas as pd
import requests

from liquidity.core.catalog import VINTAGE_COLUMNS
from liquidity.core.errors import SourceError
from liquidity.sources import http

SOURCE = "fred"
FRED_CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
API_HOST = "api.stlouisfed.org"
API_ROOT = f"https://{API_HOST}/fred"  # fredapi.Fred.root_url
FRED_OBSERVATIONS_URL = f"{API_ROOT}/series/observations"
FRED_SERIES_URL = f"{API_ROOT}/series"
FRED_VINTAGE_DATES_URL = f"{API_ROOT}/series/vintagedates"
SERIES_ID_PATTERN = re.compile(r"^[A-Z0-9_]{1,40}$")
# FRED throttles per second since 2026 and counts keyed and keyless calls alike (SOURCES.md §3.3).
LIMITER = http.RateLimiter(per_second=2)
# FRED dates its vintages in St. Louis: a realtime_start after its today has nothing to ask for.
FRED_TIME = zoneinfo.ZoneInfo("America/Chicago")
# Vintage answers are large and every refresh asks a new realtime_start, so a cached copy would
# never be read again: requests-cache neither reads nor stores answers to a no-store request.
NO_STORE = {"Cache-Control": "no-store"}
ONE_DAY = datetime.timedelta(days=1)
T = TypeVar("T")


@dataclass(frozen=True)
class FredRequest:
    series_id: str
    start: datetime.date | None


@dataclass(frozen=True)
class VintageRequest:
    """One realtime window of a series' vintages; `realtime_end` None is open-ended."""

    series_id: str
    realtime_start: datetime.date | None
    realtime_end: datetime.date | None = None


class Truncated(SourceError):
    """FRED cut an observations answer at its row limit (100,000 rows; fredapi does not page):
    the answer's root says `count` rows exist and at most `limit` were sent."""

    def __init__(self, count: int, limit: int):
        super().__init__(
            SOURCE, f"FRED holds {count:,} rows for this request and sends at most {limit:,}"
        )
        self.count = count
        self.limit = limit


@dataclass(frozen=True)
class Opener:
    """How fredapi's requests travel: `http.get` on `session`, against `root_url`; FRED's error
    answers and cut answers (`Truncated`) raise before fredapi reads them.

    `limiter` and `retry` default, when the request is sent, to this module's LIMITER (shared with
    the keyless path) and `http.RETRY`; `headers` go with every request. It keeps no state of its
    own, so one Opener serves any number of threads (requests' sessions are shared the same way
    by every source).
    """

    session: requests.Session = field(default_factory=http.plain_session)
    root_url: str = API_ROOT
    timeout: tuple[float, float] = http.TIMEOUT
    limiter: http.RateLimiter | None = None
    retry: http.Retry | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def open(self, url: str) -> io.BytesIO:
        """fredapi's `urlopen(url)`: the body of FRED's answer, or a SourceError without the key."""
        key = parse_qs(urlsplit(url).query).get("api_key", [""])[-1]
        try:
            response = http.get(
                self.session,
                url,
                source=SOURCE,
                limiter=self.limiter or LIMITER,
                headers=dict(self.headers) or None,
                timeout=self.timeout,
                expect=(200, 400),
                retry=self.retry,
            )
        except SourceError as exc:
            # requests' exceptions quote the whole URL, key included: keep them out of tracebacks.
            raise exc from None
        if response.status_code == 400:
            raise _error_answer(response.content, urlsplit(url).path, key)
        head = response.content[:4096]
        http.reject_html_page(
            head.decode("utf-8", errors="replace"), source=SOURCE, server=API_HOST, expected="XML"
        )
        cut = _truncation(head)
        if cut is not None:
            # Raised before fredapi reads a row (some 25,000 a second): these would be asked
            # again anyway.
            raise Truncated(*cut)
        return io.BytesIO(response.content)


class _Client(fredapi.Fred):
    """fredapi's client, reading FRED's dates (always YYYY-MM-DD) with strptime: its own reader
    calls pd.to_datetime once per date, which made an answer of 100,000 vintages take 30 s to
    read instead of 4."""

    def _parse(self, date_str: str | None, format: str = "%Y-%m-%d") -> Any:
        if date_str is None:  # a missing attribute, NaT as fredapi reads it
            return pd.NaT
        return datetime.datetime.strptime(date_str, format)


_OPENER: contextvars.ContextVar[Opener] = contextvars.ContextVar("fred_opener")


def _urlopen(url: str) -> Any:
    """What fredapi calls to send a request: the Opener of the call being served."""
    opener = _OPENER.get(None)
    return urllib.request.urlopen(url) if opener is None else opener.open(url)


fredapi.fred.urlopen = _urlopen


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


def fetch_observations(opener: Opener, request: FredRequest, api_key: str) -> pd.Series:
    """The keyed path: fredapi's `get_series` (the latest values), sent through `opener`."""
    return _ask(
        opener,
        api_key,
        lambda client: client.get_series(request.series_id, observation_start=request.start),
    )


def parse_observations(series: pd.Series, series_id: str) -> pd.DataFrame:
    """Shape fredapi's Series (dates → floats, FRED's "." already NaN) into the series frame."""
    dates = list(series.index)
    if any(pd.isna(date) for date in dates):  # fredapi reads a missing date attribute as NaT
        raise SourceError(SOURCE, f"{series_id}: an observation without a date")
    return _observation_frame(dates, series.tolist(), series_id)


def fetch_series_info(opener: Opener, request: FredRequest, api_key: str) -> pd.Series:
    """fredapi's `get_series_info`: title, units, frequency... of one series."""
    return _ask(opener, api_key, lambda client: client.get_series_info(request.series_id))


def parse_units(info: pd.Series, series_id: str) -> str:
    """The units FRED declares for a series, for start-up assertions (WTREGEN is disputed)."""
    units = info.get("units")
    if not units:
        raise SourceError(SOURCE, f"{series_id}: the API answer has no units")
    return str(units)


def get_series(
    series_id: str,
    start: datetime.date | None = None,
    *,
    session: requests.Session | None = None,
    api_key: str | None = None,
    opener: Opener | None = None,
) -> pd.DataFrame:
    """validate_request → fetch → parse: through fredapi when `api_key` is given (its requests
    through `opener`, by default one over `session`), else fredgraph.csv through `session`."""
    request = validate_request(series_id, start)
    if api_key:
        opener = opener or (Opener(session) if session is not None else Opener())
        return parse_observations(fetch_observations(opener, request, api_key), request.series_id)
    if session is None:
        raise ValueError("FRED needs a session (e.g. http.cached_session(path))")
    return parse_csv(fetch_csv(session, request), request.series_id)


# -- vintages (ALFRED) -------------------------------------------------------------------------


def validate_vintages(
    series_id: str, realtime_start: datetime.date | None = None
) -> VintageRequest:
    """The vintages from `realtime_start` on (None: from the first). A day after FRED's today is
    allowed: a refresh asks for the day after its newest vintage, which has none yet."""
    series_id = validate_request(series_id).series_id
    if realtime_start is not None and not isinstance(realtime_start, datetime.date):
        # ValueError like every other bad request, so callers need one except clause.
        raise ValueError(f"realtime_start must be a date, got {realtime_start!r}")  # noqa: TRY004
    if isinstance(realtime_start, datetime.datetime):
        realtime_start = realtime_start.date()
    return VintageRequest(series_id, realtime_start)


def fetch_vintage_dates(opener: Opener, request: VintageRequest, api_key: str) -> list[Any]:
    """fredapi's `get_series_vintage_dates`: the days FRED published a vintage, oldest first."""
    return _ask(opener, api_key, lambda client: client.get_series_vintage_dates(request.series_id))


def parse_first_vintage(dates: list[Any], series_id: str) -> datetime.date:
    if not dates:
        raise SourceError(SOURCE, f"{series_id}: FRED lists no vintages")
    return min(pd.Timestamp(date) for date in dates).date()


def fetch_vintages(opener: Opener, request: VintageRequest, api_key: str) -> pd.DataFrame:
    """fredapi's `get_series_all_releases` over one realtime window (None: fredapi's defaults,
    all of realtime): date, realtime_start, value. Truncated when it does not fit FRED's limit.

    FRED clips realtime periods to the window asked for, so a value current when the window opens
    comes back stamped with the window's first day (`merge_vintages` folds those rows away).
    """
    start, end = (
        day.isoformat() if day is not None else None
        for day in (request.realtime_start, request.realtime_end)
    )
    return _ask(
        opener,
        api_key,
        lambda client: client.get_series_all_releases(request.series_id, start, end),
    )


def parse_vintages(raw: pd.DataFrame, series_id: str) -> pd.DataFrame:
    """Shape fredapi's all-releases frame (object columns) into the vintage frame: date,
    realtime_start, realtime_end (NaT while current), float64 value; sorted, RangeIndex."""
    if raw.empty:  # fredapi builds an answer without rows as a frame without columns
        return _vintage_frame([], [], [], series_id)
    missing = [c for c in ("date", "realtime_start", "value") if c not in raw.columns]
    if missing:
        raise SourceError(SOURCE, f"{series_id}: vintages without {', '.join(missing)}")
    return _vintage_frame(
        raw["date"].tolist(), raw["realtime_start"].tolist(), raw["value"].tolist(), series_id
    )


def merge_vintages(*frames: pd.DataFrame) -> pd.DataFrame:
    """Stitch vintage frames of one series (windows of a fetch, or the stored rows and a newer
    fetch, later frames winning on a repeated (date, realtime_start)) into one.

    A row whose value equals the previous vintage of its date says nothing new and is dropped:
    that removes the clipped rows a window starts with (see `fetch_vintages`). realtime_end is
    then derived again, which closes a stored current row when a newer vintage of its date came.
    """
    frames = tuple(f for f in frames if not f.empty)
    if not frames:
        return _vintage_frame([], [], [], "")
    keys = ["date", "realtime_start"]
    rows = pd.concat([f[[*keys, "value"]] for f in frames], ignore_index=True)
    rows = rows.drop_duplicates(keys, keep="last").sort_values(keys, kind="stable")
    previous = rows["value"].shift(1)
    same_value = (rows["value"] == previous) | (rows["value"].isna() & previous.isna())
    repeat = (rows["date"].shift(1) == rows["date"]) & same_value
    return _closed(rows[~repeat])


def split_window(window: VintageRequest, today: datetime.date, pieces: int) -> list[VintageRequest]:
    """`window` (open-ended: up to `today`) in `pieces` consecutive windows of equal days, the last
    keeping the window's end."""
    first, last = window.realtime_start, window.realtime_end or today
    days = (last - first).days + 1
    if days < 2:
        raise SourceError(
            SOURCE,
            f"{window.series_id}: the vintages of {first} alone exceed FRED's rows per request",
        )
    pieces = min(max(pieces, 2), days)
    starts = [first + datetime.timedelta(days=days * i // pieces) for i in range(pieces + 1)]
    windows = [
        dataclasses.replace(window, realtime_start=start, realtime_end=following - ONE_DAY)
        for start, following in itertools.pairwise(starts)
    ]
    windows[-1] = dataclasses.replace(windows[-1], realtime_end=window.realtime_end)
    return windows


def fred_today() -> datetime.date:
    """Today in St. Louis, where FRED dates its vintages."""
    return datetime.datetime.now(FRED_TIME).date()


def get_vintages(
    series_id: str,
    *,
    api_key: str,
    realtime_start: datetime.date | None = None,
    opener: Opener | None = None,
    today: datetime.date | None = None,
) -> pd.DataFrame:
    """Every vintage of a series published from `realtime_start` on (all when None), through
    fredapi, in `parse_vintages`' shape.

    One request when the answer fits FRED's row limit: the whole history at once, or on a refresh
    the days since the last. FRED cuts a longer answer and says so in it (`Truncated`, its rows
    left unread, with the number of rows there are); the window is then asked again in pieces of
    equal days, enough pieces for half the limit's rows each, and a piece that still does not fit
    is split the same way. A first fetch that needs pieces asks once for the series' vintage dates,
    to start them at its first vintage. A realtime_start after `today` (FRED's, by default) gives
    an empty frame without a request.
    """
    request = validate_vintages(series_id, realtime_start)
    opener = opener or Opener()
    opener = dataclasses.replace(opener, headers={**opener.headers, **NO_STORE})
    today = today or fred_today()
    if request.realtime_start is not None and request.realtime_start > today:
        return merge_vintages()
    pending, parts = [request], []
    while pending:
        window = pending.pop(0)
        try:
            raw = fetch_vintages(opener, window, api_key)
        except Truncated as cut:
            if window.realtime_start is None:
                dates = fetch_vintage_dates(opener, window, api_key)
                first = parse_first_vintage(dates, window.series_id)
                window = dataclasses.replace(window, realtime_start=first)
            # Pieces of half the limit: room for the values current at each piece's start, which
            # FRED repeats in every window.
            pieces = math.ceil(cut.count / max(cut.limit // 2, 1))
            pending[:0] = split_window(window, today, pieces)
            continue
        parts.append(parse_vintages(raw, window.series_id))
    return merge_vintages(*parts)


# -- shared ------------------------------------------------------------------------------------


def _ask(opener: Opener, api_key: str, call: Callable[[fredapi.Fred], T]) -> T:
    """Run one fredapi call with its requests sent by `opener`; a body fredapi cannot read
    becomes a SourceError."""
    client = _Client(api_key=api_key)
    client.root_url = opener.root_url
    token = _OPENER.set(opener)
    try:
        return call(client)
    except ET.ParseError as exc:
        raise SourceError(
            SOURCE, f"{API_HOST} answered with a document that is not FRED's XML ({exc})"
        ) from None
    except (ValueError, TypeError) as exc:  # fredapi reads values with float(), dates with strptime
        raise SourceError(
            SOURCE, f"{API_HOST}: an answer fredapi cannot read ({http.redact(str(exc), api_key)})"
        ) from None
    finally:
        _OPENER.reset(token)


def _truncation(head: bytes) -> tuple[int, int] | None:
    """(count, limit) when the observations answer starting with `head` holds only part of its
    rows: FRED's root element states how many exist (count) and the most it sends (limit)."""
    parser = ET.XMLPullParser(events=("start",))
    try:
        parser.feed(head)
        root = next((element for _, element in parser.read_events()), None)
    except ET.ParseError:  # not XML: fredapi says so when it reads the whole answer
        return None
    if root is None or root.tag != "observations":
        return None
    try:
        count, offset, limit = (int(root.get(name, "")) for name in ("count", "offset", "limit"))
    except ValueError:
        return None
    return (count, limit) if count > offset + limit else None


def _error_answer(body: bytes, path: str, api_key: str) -> SourceError:
    """FRED's error document, `<error code="400" message="..."/>`, as one line with its message."""
    try:
        said = ET.fromstring(body).get("message")
    except ET.ParseError:
        said = None
    if not said:
        return SourceError(SOURCE, f"{API_HOST} answered HTTP 400 for {path}")
    # FRED's messages name the api_key parameter; a future one might quote its value.
    line = re.sub(r"\s*\n\s*", " ", said.strip())
    return SourceError(SOURCE, f"{API_HOST}: {http.redact(line, api_key)}")


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


def _vintage_frame(
    dates: list[Any], starts: list[Any], values: list[Any], series_id: str
) -> pd.DataFrame:
    try:
        stamps = {
            name: pd.to_datetime(pd.Series(column, dtype=object), format="ISO8601").astype(
                "datetime64[us]"
            )
            for name, column in (("date", dates), ("realtime_start", starts))
        }
    except (ValueError, TypeError) as exc:
        raise SourceError(SOURCE, f"{series_id}: unreadable vintage date ({exc})") from exc
    if stamps["date"].isna().any() or stamps["realtime_start"].isna().any():
        raise SourceError(SOURCE, f"{series_id}: a vintage without its date or realtime_start")
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    frame = pd.DataFrame({**stamps, "value": numbers.to_numpy(dtype="float64")})
    duplicated = frame.duplicated(["date", "realtime_start"])
    if duplicated.any():
        date, start = frame.loc[duplicated, ["date", "realtime_start"]].iloc[0]
        raise SourceError(SOURCE, f"{series_id}: two vintages of {date.date()} from {start.date()}")
    return _closed(frame.sort_values(["date", "realtime_start"], kind="stable"))


def _closed(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by (date, realtime_start) with realtime_end: the day before the next vintage
    of the same date, NaT for the current one (fredapi drops FRED's own realtime_end)."""
    rows = rows.reset_index(drop=True)
    following = rows["realtime_start"].shift(-1) - ONE_DAY
    rows["realtime_end"] = following.where(rows["date"].shift(-1) == rows["date"])
    return rows[list(VINTAGE_COLUMNS)]
