"""Treasury FiscalData adapter: paging, the three TGA eras, auctions, validation and faults.

Payloads: tests/fixtures/payloads/fiscaldata/ (README.md there: documented answer shape, numbers
copied from the data pack's treasury/tga_daily.csv, treasury/auctions.csv and fred/WDTGAL.csv).
Every expected value below was written by hand from those CSV rows (quoted next to each case),
never computed with the code under test. Payloads edited inline say what they change.
"""

from __future__ import annotations

import copy
import datetime
import json

import pandas as pd
import pytest

from liquidity.core import catalog
from liquidity.core.catalog import AUCTION_COLUMNS
from liquidity.core.errors import RateLimited, SourceError
from liquidity.data import frames
from liquidity.sources import fiscaldata, http
from tests.fakes import FakeSession, make_response
from tests.loopback import LoopbackServer, chunked_cut, html, ok, status, too_many, truncated
from tests.test_source_payloads import PAYLOADS, payload

PAGES = [payload(f"fiscaldata/tga_2026-09-14_page{n}.json") for n in (1, 2, 3)]
THREE_ERAS = payload("fiscaldata/tga_three_eras.json")
EMPTY = payload("fiscaldata/tga_empty.json")
AUCTIONS = payload("fiscaldata/auctions_query_2026-04-06.json")
UPCOMING = payload("fiscaldata/upcoming_auctions_2026-08-21.json")
TGA_PATH = "/v1/accounting/dts/operating_cash_balance"
TGA_URL = fiscaldata.BASE_URL + TGA_PATH
AUCTIONS_URL = fiscaldata.BASE_URL + "/v1/accounting/od/auctions_query"
UPCOMING_URL = fiscaldata.BASE_URL + "/v1/accounting/od/upcoming_auctions"
NAN = float("nan")
FAST_RETRY = http.Retry(attempts=3, backoff=0.02, max_wait=2.0)
MODULE_LIMITER = fiscaldata.LIMITER  # captured before the fixture below swaps it out

CLOSING = "Treasury General Account (TGA) Closing Balance"
RENAMED = "Treasury General Account (TGA)"
LEGACY = "Federal Reserve Account"

# tga_daily.csv, 2026-09-14 → 09-18 (the Closing Balance rows of the three pages).
PAGED_TGA = [
    ("2026-09-14", 871224.0),
    ("2026-09-15", 991557.0),
    ("2026-09-16", 991708.0),
    ("2026-09-17", 972675.0),
    ("2026-09-18", 985932.0),
]
# The three-era payload, worked out by hand: each date keeps the value of its TGA row in that
# era's column, never the other one (the 2021 rows' open_today_bal is the previous Wednesday's
# level, so reading the wrong column would show), and the ignored account types (999001…) and
# Opening Balance rows never appear.
#   "Federal Reserve Account", close_today_bal:  09-22 → 272679, 09-29 → 173745 (WDTGAL)
#   "Treasury General Account (TGA)", close_today_bal: 2021-10-06 → 95854, 2022-04-13 → 543536
#   "… Closing Balance", open_today_bal (close is "null"): 04-18 → 841253, 04-19 → 893351,
#   04-20 → 907526 (tga_daily.csv; 04-20 is also WDTGAL's Wednesday level 907526)
THREE_ERA_TGA = [
    ("2021-09-22", 272679.0),
    ("2021-09-29", 173745.0),
    ("2021-10-06", 95854.0),
    ("2022-04-13", 543536.0),
    ("2022-04-18", 841253.0),
    ("2022-04-19", 893351.0),
    ("2022-04-20", 907526.0),
]


@pytest.fixture(autouse=True)
def fast_limiter(monkeypatch):
    monkeypatch.setattr(fiscaldata, "LIMITER", http.RateLimiter(1e9, sleep=lambda seconds: None))


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(http, "RETRY", FAST_RETRY)
    with LoopbackServer() as loopback:
        yield loopback


def answer(body) -> object:
    return make_response(body=body)


def tga_frame(rows: list[tuple[str, float]]) -> pd.DataFrame:
    """The expected TGA frame from (date, $ millions), typed by hand."""
    return pd.DataFrame(
        {"close_balance_musd": [value for _, value in rows]},
        index=pd.DatetimeIndex([day for day, _ in rows], name="date", dtype="datetime64[us]"),
        dtype="float64",
    )


def pack_auctions(csv_rows: str) -> pd.DataFrame:
    """Pack-form auctions (frames.read_csv) from auctions.csv lines, a cross-check of layout."""
    header = (
        "auction_date,issue_date,security_type,security_term,cusip,offering_amt_usd,"
        "total_accepted_usd,status,source\n"
    )
    return frames.read_csv(header + csv_rows, catalog.get(catalog.AUCTIONS))


def tga_row(day: str, kind: str, close: str, opening: str) -> dict:
    return {
        "record_date": day,
        "account_type": kind,
        "close_today_bal": close,
        "open_today_bal": opening,
    }


def one_page(rows: list[dict]) -> dict:
    return {"data": rows, "meta": {"count": len(rows), "total-count": len(rows), "total-pages": 1}}


# --- paging ----------------------------------------------------------------------------------


def test_three_pages_are_requested_in_turn_and_joined_in_order():
    session = FakeSession(*(answer(page) for page in PAGES))
    rows, requests_made = fiscaldata.fetch_pages(
        session, TGA_PATH, fields=fiscaldata.TGA_FIELDS, page_size=4
    )
    assert requests_made == 3
    assert rows == PAGES[0]["data"] + PAGES[1]["data"] + PAGES[2]["data"]
    assert [row["record_date"] for row in rows[::2]] == [day for day, _ in PAGED_TGA]
    assert [call["url"] for call in session.calls] == [TGA_URL] * 3
    assert [call["params"]["page[number]"] for call in session.calls] == ["1", "2", "3"]
    for call in session.calls:
        assert call["params"] == {
            "fields": "record_date,account_type,close_today_bal,open_today_bal",
            "format": "json",
            "page[size]": "4",
            "page[number]": call["params"]["page[number]"],
        }
        assert call["timeout"] == http.TIMEOUT


def test_get_tga_over_three_pages_matches_the_pack_rows():
    session = FakeSession(*(answer(page) for page in PAGES))
    frame, requests_made = fiscaldata.get_tga(session, datetime.date(2026, 9, 14))
    assert requests_made == 3
    pd.testing.assert_frame_equal(frame, tga_frame(PAGED_TGA))
    # The same five lines of tga_daily.csv, read the way the store reads the pack.
    csv = "date,close_balance_musd\n" + "".join(f"{d},{v:.0f}\n" for d, v in PAGED_TGA)
    pd.testing.assert_frame_equal(frame, frames.read_csv(csv, catalog.get(catalog.TGA_DAILY)))
    first = session.calls[0]["params"]
    assert first["filter"] == "record_date:gte:2026-09-14"
    assert first["sort"] == "record_date"
    assert first["page[size]"] == "10000"


def test_pages_over_a_real_socket_carry_the_page_number(server):
    server.route(TGA_URL, lambda seen: ok(json.dumps(PAGES[int(seen.query["page[number]"]) - 1])))
    frame, requests_made = fiscaldata.get_tga(server.session(), datetime.date(2026, 9, 14))
    assert requests_made == 3
    pd.testing.assert_frame_equal(frame, tga_frame(PAGED_TGA))
    seen = server.requests_for(TGA_URL)
    assert [s.query["page[number]"] for s in seen] == ["1", "2", "3"]
    assert all(s.query["filter"] == "record_date:gte:2026-09-14" for s in seen)
    assert "page%5Bnumber%5D=1" in seen[0].raw_path  # brackets percent-encoded on the wire


def test_a_start_after_the_last_record_gives_an_empty_frame():
    session = FakeSession(answer(EMPTY))
    frame, requests_made = fiscaldata.get_tga(session, datetime.date.today())
    assert requests_made == 1
    pd.testing.assert_frame_equal(frame, tga_frame([]))
    assert list(frame.columns) == list(catalog.TGA_COLUMNS)


def test_an_empty_page_in_the_middle_is_a_cut_off_answer():
    middle = copy.deepcopy(PAGES[1])
    middle["data"], middle["meta"]["count"] = [], 0  # edited: page 2 of 3 with no rows
    session = FakeSession(answer(PAGES[0]), answer(middle), answer(PAGES[2]))
    with pytest.raises(SourceError, match="cut off: page 2 of 3 came back empty") as caught:
        fiscaldata.get_tga(session, datetime.date(2026, 9, 14))
    assert "after 4 of 10 rows" in str(caught.value)
    assert len(session.calls) == 2


def test_a_total_count_that_does_not_match_the_rows_is_an_error():
    pages = copy.deepcopy(PAGES)
    for page in pages:
        page["meta"]["total-count"] = 11  # edited: 11 announced, the pages hold 10
    with pytest.raises(SourceError, match=r"announced 11 rows .* 3 page\(s\) held 10"):
        fiscaldata.get_tga(FakeSession(*(answer(p) for p in pages)), datetime.date(2026, 9, 14))


def test_a_total_count_that_changes_between_pages_is_an_error():
    pages = copy.deepcopy(PAGES)
    pages[2]["meta"]["total-count"] = 12  # edited: a day was published mid-read
    with pytest.raises(SourceError, match="changed while it was being read"):
        fiscaldata.get_tga(FakeSession(*(answer(p) for p in pages)), datetime.date(2026, 9, 14))


def test_a_page_that_holds_fewer_rows_than_its_count_is_an_error():
    page = copy.deepcopy(PAGES[2])
    page["data"] = page["data"][:1]  # edited: meta count says 2
    session = FakeSession(answer(PAGES[0]), answer(PAGES[1]), answer(page))
    with pytest.raises(SourceError, match=r"page 3 announced 2 rows \(meta count\) but held 1"):
        fiscaldata.get_tga(session, datetime.date(2026, 9, 14))


def test_an_answer_announcing_too_many_pages_is_not_followed():
    page = copy.deepcopy(PAGES[0])
    page["meta"]["total-pages"] = fiscaldata.MAX_PAGES + 1  # edited
    session = FakeSession(answer(page))
    with pytest.raises(SourceError, match="announced 1001 pages"):
        fiscaldata.get_tga(session, datetime.date(2026, 9, 14))
    assert len(session.calls) == 1


# --- the TGA's three account_type eras -------------------------------------------------------


def test_the_three_eras_splice_into_one_series_from_the_right_column():
    frame, requests_made = fiscaldata.get_tga(FakeSession(answer(THREE_ERAS)))
    assert requests_made == 1
    pd.testing.assert_frame_equal(frame, tga_frame(THREE_ERA_TGA))


def test_the_spliced_wednesdays_equal_fred_wdtgal():
    # WDTGAL (fred/WDTGAL.csv) Wednesday levels: 2021-09-22 272679, 2021-09-29 173745,
    # 2021-10-06 95854, 2022-04-13 543536, 2022-04-20 907526.
    frame = fiscaldata.parse_tga(THREE_ERAS["data"])
    wednesdays = frame[frame.index.day_of_week == 2]["close_balance_musd"]
    assert wednesdays.to_dict() == {
        pd.Timestamp("2021-09-22"): 272679.0,
        pd.Timestamp("2021-09-29"): 173745.0,
        pd.Timestamp("2021-10-06"): 95854.0,
        pd.Timestamp("2022-04-13"): 543536.0,
        pd.Timestamp("2022-04-20"): 907526.0,
    }


@pytest.mark.parametrize("newest_first", [False, True])
def test_a_date_with_two_eras_keeps_the_newest_label(newest_first):
    # Constructed: 2022-04-18 under both the old label (a made-up 111 in close_today_bal) and
    # the new one (tga_daily.csv 841253 in open_today_bal); the answer's order must not matter.
    rows = [
        tga_row("2022-04-18", RENAMED, "111", "222"),
        tga_row("2022-04-18", CLOSING, "null", "841253"),
        tga_row("2022-04-18", LEGACY, "333", "444"),
    ]
    if newest_first:
        rows.reverse()
    frame = fiscaldata.parse_tga(rows)
    pd.testing.assert_frame_equal(frame, tga_frame([("2022-04-18", 841253.0)]))


def test_a_null_balance_is_nan_and_other_account_types_are_ignored():
    # Constructed: a "null" value in each era's column keeps its date as NaN (never 0).
    rows = [
        tga_row("2021-09-29", LEGACY, "null", "272679"),
        tga_row("2022-04-13", RENAMED, "null", "545584"),
        tga_row("2022-04-18", CLOSING, "null", "null"),
        tga_row("2022-04-18", "Total Operating Balance", "null", "999001"),
        tga_row("2022-04-19", "Treasury General Account (TGA) Opening Balance", "null", "841253"),
    ]
    frame = fiscaldata.parse_tga(rows)
    pd.testing.assert_frame_equal(
        frame, tga_frame([("2021-09-29", NAN), ("2022-04-13", NAN), ("2022-04-18", NAN)])
    )


def test_rows_without_any_tga_label_are_a_schema_change():
    # Edited: the Closing Balance rows renamed to a label the parser does not know.
    rows = [r for r in PAGES[0]["data"] if r["account_type"] != CLOSING]
    rows += [tga_row("2026-09-14", "TGA Closing Balance (new name)", "null", "871224")]
    with pytest.raises(SourceError, match="no TGA row among the account types") as caught:
        fiscaldata.parse_tga(rows)
    assert "TGA Closing Balance (new name)" in str(caught.value)


def test_one_label_twice_on_a_date_with_different_values_is_an_error():
    rows = [tga_row("2022-04-19", CLOSING, "null", v) for v in ("893351", "893352")]
    with pytest.raises(SourceError, match="listed twice with different values"):
        fiscaldata.parse_tga(rows)
    same = [tga_row("2022-04-19", CLOSING, "null", "893351")] * 2  # a page overlap: harmless
    pd.testing.assert_frame_equal(fiscaldata.parse_tga(same), tga_frame([("2022-04-19", 893351.0)]))


# --- auctions --------------------------------------------------------------------------------


def test_auction_results_match_the_pack_rows():
    session = FakeSession(answer(AUCTIONS))
    frame, requests_made = fiscaldata.get_auctions(session, datetime.date(2026, 4, 6))
    assert requests_made == 1
    # auctions.csv rows of 2026-04-06 → 04-09 in (auction_date, issue_date, cusip) order, with
    # this source's status and source; maturity and announcement dates are "null" → NaT.
    source = "fiscaldata:auctions_query"
    expected = pack_auctions(
        f"2026-04-06,2026-04-09,Bill,13-Week,912797RF6,89000000000,95495446000,auctioned,{source}\n"
        f"2026-04-06,2026-04-09,Bill,26-Week,912797UJ4,77000000000,82620251800,auctioned,{source}\n"
        f"2026-04-07,2026-04-09,Bill,6-Week,912797SV0,70000000000,75108783800,auctioned,{source}\n"
        f"2026-04-07,2026-04-15,Note,3-Year,91282CQJ3,58000000000,68285499500,auctioned,{source}\n"
        f"2026-04-08,2026-04-14,Bill,17-Week,912797UT2,69000000000,69769193500,auctioned,{source}\n"
        "2026-04-08,2026-04-15,Note,9-Year 10-Month,91282CPZ8,39000000000,45916047400,"
        f"auctioned,{source}\n"
        f"2026-04-09,2026-04-14,Bill,4-Week,912797TR8,80000000000,80891537200,auctioned,{source}\n"
        f"2026-04-09,2026-04-14,Bill,8-Week,912797TZ0,75000000000,75835646900,auctioned,{source}\n"
        "2026-04-09,2026-04-15,Bond,29-Year 10-Month,912810UR7,22000000000,25901386200,"
        f"auctioned,{source}\n"
    )
    pd.testing.assert_frame_equal(frame, expected)
    assert list(frame.columns) == list(AUCTION_COLUMNS)
    assert frame.loc[0, "total_accepted_usd"] == 95_495_446_000.0  # dollars, unscaled
    frames.validate(frame, catalog.get(catalog.AUCTIONS))
    params = session.calls[0]["params"]
    assert session.calls[0]["url"] == AUCTIONS_URL
    assert params["filter"] == "auction_date:gte:2026-04-06"
    assert params["sort"] == "auction_date"
    assert params["fields"] == (
        "record_date,cusip,security_type,security_term,auction_date,issue_date,maturity_date,"
        "offering_amt,total_accepted,announcemt_date"
    )


def test_auction_dates_are_read_when_given():
    # Edited: the 13-week bill's maturity and announcement dates filled in (constructed).
    rows = copy.deepcopy(AUCTIONS["data"])
    bill = next(row for row in rows if row["cusip"] == "912797RF6")
    bill["maturity_date"], bill["announcemt_date"] = "2026-07-09", "2026-04-02"
    frame = fiscaldata.parse_auctions(rows)
    assert frame.loc[0, "cusip"] == "912797RF6"
    assert frame.loc[0, "maturity_date"] == pd.Timestamp("2026-07-09")
    assert frame.loc[0, "announcement_date"] == pd.Timestamp("2026-04-02")
    assert frame["maturity_date"].dtype == "datetime64[us]"


def test_upcoming_auctions_keep_a_null_offering_as_nan_and_upcoming():
    session = FakeSession(answer(UPCOMING))
    frame, requests_made = fiscaldata.get_upcoming(session)
    assert requests_made == 1
    assert session.calls[0]["url"] == UPCOMING_URL
    assert "filter" not in session.calls[0]["params"]
    # auctions.csv rows of auctions.json@603639b87793, auction dates 2026-08-24 → 08-27.
    expected = pd.DataFrame(
        {
            "auction_date": pd.to_datetime(
                ["2026-08-24", "2026-08-24", "2026-08-25", "2026-08-26", "2026-08-26",
                 "2026-08-27", "2026-08-27"]
            ),
            "issue_date": pd.to_datetime(
                ["2026-08-27", "2026-08-27", "2026-08-27", "2026-08-28", "2026-09-01",
                 "2026-09-01", "2026-09-01"]
            ),
            "maturity_date": pd.to_datetime([None] * 7),
            "announcement_date": pd.to_datetime([None] * 7),
            "security_type": ["Bill", "Bill", "Bill", "Note", "Bill", "Bill", "Bill"],
            "security_term": [
                "13-Week", "26-Week", "6-Week", "1-Year 11-Month", "17-Week", "4-Week", "8-Week"
            ],
            "cusip": [
                "912797SU2", "912797WC7", "912797UJ4", "91282CRD5", "912797WH6", "912797VE4",
                "912797VN4",
            ],
            "offering_amt_usd": [92e9, 79e9, 95e9, 28e9, NAN, NAN, NAN],
            "total_accepted_usd": [NAN] * 7,
            "status": ["announced"] * 4 + ["upcoming"] * 3,
            "source": ["fiscaldata:upcoming_auctions"] * 7,
        }
    )  # fmt: skip
    for column in ("auction_date", "issue_date", "maturity_date", "announcement_date"):
        expected[column] = expected[column].astype("datetime64[us]")
    pd.testing.assert_frame_equal(frame, expected)
    assert (frame["offering_amt_usd"] != 0).all()  # a null offering is never 0
    frames.validate(frame, catalog.get(catalog.AUCTIONS))


def test_a_result_not_yet_in_is_announced_and_an_offering_not_yet_in_upcoming():
    # Edited: the 3-year note without its result, the 9y10m note without its offering.
    rows = copy.deepcopy(AUCTIONS["data"])
    by_cusip = {row["cusip"]: row for row in rows}
    by_cusip["91282CQJ3"]["total_accepted"] = "null"
    by_cusip["91282CPZ8"]["offering_amt"] = "null"
    by_cusip["91282CPZ8"]["total_accepted"] = "null"
    frame = fiscaldata.parse_auctions(rows).set_index("cusip")
    assert frame.loc["91282CQJ3", "status"] == "announced"
    assert pd.isna(frame.loc["91282CQJ3", "total_accepted_usd"])
    assert frame.loc["91282CQJ3", "offering_amt_usd"] == 58e9
    assert frame.loc["91282CPZ8", "status"] == "upcoming"
    assert pd.isna(frame.loc["91282CPZ8", "offering_amt_usd"])
    assert (frame.drop(["91282CQJ3", "91282CPZ8"])["status"] == "auctioned").all()


def test_rows_without_a_cusip_keep_an_empty_string_and_stay_unique():
    # Edited: two upcoming bills before their CUSIPs are assigned ("null").
    rows = copy.deepcopy(UPCOMING["data"])
    for row in rows:
        if row["cusip"] in ("912797VE4", "912797VN4"):  # 2026-08-27 4-Week and 8-Week
            row["cusip"] = "null"
    frame = fiscaldata.parse_auctions(rows, status="announced", source=fiscaldata.UPCOMING_SOURCE)
    blank = frame[frame["auction_date"] == pd.Timestamp("2026-08-27")]
    assert blank["cusip"].tolist() == ["", ""]
    assert sorted(blank["security_term"]) == ["4-Week", "8-Week"]
    assert not frame.duplicated(["auction_date", "security_term", "cusip"]).any()
    frames.validate(frame, catalog.get(catalog.AUCTIONS))


def test_parse_auctions_on_no_rows_keeps_the_columns_and_types():
    frame = fiscaldata.parse_auctions([])
    assert frame.empty and list(frame.columns) == list(AUCTION_COLUMNS)
    assert frame["auction_date"].dtype == "datetime64[us]"
    assert frame["offering_amt_usd"].dtype == "float64"


# --- malformed answers -----------------------------------------------------------------------


def test_json_without_data_is_an_error():
    body = {"error": "Something went wrong", "meta": {}}
    with pytest.raises(SourceError, match="JSON without 'data' \\(found error, meta\\)"):
        fiscaldata.get_upcoming(FakeSession(answer(body)))


def test_a_row_without_a_requested_field_is_an_error():
    page = copy.deepcopy(PAGES[1])
    del page["data"][1]["open_today_bal"]  # edited: a schema change on page 2
    session = FakeSession(answer(PAGES[0]), answer(page))
    with pytest.raises(SourceError, match="page 2 row 1 has no open_today_bal field"):
        fiscaldata.get_tga(session, datetime.date(2026, 9, 14))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("open_today_bal", "871,224", r"open_today_bal: not a number \('871,224'\)"),
        ("open_today_bal", "n/a", "not a number"),
        ("open_today_bal", "Infinity", "not a finite number"),
        ("record_date", "09/14/2026", r"unreadable date '09/14/2026' \(expected YYYY-MM-DD\)"),
        ("record_date", "2026-02-30", "unreadable date"),
    ],
)
def test_unparsable_numbers_and_dates_are_errors(field, value, message):
    rows = [tga_row("2026-09-14", CLOSING, "null", "871224")]
    rows[0][field] = value  # edited
    with pytest.raises(SourceError, match=message) as caught:
        fiscaldata.parse_tga(rows)
    assert caught.value.source == "fiscaldata"
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [("offering_amt", "92 billion"), ("auction_date", "null"), ("issue_date", "2026/08/27")],
)
def test_unparsable_auction_values_are_errors(field, value):
    rows = copy.deepcopy(UPCOMING["data"][:1])
    rows[0][field] = value  # edited
    with pytest.raises(SourceError, match=field):
        fiscaldata.parse_auctions(rows, status="announced")


def test_unreadable_json_and_non_objects_are_errors():
    with pytest.raises(SourceError, match="unreadable JSON from api.fiscaldata.treasury.gov"):
        fiscaldata.get_upcoming(FakeSession(make_response(200, '{"data": [')))
    with pytest.raises(SourceError, match="expected a JSON object"):
        fiscaldata.get_upcoming(FakeSession(make_response(200, "[]")))


def test_a_400_reports_the_apis_reason_on_one_line():
    body = {"error": "Invalid Query Param", "message": "Invalid query parameter 'fields'\n..."}
    session = FakeSession(make_response(400, body))
    with pytest.raises(SourceError) as caught:
        fiscaldata.get_upcoming(session)
    message = str(caught.value)
    assert "rejected the query for /v1/accounting/od/upcoming_auctions (HTTP 400)" in message
    assert "Invalid Query Param: Invalid query parameter 'fields' ..." in message
    assert "\n" not in message
    assert len(session.calls) == 1  # a bad query is not retried


# --- faults over a real socket ---------------------------------------------------------------


def test_html_instead_of_json_names_the_server(server):
    server.route(TGA_URL, html())
    with pytest.raises(SourceError) as caught:
        fiscaldata.get_tga(server.session())
    assert str(caught.value) == (
        "fiscaldata: api.fiscaldata.treasury.gov answered with an HTML page instead of JSON "
        "(blocked or maintenance)"
    )


def test_a_429_with_retry_after_then_success(server, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(fiscaldata, "LIMITER", http.RateLimiter(1e9, sleep=waits.append))
    server.route(UPCOMING_URL, too_many(retry_after=1), ok(json.dumps(UPCOMING)))
    frame, requests_made = fiscaldata.get_upcoming(server.session())
    assert len(frame) == 7
    assert requests_made == 1  # one page; http.get's retry is not a page
    seen = server.requests_for(UPCOMING_URL)
    assert len(seen) == 2 and seen[0].query == seen[1].query
    # The limiter was told to hold the next request for the Retry-After (1 s), not the 0.02 s
    # backoff; its sleep is recorded instead of slept, so the test does not wait.
    assert 0.5 < max(waits) <= 1.0


def test_a_429_asking_for_too_long_gives_up_at_once(server):
    server.route(UPCOMING_URL, too_many(retry_after=120))
    with pytest.raises(RateLimited) as caught:
        fiscaldata.get_upcoming(server.session())
    assert caught.value.retry_after == 120.0
    assert len(server.requests_for(UPCOMING_URL)) == 1


@pytest.mark.parametrize("cut", [truncated, chunked_cut])
def test_a_cut_off_body_is_retried_then_a_source_error(server, cut):
    body = (PAYLOADS / "fiscaldata" / "tga_three_eras.json").read_text()
    server.route(TGA_URL, cut(body))
    with pytest.raises(SourceError, match="was cut off") as caught:
        fiscaldata.get_tga(server.session())
    assert "api.fiscaldata.treasury.gov" in str(caught.value)
    assert TGA_PATH in str(caught.value)
    assert len(server.requests_for(TGA_URL)) == FAST_RETRY.attempts


def test_a_cut_off_body_then_a_whole_one_succeeds(server):
    body = json.dumps(THREE_ERAS)
    server.route(TGA_URL, truncated(body), ok(body))
    frame, _ = fiscaldata.get_tga(server.session())
    pd.testing.assert_frame_equal(frame, tga_frame(THREE_ERA_TGA))


def test_a_server_error_on_a_later_page_fails_the_whole_read(server):
    pages = iter([ok(json.dumps(PAGES[0])), status(503), status(503), status(503)])
    server.route(TGA_URL, lambda seen: next(pages))
    with pytest.raises(SourceError, match=r"HTTP 503 .* \(3 attempts\)"):
        fiscaldata.get_tga(server.session(), datetime.date(2026, 9, 14))


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"endpoint": "/v1/accounting/dts/../../admin"},
        {"endpoint": "v1/accounting/dts/operating_cash_balance"},
        {"fields": ()},
        {"fields": "record_date"},
        {"fields": ("record_date", "Record Date")},
        {"fields": ("record_date;drop",)},
        {"fields": ("record_date", "record_date")},
        {"filters": ["record_date:gte:2026-13-01"]},
        {"filters": ["record_date:gte:2026-9-1"]},
        {"filters": [("record_date", "gte", "20260914")]},
        {"filters": [("record_date", "like", "2026-09-14")]},
        {"filters": ["record_date>=2026-09-14"]},
        {"filters": [("account_type", "eq", "a,b")]},
        {"filters": [("account_type", "in", "Federal Reserve Account")]},
        {"filters": [("account_type", "in", ["Treasury General Account (TGA)"])]},
        {"sort": "record date"},
        {"sort": ()},
        {"page_size": 0},
        {"page_size": 10_001},
        {"page_size": True},
    ],
)
def test_bad_requests_are_rejected_before_any_request(kwargs):
    session = FakeSession()
    arguments = {"endpoint": TGA_PATH, "fields": fiscaldata.TGA_FIELDS, **kwargs}
    with pytest.raises(ValueError):
        fiscaldata.fetch_pages(session, arguments.pop("endpoint"), **arguments)
    assert session.calls == []


def test_filter_forms_are_spelled_the_way_the_api_reads_them():
    assert fiscaldata.validate_filter("record_date:gte:2015-01-01") == "record_date:gte:2015-01-01"
    assert (
        fiscaldata.validate_filter(("record_date", "lte", datetime.date(2026, 9, 18)))
        == "record_date:lte:2026-09-18"
    )
    assert (
        fiscaldata.validate_filter(("security_type", "in", ["Bill", "Note"]))
        == "security_type:in:(Bill,Note)"
    )
    assert (
        fiscaldata.validate_filter("security_type:in:(Bill,Note)") == "security_type:in:(Bill,Note)"
    )
    session = FakeSession(answer(EMPTY))
    fiscaldata.fetch_pages(
        session,
        fiscaldata.AUCTIONS_PATH,
        fields=("auction_date", "cusip"),
        filters=["auction_date:gte:2026-04-06", ("security_type", "eq", "Bill")],
        sort=["-auction_date", "cusip"],
    )
    params = session.calls[0]["params"]
    assert params["filter"] == "auction_date:gte:2026-04-06,security_type:eq:Bill"
    assert params["sort"] == "-auction_date,cusip"


def test_a_start_in_the_future_is_rejected():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    for get in (fiscaldata.get_tga, fiscaldata.get_auctions):
        with pytest.raises(ValueError, match="in the future"):
            get(FakeSession(), tomorrow)
    with pytest.raises(ValueError, match="must be a date"):
        fiscaldata.get_tga(FakeSession(), "2026-09-14")


def test_constants_match_the_documented_api():
    assert fiscaldata.SOURCE == "fiscaldata"
    assert fiscaldata.BASE_URL == "https://api.fiscaldata.treasury.gov/services/api/fiscal_service"
    assert fiscaldata.ENDPOINTS == (
        "/v1/accounting/dts/operating_cash_balance",
        "/v1/accounting/od/auctions_query",
        "/v1/accounting/od/upcoming_auctions",
    )
    assert MODULE_LIMITER.per_second == 4  # polite: FiscalData publishes no limit
