"""FRED adapter: request checks, both CSV headers, missing values, the keyed JSON API."""

from __future__ import annotations

import datetime
import math

import pandas as pd
import pytest

from liquidity.core.errors import RateLimited, SourceError
from liquidity.sources import fred, http
from tests.fakes import FakeSession, make_response
from tests.test_source_payloads import payload

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


@pytest.mark.parametrize("api_key", [None, "KEY"])
def test_get_series_without_a_session_says_what_is_missing(api_key):
    with pytest.raises(ValueError, match="needs a session"):
        fred.get_series("WALCL", api_key=api_key)


def test_get_series_validates_before_any_request():
    session = FakeSession()
    with pytest.raises(ValueError):
        fred.get_series("not an id", session=session)
    assert session.calls == []


# --- keyed path: the REST API's JSON through the same session --------------------------------
KEY = "0123456789abcdef0123456789abcdef"
# SOURCES.md §3.3: values are strings, "." = missing; out of date order on purpose.
WALCL_JSON = payload("fred/walcl_observations.json")


def test_get_series_keyed_path_asks_the_api_and_gives_the_same_shape():
    session = FakeSession(make_response(200, WALCL_JSON))
    frame = fred.get_series("walcl", datetime.date(2023, 12, 1), session=session, api_key=KEY)
    [call] = session.calls
    assert call["url"] == fred.FRED_OBSERVATIONS_URL
    assert call["params"] == {
        "series_id": "WALCL",
        "api_key": KEY,
        "file_type": "json",
        "observation_start": "2023-12-01",
    }
    assert call["timeout"] == (5, 20)
    assert frame["value"].tolist()[0] == 7712781.0  # sorted ascending
    assert frame["value"].isna().tolist() == [False, False, True]
    csv_frame = fred.parse_csv(WALCL_CSV, "WALCL")
    assert list(frame.columns) == list(csv_frame.columns)
    assert frame.index.name == csv_frame.index.name
    assert frame.index.dtype == csv_frame.index.dtype


def test_fetch_observations_without_start_sends_no_observation_start():
    session = FakeSession(make_response(200, WALCL_JSON))
    fred.fetch_observations(session, fred.FredRequest("WALCL", None), KEY)
    assert "observation_start" not in session.calls[0]["params"]


def test_keyed_and_keyless_paths_share_the_limiter(recorded_limiter):
    fred.get_series("WALCL", session=FakeSession(make_response(200, WALCL_CSV)))
    fred.get_series("WALCL", session=FakeSession(make_response(200, WALCL_JSON)), api_key=KEY)
    assert recorded_limiter == [0.5]


def test_module_limiter_allows_two_requests_per_second():
    assert MODULE_LIMITER.per_second == 2


def test_parse_observations_with_none_gives_an_empty_frame():
    frame = fred.parse_observations({"count": 0, "observations": []}, "WALCL")
    assert frame.empty and list(frame.columns) == ["value"]
    assert frame.index.name == "date" and frame.index.dtype.kind == "M"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"count": 0}, "no observations list"),
        ({"observations": {"date": "2024-01-03"}}, "no observations list"),
        ({"observations": [{"date": "2024-01-03"}]}, "observation without date or value"),
        ({"observations": ["2024-01-03,1"]}, "observation without date or value"),
        ({"observations": [{"date": "last week", "value": "1"}]}, "unreadable observation date"),
        (
            {"observations": [{"date": "2024-01-03", "value": "1"}] * 2},
            "duplicate observation dates, first 2024-01-03",
        ),
    ],
)
def test_parse_observations_rejects_what_is_not_a_series(payload, message):
    with pytest.raises(SourceError, match=message):
        fred.parse_observations(payload, "WALCL")


@pytest.mark.parametrize(
    ("answer", "expected", "message"),
    [
        (
            make_response(
                400,
                {"error_code": 400, "error_message": "Bad Request.  The series does not exist."},
            ),
            SourceError,
            "api.stlouisfed.org: Bad Request.  The series does not exist.",
        ),
        (
            make_response(400, {"error_code": 400, "error_message": f"api_key {KEY} is bad"}),
            SourceError,
            "api.stlouisfed.org: api_key … is bad",
        ),
        (make_response(400, "Bad Request"), SourceError, "answered HTTP 400 for /fred/series/"),
        (make_response(403), SourceError, "answered HTTP 403"),
        (make_response(200, "<html><body>Blocked</body></html>"), SourceError, "HTML page"),
        (make_response(200, "[1, 2]"), SourceError, "not FRED's JSON"),
        (
            make_response(429, headers={"Retry-After": "3600"}),
            RateLimited,
            "asks to wait 3600 s",
        ),
    ],
    ids=["fred-error", "key-in-message", "400-text", "403", "html", "json-list", "429"],
)
def test_fetch_observations_turns_error_answers_into_source_errors(answer, expected, message):
    with pytest.raises(expected) as caught:
        fred.fetch_observations(FakeSession(answer), fred.FredRequest("WALCL", None), KEY)
    assert type(caught.value) is expected
    assert message in str(caught.value) and KEY not in str(caught.value)


def test_fetch_series_info_and_parse_units_read_the_units_field():
    info = {"seriess": [{"id": "WALCL", "units": "Millions of U.S. Dollars"}]}
    session = FakeSession(make_response(200, info))
    answer = fred.fetch_series_info(session, fred.validate_request("walcl"), KEY)
    assert fred.parse_units(answer, "WALCL") == "Millions of U.S. Dollars"
    [call] = session.calls
    assert call["url"] == fred.FRED_SERIES_URL
    assert call["params"] == {"series_id": "WALCL", "api_key": KEY, "file_type": "json"}


def test_parse_units_says_when_the_answer_has_none():
    with pytest.raises(SourceError, match="WALCL: the API answer has no units"):
        fred.parse_units({"seriess": []}, "WALCL")
