"""NY Fed Markets API adapter: windows and chunking, the RRP filter, rates, faults.

Payloads: tests/fixtures/payloads/nyfed/ (README.md there: documented JSON shape, numbers copied
from the data pack's nyfed/rrp_daily.csv and FRED SOFR.csv / EFFR.csv). Every expected value
below was written by hand from those CSV rows (quoted next to each case), never computed with
the code under test.
"""

from __future__ import annotations

import datetime
import json

import pandas as pd
import pytest

from liquidity.core import catalog
from liquidity.core.errors import SourceError
from liquidity.data import frames
from liquidity.sources import http, nyfed
from tests.fakes import FakeSession, make_response
from tests.loopback import BLOCK_PAGE, LoopbackServer, ok, too_many, truncated
from tests.test_source_payloads import PAYLOADS, payload

RRP_WEEKS = payload("nyfed/rrp_2025-07-29_2025-08-08.json")
RRP_URL = nyfed.BASE_URL + "/rp/reverserepo/all/results/search.json"
SOFR_URL = nyfed.BASE_URL + "/rates/secured/sofr/search.json"
EFFR_URL = nyfed.BASE_URL + "/rates/unsecured/effr/search.json"
NAN = float("nan")
FAST_RETRY = http.Retry(attempts=3, backoff=0.02, max_wait=1.0)


@pytest.fixture(autouse=True)
def fast_limiter(monkeypatch):
    monkeypatch.setattr(nyfed, "LIMITER", http.RateLimiter(1e9, sleep=lambda seconds: None))


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(http, "RETRY", FAST_RETRY)
    with LoopbackServer() as loopback:
        yield loopback


def answer(body) -> object:
    return make_response(body=body)


def dates(*days: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(list(days)), name="date").as_unit("us")


def rrp_frame(rows: list[tuple[str, float, float, str]]) -> pd.DataFrame:
    """The expected RRP frame from (date, $ billions, dollars, operation id), typed by hand."""
    return pd.DataFrame(
        {
            "total_accepted_busd": [r[1] for r in rows],
            "total_amt_accepted_usd": [r[2] for r in rows],
            "operation_id": [r[3] for r in rows],
        },
        index=dates(*(r[0] for r in rows)),
    )


def rate_frame(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {"rate_pct": [r[1] for r in rows], "volume_busd": [r[2] for r in rows]},
        index=dates(*(r[0] for r in rows)),
        dtype="float64",
    )


# Hand-copied from /work/shared/data/nyfed/rrp_daily.csv, rows 2025-07-29 → 2025-08-08.
RRP_CSV_ROWS = [
    ("2025-07-29", 171.018, 171018000000.0, "RP 072925 2"),
    ("2025-07-30", 155.481, 155481000000.0, "RP 073025 2"),
    ("2025-07-31", 214.445, 214445000000.0, "RP 073125 2"),
    ("2025-08-01", 97.426, 97426000000.0, "RP 080125 2"),
    ("2025-08-04", 125.73, 125730000000.0, "RP 080425 2"),
    ("2025-08-05", 84.356, 84356000000.0, "RP 080525 2"),
    ("2025-08-06", 91.966, 91966000000.0, "RP 080625 2"),
    ("2025-08-07", 77.961, 77961000000.0, "RP 080725 2"),
    ("2025-08-08", 80.303, 80303000000.0, "RP 080825 2"),
]


# --- RRP --------------------------------------------------------------------------------------


def test_rrp_in_billions_equals_the_packs_total_accepted_busd():
    session = FakeSession(answer(RRP_WEEKS))
    frame, requests_made = nyfed.get_rrp(
        session, datetime.date(2025, 7, 29), datetime.date(2025, 8, 8)
    )

    assert requests_made == 1
    assert session.calls[0]["url"] == RRP_URL
    assert session.calls[0]["params"] == {"startDate": "2025-07-29", "endDate": "2025-08-08"}
    pd.testing.assert_frame_equal(frame, rrp_frame(RRP_CSV_ROWS))
    assert tuple(frame.columns) == catalog.RRP_COLUMNS
    assert frame.index.is_monotonic_increasing and frame.index.is_unique


def test_rrp_frame_has_the_pack_files_shape():
    # The first three data rows of rrp_daily.csv, verbatim, read the way a pack file is read.
    csv = (
        "date,total_accepted_busd,total_amt_accepted_usd,operation_id\n"
        "2025-07-29,171.018,171018000000,RP 072925 2\n"
        "2025-07-30,155.481,155481000000,RP 073025 2\n"
        "2025-07-31,214.445,214445000000,RP 073125 2\n"
    )
    dataset = catalog.get(catalog.RRP_DAILY)
    frame = nyfed.parse_rrp(RRP_WEEKS).loc[:"2025-07-31"]
    pd.testing.assert_frame_equal(frame, frames.read_csv(csv, dataset))
    frames.validate(nyfed.parse_rrp(RRP_WEEKS), dataset)


def test_term_and_small_value_exercise_operations_are_dropped():
    # Real: RP 080425 2 = 125.73 $B, RP 080525 2 = 84.356 $B. Constructed (README): a 500 $B
    # term operation on 08-04, a 400 $B "Small Value Exercise" (note) on 08-05 and one named in
    # operationMethod, alone on 08-06: that day has no operation left, so no row (never 0).
    frame = nyfed.parse_rrp(payload("nyfed/rrp_dropped_operations.json"))
    expected = rrp_frame(
        [
            ("2025-08-04", 125.73, 125730000000.0, "RP 080425 2"),
            ("2025-08-05", 84.356, 84356000000.0, "RP 080525 2"),
        ]
    )
    pd.testing.assert_frame_equal(frame, expected)


def test_largest_overnight_operation_stands_for_the_day_and_zero_is_a_true_zero():
    # Shape test with made-up operations: two overnight operations on one day, and a day whose
    # only operation accepted nothing (an operation took place: 0, not missing).
    def operation(op_id: str, day: str, amount: int) -> dict:
        return {
            "operationId": op_id,
            "auctionStatus": "Results",
            "operationDate": day,
            "operationType": "Reverse Repo",
            "operationMethod": "Full Allotment",
            "term": "Overnight",
            "note": "",
            "totalAmtAccepted": amount,
        }

    body = {
        "repo": {
            "operations": [
                operation("B", "2025-01-02", 3_000_000_000),
                operation("A", "2025-01-02", 5_000_000_000),
                operation("C", "2025-01-03", 0),
            ]
        }
    }
    expected = rrp_frame([("2025-01-02", 5.0, 5e9, "A"), ("2025-01-03", 0.0, 0.0, "C")])
    pd.testing.assert_frame_equal(nyfed.parse_rrp(body), expected)


def test_an_operation_without_results_yet_is_not_a_zero():
    body = json.loads(json.dumps(RRP_WEEKS))
    pending = dict(body["repo"]["operations"][0], auctionStatus="Announcement")
    pending.pop("totalAmtAccepted")
    frame = nyfed.parse_rrp({"repo": {"operations": [pending]}})
    assert frame.empty


def test_an_operation_without_total_amt_accepted_names_the_field():
    with pytest.raises(SourceError, match="RP 080125 2.*totalAmtAccepted") as caught:
        nyfed.parse_rrp(payload("nyfed/malformed_operation_without_totalAmtAccepted.json"))
    assert caught.value.source == "nyfed"
    assert "\n" not in str(caught.value)


def test_an_empty_answer_is_an_empty_frame_of_the_right_shape():
    session = FakeSession(answer({"repo": {"operations": []}}))
    frame, requests_made = nyfed.get_rrp(
        session, datetime.date(2025, 1, 1), datetime.date(2025, 1, 31)
    )
    assert requests_made == 1
    assert frame.empty
    assert tuple(frame.columns) == catalog.RRP_COLUMNS
    assert frame.index.name == "date" and str(frame.index.dtype) == "datetime64[us]"

    rates = nyfed.parse_rates({"refRates": []}, "SOFR")
    assert rates.empty and tuple(rates.columns) == catalog.RATE_COLUMNS


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"refRates": []}, "no 'repo'"),
        ({"repo": {}}, "no 'repo' → 'operations'"),
        ({"repo": {"operations": {}}}, "not a list"),
    ],
)
def test_an_answer_without_repo_operations_is_a_source_error(body, message):
    with pytest.raises(SourceError, match=message):
        nyfed.parse_rrp(body)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("operationDate", "2025-13-01", "unreadable date '2025-13-01'"),
        ("operationDate", None, "unreadable date None"),
        ("totalAmtAccepted", "lots", r"not a number \('lots'\)"),
        ("totalAmtAccepted", None, "no usable totalAmtAccepted"),
        ("totalAmtAccepted", -1, "no usable totalAmtAccepted"),
    ],
)
def test_unreadable_dates_and_numbers_are_source_errors(field, value, message):
    body = json.loads(json.dumps(RRP_WEEKS))
    body["repo"]["operations"][0][field] = value
    with pytest.raises(SourceError, match=message):
        nyfed.parse_rrp(body)


def test_one_operation_listed_twice_with_different_amounts_is_an_error():
    body = json.loads(json.dumps(RRP_WEEKS))
    operations = body["repo"]["operations"]
    operations.append(dict(operations[0]))  # the same operation again: harmless
    assert len(nyfed.parse_rrp(body)) == 9
    operations.append(dict(operations[0], totalAmtAccepted=1))
    with pytest.raises(SourceError, match="RP 080825 2.*twice with different values"):
        nyfed.parse_rrp(body)


# --- rates ------------------------------------------------------------------------------------


def test_a_long_window_is_fetched_one_year_per_request_and_joined_in_order():
    names = [
        "nyfed/sofr_2023-02-01_2024-01-31.json",
        "nyfed/sofr_2024-02-01_2025-01-31.json",
        "nyfed/sofr_2025-02-01_2025-08-01.json",
    ]
    session = FakeSession(*(answer(payload(n)) for n in names))
    frame, requests_made = nyfed.get_rate(
        session, "SOFR", datetime.date(2023, 2, 1), datetime.date(2025, 8, 1)
    )

    assert requests_made == 3
    assert [call["url"] for call in session.calls] == [SOFR_URL] * 3
    assert [call["params"] for call in session.calls] == [
        {"startDate": "2023-02-01", "endDate": "2024-01-31"},
        {"startDate": "2024-02-01", "endDate": "2025-01-31"},
        {"startDate": "2025-02-01", "endDate": "2025-08-01"},
    ]
    # /work/shared/data/fred/SOFR.csv, by hand; FRED has no volume, so NaN.
    expected = rate_frame(
        [
            ("2023-02-01", 4.31, NAN),
            ("2023-02-02", 4.56, NAN),
            ("2024-01-31", 5.32, NAN),
            ("2024-02-01", 5.32, NAN),
            ("2025-01-31", 4.38, NAN),
            ("2025-02-03", 4.35, NAN),
            ("2025-07-28", 4.36, NAN),
            ("2025-07-29", 4.36, NAN),
            ("2025-07-30", 4.32, NAN),
            ("2025-07-31", 4.39, NAN),
            ("2025-08-01", 4.34, NAN),
        ]
    )
    pd.testing.assert_frame_equal(frame, expected)
    assert tuple(frame.columns) == catalog.RATE_COLUMNS


def test_request_windows_are_one_year_each_and_cover_the_range():
    d = datetime.date
    assert nyfed.request_windows(d(2024, 2, 29), d(2025, 3, 5)) == [
        (d(2024, 2, 29), d(2025, 2, 28)),
        (d(2025, 3, 1), d(2025, 3, 5)),
    ]
    assert nyfed.request_windows(d(2025, 1, 1), d(2025, 1, 1)) == [(d(2025, 1, 1), d(2025, 1, 1))]
    assert nyfed.request_windows(d(2024, 1, 1), d(2024, 12, 31)) == [
        (d(2024, 1, 1), d(2024, 12, 31))
    ]


def test_effr_reads_the_unsecured_endpoint():
    session = FakeSession(answer(payload("nyfed/effr_2023-02-01_2023-02-03.json")))
    frame, requests_made = nyfed.get_rate(
        session, "EFFR", datetime.date(2023, 2, 1), datetime.date(2023, 2, 3)
    )
    assert requests_made == 1
    assert session.calls[0]["url"] == EFFR_URL
    # /work/shared/data/fred/EFFR.csv, by hand.
    expected = rate_frame(
        [("2023-02-01", 4.33, NAN), ("2023-02-02", 4.58, NAN), ("2023-02-03", 4.58, NAN)]
    )
    pd.testing.assert_frame_equal(frame, expected)


def test_rate_frame_has_the_pack_files_shape():
    csv = "date,rate_pct,volume_busd\n2023-02-01,4.33,\n2023-02-02,4.58,\n2023-02-03,4.58,\n"
    dataset = catalog.get("nyfed/EFFR")
    frame = nyfed.parse_rates(payload("nyfed/effr_2023-02-01_2023-02-03.json"), "EFFR")
    pd.testing.assert_frame_equal(frame, frames.read_csv(csv, dataset))


def test_volume_is_read_in_billions_and_strings_are_numbers():
    # Shape test; the volume is made up (the fixtures' FRED source has none).
    body = {
        "refRates": [
            {"effectiveDate": "2025-08-01", "type": "SOFR", "percentRate": "4.34",
             "volumeInBillions": 2500},
            {"effectiveDate": "2025-07-31", "type": "SOFR", "percentRate": 4.39,
             "volumeInBillions": None},
        ]
    }  # fmt: skip
    expected = rate_frame([("2025-07-31", 4.39, NAN), ("2025-08-01", 4.34, 2500.0)])
    pd.testing.assert_frame_equal(nyfed.parse_rates(body, "SOFR"), expected)


def test_a_row_of_another_rate_type_is_rejected():
    with pytest.raises(SourceError, match="'EFFR' rate in an answer for SOFR"):
        nyfed.parse_rates(payload("nyfed/effr_2023-02-01_2023-02-03.json"), "SOFR")


def test_rates_schema_errors():
    with pytest.raises(SourceError, match="no 'refRates'"):
        nyfed.parse_rates({"repo": {"operations": []}}, "SOFR")
    row = {"effectiveDate": "2025-08-01", "type": "SOFR"}
    with pytest.raises(SourceError, match="SOFR 2025-08-01 has no percentRate field"):
        nyfed.parse_rates({"refRates": [row]}, "SOFR")
    with pytest.raises(SourceError, match="unreadable date '08/01/2025'"):
        nyfed.parse_rates(
            {"refRates": [dict(row, effectiveDate="08/01/2025", percentRate=4.34)]}, "SOFR"
        )


def test_a_date_listed_twice_with_different_rates_is_an_error():
    first = {"effectiveDate": "2025-08-01", "type": "SOFR", "percentRate": 4.34}
    same = nyfed.parse_rates({"refRates": [first, dict(first)]}, "SOFR")
    assert len(same) == 1
    with pytest.raises(SourceError, match="SOFR 2025-08-01 is listed twice"):
        nyfed.parse_rates({"refRates": [first, dict(first, percentRate=4.39)]}, "SOFR")


# --- validation -------------------------------------------------------------------------------


def test_unknown_rate_and_bad_windows_are_value_errors_before_any_request():
    session = FakeSession()
    today = datetime.date.today()
    with pytest.raises(ValueError, match="unknown NY Fed rate 'OBFR'"):
        nyfed.get_rate(session, "OBFR")
    with pytest.raises(ValueError, match="is after end"):
        nyfed.get_rrp(session, datetime.date(2025, 2, 1), datetime.date(2025, 1, 1))
    with pytest.raises(ValueError, match="in the future"):
        nyfed.get_rate(session, "SOFR", end=today + datetime.timedelta(days=2))
    with pytest.raises(ValueError, match="must be a date"):
        nyfed.get_rrp(session, "2025-01-01")
    assert session.calls == []


@pytest.mark.parametrize(
    ("call", "first"),
    [
        (lambda s, end: nyfed.get_rrp(s, end=end), "2014-01-01"),
        (lambda s, end: nyfed.get_rate(s, "SOFR", end=end), "2018-04-02"),
        (lambda s, end: nyfed.get_rate(s, "EFFR", end=end), "2000-07-03"),
    ],
    ids=["RRP", "SOFR", "EFFR"],
)
def test_default_start_is_the_first_day_of_each_history(call, first):
    start = datetime.date.fromisoformat(first)
    end = start + datetime.timedelta(days=30)
    empty = {"repo": {"operations": []}} if first == "2014-01-01" else {"refRates": []}
    session = FakeSession(answer(empty))
    _, requests_made = call(session, end)
    assert requests_made == 1
    assert session.calls[0]["params"] == {"startDate": first, "endDate": end.isoformat()}


def test_default_end_is_today_and_tomorrow_is_still_allowed():
    today = datetime.date.today()
    session = FakeSession(answer({"refRates": []}), answer({"refRates": []}))
    nyfed.get_rate(session, "SOFR", today - datetime.timedelta(days=5))
    nyfed.get_rate(session, "SOFR", today, today + datetime.timedelta(days=1))
    assert session.calls[0]["params"]["endDate"] == today.isoformat()
    assert session.calls[1]["params"]["endDate"] == (today + datetime.timedelta(days=1)).isoformat()


# --- faults -----------------------------------------------------------------------------------


def test_html_instead_of_json_is_a_source_error():
    session = FakeSession(make_response(200, BLOCK_PAGE.decode()))
    with pytest.raises(SourceError, match="HTML page instead of JSON") as caught:
        nyfed.get_rrp(session, datetime.date(2025, 7, 29), datetime.date(2025, 8, 8))
    assert caught.value.source == "nyfed"
    assert "markets.newyorkfed.org" in str(caught.value)


def test_unreadable_json_and_non_objects_are_source_errors():
    start, end = datetime.date(2025, 7, 29), datetime.date(2025, 8, 8)
    with pytest.raises(SourceError, match="unreadable JSON"):
        nyfed.get_rrp(FakeSession(make_response(200, '{"repo": ')), start, end)
    with pytest.raises(SourceError, match="expected a JSON object"):
        nyfed.get_rate(FakeSession(make_response(200, "[]")), "SOFR", start, end)


def test_a_429_then_success_over_a_real_socket(server):
    server.route(RRP_URL, too_many(), ok(json.dumps(RRP_WEEKS)))
    frame, requests_made = nyfed.get_rrp(
        server.session(), datetime.date(2025, 7, 29), datetime.date(2025, 8, 8)
    )
    pd.testing.assert_frame_equal(frame, rrp_frame(RRP_CSV_ROWS))
    assert requests_made == 1  # one window; http.get's retry is not a second window
    seen = server.requests_for(RRP_URL)
    assert len(seen) == 2
    assert all(s.query == {"startDate": "2025-07-29", "endDate": "2025-08-08"} for s in seen)


def test_a_cut_off_body_is_a_source_error(server):
    body = (PAYLOADS / "nyfed" / "rrp_2025-07-29_2025-08-08.json").read_text()
    server.route(RRP_URL, truncated(body))
    with pytest.raises(SourceError, match="was cut off") as caught:
        nyfed.get_rrp(server.session(), datetime.date(2025, 7, 29), datetime.date(2025, 8, 8))
    assert "markets.newyorkfed.org" in str(caught.value)
    assert len(server.requests_for(RRP_URL)) == FAST_RETRY.attempts
