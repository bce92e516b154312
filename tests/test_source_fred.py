"""FRED adapter: request checks, both CSV headers, missing values; the keyed API through fredapi
and the project's Opener (against a loopback server: hung, rate limited, FRED's XML errors, the
key kept out of logs and errors); vintages, their windows under FRED's row cap and stitching."""

from __future__ import annotations

import datetime
import io
import logging
import math
import threading
import traceback
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import fredapi
import pandas as pd
import pytest
import requests

from liquidity.core import catalog
from liquidity.core.errors import RateLimited, SourceError, SourceUnavailable
from liquidity.sources import fred, http
from tests.alfred import Alfred, vintage_frame
from tests.fakes import FakeAdapter, FakeSession, make_response
from tests.loopback import LoopbackServer, hang, ok, status, too_many
from tests.test_source_payloads import PAYLOADS, payload

# Verbatim excerpts from SOURCES.md §3.1 (2026 header, empty missing field) ...
WALCL_CSV = payload("fred/walcl.csv")
RRP_CSV = payload("fred/rrpontsyd.csv")
# ... and the pre-2024 header with the historical '.' marker.
DGS10_OLD_CSV = payload("fred/dgs10_old_header.csv")


MODULE_LIMITER = fred.LIMITER  # captured before the fixture below swaps it out


@pytest.fixture(autouse=True)
def recorded_limiter(monkeypatch):
    """Replace the shared 2/s limiter with one that records instead of sleeping."""
    sleeps: list[float] = []
    monkeypatch.setattr(
        fred, "LIMITER", http.RateLimiter(2, clock=lambda: 0.0, sleep=sleeps.append)
    )
    return sleeps


# --- validate_request ------------------------------------------------------------------------


def test_validate_request_uppercases_the_id():
    request = fred.validate_request(" walcl ", datetime.date(2020, 1, 1))
    assert request == fred.FredRequest("WALCL", datetime.date(2020, 1, 1))


@pytest.mark.parametrize("series_id", ["", "WAL-CL", "WALCL&id=M2SL", "A" * 41, "../x"])
def test_validate_request_rejects_bad_ids(series_id):
    with pytest.raises(ValueError, match="invalid FRED series id"):
        fred.validate_request(series_id)


def test_validate_request_rejects_a_future_start():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValueError, match="future"):
        fred.validate_request("WALCL", tomorrow)


# --- parse_csv -------------------------------------------------------------------------------


def test_parse_csv_reads_the_2026_header():
    frame = fred.parse_csv(WALCL_CSV, "WALCL")
    assert list(frame.columns) == ["value"]
    assert frame.index.name == "date"
    assert frame["value"].dtype == "float64"
    assert frame.index.dtype.kind == "M" and frame.index.tz is None
    assert frame["value"].tolist() == [7712781.0, 7681024.0, 7686710.0]
    assert frame.index[1] == pd.Timestamp("2024-01-03")


def test_parse_csv_reads_the_old_date_header_and_dot_as_missing():
    frame = fred.parse_csv(DGS10_OLD_CSV, "DGS10")
    assert len(frame) == 3  # the missing day stays as a row
    assert frame.loc["2023-12-29", "value"] == 3.88
    assert math.isnan(frame.loc["2024-01-01", "value"])
    assert frame.loc["2024-01-02", "value"] == 3.95


def test_parse_csv_keeps_empty_fields_as_nan_rows():
    frame = fred.parse_csv(RRP_CSV, "RRPONTSYD")
    assert frame.index.strftime("%Y-%m-%d").tolist() == [
        "2023-12-29",
        "2024-01-01",
        "2024-01-02",
        "2024-01-03",
    ]
    assert frame["value"].isna().tolist() == [False, True, False, False]
    assert frame["value"].sum() == pytest.approx(1018.483 + 704.864 + 719.897)


def test_parse_csv_sorts_ascending():
    text = "observation_date,WALCL\n2024-01-10,3\n2023-12-27,1\n2024-01-03,2\n"
    assert fred.parse_csv(text, "WALCL")["value"].tolist() == [1.0, 2.0, 3.0]


def test_parse_csv_rejects_duplicate_dates():
    text = "observation_date,WALCL\n2024-01-03,1\n2024-01-03,2\n"
    with pytest.raises(SourceError, match="duplicate observation dates, first 2024-01-03"):
        fred.parse_csv(text, "WALCL")


@pytest.mark.parametrize("text", ["", "  \n", "observation_date,WALCL\n", "DATE,WALCL"])
def test_parse_csv_returns_an_empty_frame_for_empty_or_header_only_bodies(text):
    frame = fred.parse_csv(text, "WALCL")
    assert frame.empty
    assert list(frame.columns) == ["value"]
    assert frame.index.name == "date" and frame.index.dtype.kind == "M"


def test_fetch_csv_rejects_an_html_page():
    page = "<!DOCTYPE html>\n<html><head><title>Access Denied</title></head></html>"
    with pytest.raises(SourceError, match="HTML page instead of CSV"):
        fred.fetch_csv(FakeSession(make_response(200, page)), fred.FredRequest("WALCL", None))


def test_parse_csv_rejects_a_multi_series_answer():
    with pytest.raises(SourceError, match="expected 2 CSV columns"):
        fred.parse_csv("DATE,WALCL,M2SL\n2024-01-03,1,2\n", "WALCL")


def test_parse_csv_rejects_unreadable_dates():
    with pytest.raises(SourceError, match="unreadable observation date"):
        fred.parse_csv("DATE,WALCL\nlast week,1\n", "WALCL")


# --- fetch_csv / get_series (keyless) --------------------------------------------------------


def test_fetch_csv_asks_for_one_id_from_the_start_date():
    session = FakeSession(make_response(200, WALCL_CSV))
    text = fred.fetch_csv(session, fred.FredRequest("WALCL", datetime.date(2023, 12, 27)))
    assert text == WALCL_CSV
    [call] = session.calls
    assert call["url"] == fred.FRED_CSV_URL
    assert call["params"] == {"id": "WALCL", "cosd": "2023-12-27"}


def test_fetch_csv_without_start_sends_no_cosd():
    session = FakeSession(make_response(200, WALCL_CSV))
    fred.fetch_csv(session, fred.FredRequest("WALCL", None))
    assert session.calls[0]["params"] == {"id": "WALCL"}


def test_get_series_keyless_path_returns_the_shaped_frame():
    session = FakeSession(make_response(200, RRP_CSV))
    frame = fred.get_series("rrpontsyd", session=session)
    assert session.calls[0]["params"] == {"id": "RRPONTSYD"}
    assert frame["value"].iloc[0] == 1018.483
    assert len(frame) == 4


def test_get_series_surfaces_rate_limiting(recorded_limiter):
    session = FakeSession(*[make_response(429, headers={"Retry-After": "20"}) for _ in range(3)])
    with pytest.raises(RateLimited) as caught:
        fred.get_series("WALCL", session=session)
    assert caught.value.retry_after == 20.0
    assert recorded_limiter == [20.0, 20.5]  # each retry waits the Retry-After, in limiter slots


def test_get_series_without_a_session_says_what_is_missing():
    with pytest.raises(ValueError, match="needs a session"):
        fred.get_series("WALCL")


def test_get_series_validates_before_any_request():
    session = FakeSession()
    with pytest.raises(ValueError):
        fred.get_series("not an id", session=session)
    assert session.calls == []


# --- keyed path: fredapi, its requests sent by the project's Opener -------------------------
KEY = "0123456789abcdef0123456789abcdef"
OBSERVATIONS = fred.FRED_OBSERVATIONS_URL
# FRED's XML, the format fredapi asks for: out of date order on purpose, "." = missing.
WALCL_XML = (PAYLOADS / "fred" / "walcl_observations.xml").read_bytes()
EMPTY_XML = b'<?xml version="1.0" encoding="utf-8" ?>\n<observations count="0"></observations>'


def xml_error(message: str) -> str:
    return f'<?xml version="1.0" encoding="utf-8" ?>\n<error code="400" message="{message}"/>'


def xml_answer(body: bytes | str) -> requests.Response:
    return make_response(200, body, headers={"Content-Type": "text/xml; charset=UTF-8"})


def test_keyed_get_series_sends_fredapi_s_request_and_gives_the_same_shape():
    session = FakeSession(xml_answer(WALCL_XML))
    opener = fred.Opener(session)
    frame = fred.get_series("walcl", datetime.date(2023, 12, 1), api_key=KEY, opener=opener)
    [call] = session.calls
    # fredapi's own URL: its parameter order, the key appended last by fredapi.
    assert (
        call["url"] == f"{OBSERVATIONS}?series_id=WALCL&observation_start=2023-12-01&api_key={KEY}"
    )
    assert call["params"] is None and call["timeout"] == (5, 20)
    assert frame["value"].tolist()[0] == 7712781.0  # sorted ascending
    assert frame["value"].isna().tolist() == [False, False, True]
    csv_frame = fred.parse_csv(WALCL_CSV, "WALCL")
    assert list(frame.columns) == list(csv_frame.columns)
    assert frame.index.name == csv_frame.index.name
    assert frame.index.dtype == csv_frame.index.dtype == "datetime64[us]"


def test_keyed_get_series_without_an_opener_sends_through_the_given_session():
    session = FakeSession(xml_answer(WALCL_XML))
    fred.get_series("WALCL", session=session, api_key=KEY)
    [call] = session.calls
    assert call["url"] == f"{OBSERVATIONS}?series_id=WALCL&api_key={KEY}"  # no start: none sent


def test_keyed_and_keyless_paths_share_the_limiter(recorded_limiter):
    fred.get_series("WALCL", session=FakeSession(make_response(200, WALCL_CSV)))
    fred.get_series("WALCL", api_key=KEY, opener=fred.Opener(FakeSession(xml_answer(WALCL_XML))))
    assert recorded_limiter == [0.5]


def test_module_limiter_allows_two_requests_per_second():
    assert MODULE_LIMITER.per_second == 2


def test_an_answer_without_observations_gives_an_empty_frame():
    opener = fred.Opener(FakeSession(xml_answer(EMPTY_XML)))
    frame = fred.get_series("WALCL", api_key=KEY, opener=opener)
    assert frame.empty and list(frame.columns) == ["value"]
    assert frame.index.name == "date" and frame.index.dtype.kind == "M"


@pytest.mark.parametrize(
    ("answer", "expected", "message"),
    [
        (
            make_response(400, xml_error("Bad Request.  The series does not exist.")),
            SourceError,
            "fred: api.stlouisfed.org: Bad Request.  The series does not exist.",
        ),
        (
            make_response(400, xml_error(f"api_key {KEY} is bad")),
            SourceError,
            "fred: api.stlouisfed.org: api_key … is bad",
        ),
        (
            make_response(400, "Bad Request"),
            SourceError,
            "api.stlouisfed.org answered HTTP 400 for /fred/series/observations",
        ),
        (make_response(403), SourceError, "answered HTTP 403"),
        (
            make_response(200, "<!DOCTYPE html><html><body>Blocked</body></html>"),
            SourceError,
            "answered with an HTML page instead of XML (blocked or maintenance)",
        ),
        (make_response(200, '{"observations": []}'), SourceError, "not FRED's XML"),
        (
            xml_answer('<observations><observation date="2024-01-03" value="n/a"/></observations>'),
            SourceError,
            "an answer fredapi cannot read (could not convert string to float: 'n/a')",
        ),
        (
            make_response(429, headers={"Retry-After": "3600"}),
            RateLimited,
            "asks to wait 3600 s",
        ),
    ],
    ids=["fred-error", "key-in-message", "400-text", "403", "html", "json", "value", "429"],
)
def test_fetch_observations_turns_error_answers_into_source_errors(answer, expected, message):
    session = FakeSession(answer)
    with pytest.raises(expected) as caught:
        fred.fetch_observations(fred.Opener(session), fred.FredRequest("WALCL", None), KEY)
    assert type(caught.value) is expected
    assert message in str(caught.value) and KEY not in str(caught.value)
    assert len(session.calls) == 1  # answers, not retried


def test_an_observation_without_a_date_is_an_error():
    body = '<observations><observation value="1"/></observations>'
    with pytest.raises(SourceError, match="WALCL: an observation without a date"):
        fred.get_series("WALCL", api_key=KEY, opener=fred.Opener(FakeSession(xml_answer(body))))


def test_fetch_series_info_and_parse_units_read_the_units_field():
    session = FakeSession(xml_answer((PAYLOADS / "fred" / "walcl_series.xml").read_bytes()))
    info = fred.fetch_series_info(fred.Opener(session), fred.validate_request("walcl"), KEY)
    assert fred.parse_units(info, "WALCL") == "Millions of U.S. Dollars"
    [call] = session.calls
    assert call["url"] == f"{fred.FRED_SERIES_URL}?series_id=WALCL&api_key={KEY}"


def test_series_info_without_a_series_or_units_says_so():
    empty = FakeSession(xml_answer("<seriess></seriess>"))
    with pytest.raises(SourceError, match="No info exists for series id: WALCL"):
        fred.fetch_series_info(fred.Opener(empty), fred.validate_request("WALCL"), KEY)
    with pytest.raises(SourceError, match="WALCL: the API answer has no units"):
        fred.parse_units(pd.Series({"id": "WALCL"}), "WALCL")


# --- the Opener against a loopback server (fredapi's root_url pointed at it) ----------------


@pytest.fixture
def server():
    with LoopbackServer() as loopback:
        yield loopback


def on(server: LoopbackServer, **kwargs) -> fred.Opener:
    """The project's Opener with fredapi's root_url on the loopback server: a plain session over
    a real socket, so the timeouts are the Opener's own."""
    return fred.Opener(root_url=f"{server.base}/{fred.API_HOST}/fred", **kwargs)


def test_keyed_series_travel_through_fredapi_and_the_project_opener(server, monkeypatch):
    asked = []
    real = fredapi.Fred.get_series

    def spy(self, *args, **kwargs):
        asked.append(args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(fredapi.Fred, "get_series", spy)
    server.route(OBSERVATIONS, ok(WALCL_XML, "text/xml"))
    session = server.session(http.plain_session())
    frame = fred.get_series("WALCL", datetime.date(2023, 12, 1), session=session, api_key=KEY)
    assert asked == [("WALCL",)]  # fredapi made the call ...
    # ... and the project's Opener sent it: fredapi's URL, the project's User-Agent (urllib's
    # own urlopen sends Python-urllib/3.x), connect and read timeouts.
    (seen,) = server.seen
    path = f"/{fred.API_HOST}/fred/series/observations"
    assert seen.raw_path == f"{path}?series_id=WALCL&observation_start=2023-12-01&api_key={KEY}"
    assert seen.headers["User-Agent"] == http.DEFAULT_USER_AGENT
    assert session.get_adapter("https://x").timeouts == [(5, 20)]
    assert frame["value"].tolist()[:2] == [7_712_781.0, 7_681_024.0]


def test_a_hung_server_is_bounded_by_the_opener_s_timeout(server):
    # fredapi's own urlopen has no timeout: this hang would block a refresh for good.
    server.route(OBSERVATIONS, hang(30.0))
    with pytest.raises(SourceUnavailable, match=r"timed out \(3 attempts\)"):
        fred.get_series("WALCL", api_key=KEY, opener=on(server, timeout=(0.1, 0.1)))
    assert len(server.requests_for(OBSERVATIONS)) == 3


def test_a_429_is_retried_after_its_retry_after_and_then_read(server, recorded_limiter):
    server.route(OBSERVATIONS, too_many(retry_after=7), ok(WALCL_XML, "text/xml"))
    frame = fred.get_series("WALCL", api_key=KEY, opener=on(server))
    assert frame["value"].iloc[0] == 7_712_781.0
    assert len(server.requests_for(OBSERVATIONS)) == 2
    assert recorded_limiter == [7.0]  # the wait FRED asked for, taken in the limiter


def test_a_429_that_persists_fails_as_rate_limited(server, recorded_limiter):
    server.route(OBSERVATIONS, too_many(retry_after=7))
    with pytest.raises(RateLimited, match=r"HTTP 429; 3 attempts") as caught:
        fred.get_series("WALCL", api_key=KEY, opener=on(server))
    assert caught.value.retry_after == 7.0
    assert recorded_limiter == [7.0, 7.5]  # 7 s after each 429, in the limiter's 0.5 s slots


def test_an_xml_error_answer_is_one_line_with_fred_s_message_and_no_key(server):
    said = f"Bad Request.  The value for variable api_key {KEY} is not registered.&#10;  See docs."
    server.route(OBSERVATIONS, status(400, xml_error(said)))
    with pytest.raises(SourceError) as caught:
        fred.get_series("WALCL", api_key=KEY, opener=on(server))
    assert str(caught.value) == (
        "fred: api.stlouisfed.org: Bad Request.  The value for variable api_key … is not "
        "registered. See docs."
    )
    assert len(server.requests_for(OBSERVATIONS)) == 1  # an answer: not retried
    server.route(OBSERVATIONS, status(400, (PAYLOADS / "fred" / "error_api_key.xml").read_bytes()))
    with pytest.raises(SourceError) as verbatim:
        fred.get_series("WALCL", api_key=KEY, opener=on(server))
    assert verbatim.value.message == (
        "api.stlouisfed.org: Bad Request.  The value for variable api_key is not registered.  "
        "Read https://fred.stlouisfed.org/docs/api/api_key.html for more information."
    )


def test_the_key_never_reaches_a_log_line_or_an_error(server, caplog):
    caplog.set_level(logging.DEBUG)  # urllib3 logs every request line, query included
    server.route(OBSERVATIONS, too_many(), ok(WALCL_XML, "text/xml"))
    fred.get_series("WALCL", api_key=KEY, opener=on(server))
    server.route(OBSERVATIONS, status(400, xml_error(f"api_key {KEY} is bad")))
    with pytest.raises(SourceError) as refused_key:
        fred.get_series("WALCL", api_key=KEY, opener=on(server))
    with LoopbackServer() as closed:
        pass  # its port is closed now: requests' ConnectionError quotes the URL, query and all
    with pytest.raises(SourceUnavailable, match="connection refused") as unreachable:
        fred.get_series("WALCL", api_key=KEY, opener=on(closed))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "api_key=…" in logged  # the request lines were logged, masked
    assert KEY not in logged
    for error in (refused_key.value, unreachable.value):
        assert KEY not in "".join(traceback.format_exception(error))


@dataclass(frozen=True)
class Recording(fred.Opener):
    """The project's Opener, noting every URL fredapi hands it."""

    sent: list = field(default_factory=list)

    def open(self, url: str) -> io.BytesIO:
        self.sent.append(url)
        return super().open(url)


def test_concurrent_calls_each_send_through_their_own_opener(server, monkeypatch):
    server.route(OBSERVATIONS, ok(WALCL_XML, "text/xml"))
    meet = threading.Barrier(2, timeout=10)
    real = fredapi.Fred.get_series

    def after_both_installed(self, *args, **kwargs):
        meet.wait()  # both calls have installed their opener before either sends a request
        return real(self, *args, **kwargs)

    monkeypatch.setattr(fredapi.Fred, "get_series", after_both_installed)
    openers = {
        series_id: Recording(root_url=on(server).root_url) for series_id in ("WALCL", "M2SL")
    }
    failures = []

    def call(series_id: str) -> None:
        try:
            fred.get_series(series_id, api_key=KEY, opener=openers[series_id])
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            failures.append(exc)

    threads = [threading.Thread(target=call, args=(series_id,)) for series_id in openers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    for series_id, opener in openers.items():
        assert [parse_qs(urlsplit(url).query)["series_id"] for url in opener.sent] == [[series_id]]


def test_outside_a_call_of_ours_fredapi_keeps_urllib_s_urlopen(monkeypatch):
    sent = []
    monkeypatch.setattr(
        urllib.request, "urlopen", lambda url: sent.append(url) or io.BytesIO(WALCL_XML)
    )
    series = fredapi.Fred(api_key=KEY).get_series("WALCL")
    assert sent == [f"{OBSERVATIONS}?series_id=WALCL&api_key={KEY}"]
    assert series.iloc[0] == 7_681_024.0  # fredapi's own reading, in file order


# --- vintages -------------------------------------------------------------------------------


def test_parse_vintages_derives_realtime_end_from_the_next_vintage():
    # The payload's own realtime_end attributes, which fredapi drops: 2025-03-24 and 2025-04-21
    # close January's first two vintages, 9999-12-31 (current) becomes NaT.
    frame = fred.parse_vintages(payload("fred/m2sl_vintages.xml"), "M2SL")
    expected = vintage_frame(
        [
            ("2025-01-01", "2025-02-25", "2025-03-24", 21561.4),
            ("2025-01-01", "2025-03-25", "2025-04-21", 21576.3),
            ("2025-01-01", "2025-04-22", None, 21585.1),
            ("2025-02-01", "2025-03-25", None, 21640.2),
            ("2025-03-01", "2025-04-22", None, float("nan")),
        ]
    )
    pd.testing.assert_frame_equal(frame, expected)


def test_an_answer_without_vintages_gives_an_empty_frame():
    frame = fred.parse_vintages(pd.DataFrame({}).T, "WALCL")  # fredapi's frame for no rows
    assert frame.empty and list(frame.columns) == list(catalog.VINTAGE_COLUMNS)
    assert frame["date"].dtype == "datetime64[us]" and frame["value"].dtype == "float64"


def test_parse_vintages_rejects_two_rows_of_one_vintage():
    raw = pd.DataFrame(
        {"realtime_start": ["2025-01-02"] * 2, "date": ["2025-01-01"] * 2, "value": [1.0, 2.0]}
    )
    with pytest.raises(SourceError, match="WALCL: two vintages of 2025-01-01 from 2025-01-02"):
        fred.parse_vintages(raw, "WALCL")


def test_merge_folds_the_rows_a_window_repeats_and_closes_the_revised_current_row():
    stored = vintage_frame(
        [
            ("2025-01-01", "2025-01-02", None, 10.0),
            ("2025-01-08", "2025-01-09", None, 20.0),
            ("2025-01-15", "2025-01-16", None, float("nan")),
        ]
    )
    # A window opening 2025-01-10: FRED stamps the values current then with that day.
    fetched = vintage_frame(
        [
            ("2025-01-01", "2025-01-10", None, 10.0),
            ("2025-01-08", "2025-01-10", "2025-01-22", 20.0),
            ("2025-01-08", "2025-01-23", None, 21.0),
            ("2025-01-15", "2025-01-16", None, float("nan")),
            ("2025-01-22", "2025-01-23", None, 30.0),
        ]
    )
    expected = vintage_frame(
        [
            ("2025-01-01", "2025-01-02", None, 10.0),
            ("2025-01-08", "2025-01-09", "2025-01-22", 20.0),
            ("2025-01-08", "2025-01-23", None, 21.0),
            ("2025-01-15", "2025-01-16", None, float("nan")),
            ("2025-01-22", "2025-01-23", None, 30.0),
        ]
    )
    pd.testing.assert_frame_equal(fred.merge_vintages(stored, fetched), expected)


def test_merge_keeps_the_later_frame_s_row_of_a_repeated_vintage():
    first = vintage_frame([("2025-01-01", "2025-01-02", None, 10.0)])
    again = vintage_frame([("2025-01-01", "2025-01-02", None, 11.0)])
    assert fred.merge_vintages(first, again)["value"].tolist() == [11.0]
    assert fred.merge_vintages().columns.tolist() == list(catalog.VINTAGE_COLUMNS)


def test_a_cut_window_is_split_in_pieces_of_equal_days():
    closed = fred.VintageRequest("WALCL", datetime.date(2020, 1, 1), datetime.date(2020, 12, 30))
    # 365 days in two: 365 // 2 = 182 days, 2020-01-01 + 182 days = 2020-07-01.
    halves = fred.split_window(closed, TODAY, 2)
    assert [(w.realtime_start, w.realtime_end) for w in halves] == [
        (datetime.date(2020, 1, 1), datetime.date(2020, 6, 30)),
        (datetime.date(2020, 7, 1), datetime.date(2020, 12, 30)),
    ]
    # Open-ended: cut up to today (30 days, 10 each), the last piece stays open.
    open_ended = fred.VintageRequest("WALCL", datetime.date(2021, 6, 1))
    thirds = fred.split_window(open_ended, datetime.date(2021, 6, 30), 3)
    assert [(w.realtime_start, w.realtime_end) for w in thirds] == [
        (datetime.date(2021, 6, 1), datetime.date(2021, 6, 10)),
        (datetime.date(2021, 6, 11), datetime.date(2021, 6, 20)),
        (datetime.date(2021, 6, 21), None),
    ]
    two_days = fred.VintageRequest("WALCL", datetime.date(2021, 6, 29), datetime.date(2021, 6, 30))
    assert len(fred.split_window(two_days, TODAY, 40)) == 2  # never more pieces than days
    one_day = fred.VintageRequest("WALCL", datetime.date(2021, 6, 30))
    with pytest.raises(SourceError, match="2021-06-30 alone exceed FRED's rows per request"):
        fred.split_window(one_day, datetime.date(2021, 6, 30), 2)


def test_a_cut_answer_raises_truncated_before_fredapi_reads_it():
    body = '<observations count="5" offset="0" limit="4"><observation date="x"/></observations>'
    opener = fred.Opener(FakeSession(xml_answer(body)))
    # fredapi would fail on the date "x": it never sees the answer.
    with pytest.raises(fred.Truncated, match="FRED holds 5 rows for this request") as cut:
        fred.get_series("WALCL", api_key=KEY, opener=opener)
    assert (cut.value.count, cut.value.limit) == (5, 4)
    whole = '<observations count="4" offset="0" limit="4"></observations>'
    assert fred.get_series(
        "WALCL", api_key=KEY, opener=fred.Opener(FakeSession(xml_answer(whole)))
    ).empty


def test_validate_vintages_checks_the_id_and_allows_a_start_after_today():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    assert fred.validate_vintages(" walcl ", tomorrow) == fred.VintageRequest("WALCL", tomorrow)
    with pytest.raises(ValueError, match="invalid FRED series id"):
        fred.validate_vintages("WAL CL")
    with pytest.raises(ValueError, match="realtime_start must be a date"):
        fred.validate_vintages("WALCL", "2025-01-01")


def test_the_first_vintage_comes_from_the_vintage_dates():
    assert fred.parse_first_vintage(payload("fred/walcl_vintagedates.xml"), "WALCL") == (
        datetime.date(2002, 12, 19)
    )
    with pytest.raises(SourceError, match="WALCL: FRED lists no vintages"):
        fred.parse_first_vintage([], "WALCL")


def test_vintages_after_today_ask_nothing():
    opener = fred.Opener(FakeSession())  # any request would fail the test
    frame = fred.get_vintages(
        "WALCL",
        api_key=KEY,
        realtime_start=datetime.date(2025, 1, 10),
        opener=opener,
        today=datetime.date(2025, 1, 9),
    )
    assert frame.empty and list(frame.columns) == list(catalog.VINTAGE_COLUMNS)


def test_vintage_answers_stay_out_of_the_http_cache(tmp_path):
    body = (PAYLOADS / "fred" / "m2sl_vintages.xml").read_bytes()
    session = http.cached_session(tmp_path / "cache.sqlite")
    adapter = FakeAdapter(body, content_type="text/xml")
    session.mount("https://", adapter)
    for _ in range(2):
        fred.get_vintages(
            "M2SL",
            api_key=KEY,
            realtime_start=datetime.date(2025, 2, 25),
            opener=fred.Opener(session),
            today=datetime.date(2025, 5, 1),
        )
    assert len(adapter.sent) == 2  # never answered from the cache ...
    assert adapter.sent[0].headers["Cache-Control"] == "no-store"
    assert list(session.cache.responses.keys()) == []  # ... nor written to it


# One observation revised three times and another published once in 2020, a third in 2021;
# FRED sends at most CAP rows per answer.
CAP = 4
TODAY = datetime.date(2021, 6, 30)
ALFRED = [
    ("2020-01-01", "2020-01-02", "2020-02-04", 10.0),
    ("2020-01-01", "2020-02-05", "2020-03-03", 11.0),
    ("2020-01-01", "2020-03-04", "2020-05-05", 12.0),
    ("2020-01-01", "2020-05-06", None, 13.0),
    ("2020-01-08", "2020-01-09", None, 15.0),
    ("2021-03-03", "2021-03-04", None, 20.0),
]


def test_vintages_are_windowed_under_fred_s_row_cap_and_stitched(server):
    alfred = Alfred(ALFRED, cap=CAP)
    server.route(OBSERVATIONS, alfred)
    server.route(fred.FRED_VINTAGE_DATES_URL, alfred)
    frame = fred.get_vintages("WALCL", api_key=KEY, opener=on(server), today=TODAY)
    pd.testing.assert_frame_equal(frame, vintage_frame(ALFRED))
    asked = [
        (s.query["realtime_start"], s.query["realtime_end"])
        for s in server.requests_for(OBSERVATIONS)
    ]
    # All of realtime first: 6 rows, 4 sent, so cut. The vintage dates give the first vintage,
    # 2020-01-02; to TODAY that is 546 days, in ceil(6 / (4 // 2)) = 3 pieces starting at
    # +0, +182 and +364 days. The first piece meets 5 rows (January's four vintages and 15),
    # cut again: its 182 days in ceil(5 / 2) = 3 pieces at +0, +60 and +121 days.
    assert asked == [
        ("1776-07-04", "9999-12-31"),
        ("2020-01-02", "2020-07-01"),
        ("2020-01-02", "2020-03-01"),
        ("2020-03-02", "2020-05-01"),
        ("2020-05-02", "2020-07-01"),
        ("2020-07-02", "2020-12-30"),
        ("2020-12-31", "9999-12-31"),
    ]
    assert len(server.requests_for(fred.FRED_VINTAGE_DATES_URL)) == 1
    assert all(s.headers["Cache-Control"] == "no-store" for s in server.seen)


def test_vintages_that_fit_take_one_request(server):
    alfred = Alfred(ALFRED)  # FRED's own limit: everything fits
    server.route(OBSERVATIONS, alfred)
    frame = fred.get_vintages("WALCL", api_key=KEY, opener=on(server), today=TODAY)
    pd.testing.assert_frame_equal(frame, vintage_frame(ALFRED))
    assert [s.query["realtime_start"] for s in server.seen] == ["1776-07-04"]
