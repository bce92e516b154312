"""EDGAR filings-index adapter: the debt-filing filter, URLs, older pages, principal parsing,
incremental document downloads and the request seam's faults.

Payloads: tests/fixtures/payloads/edgar/ (README.md there says which files are recorded EDGAR
answers and documents, with repository, path and commit, and which are hand-written in the
documented shape). Every expected value below was worked out by hand from the fixture text,
quoted next to each case; none is computed with the code under test.
"""

from __future__ import annotations

import copy
import datetime
import json
import math

import pandas as pd
import pytest
import requests
from requests.adapters import HTTPAdapter

from liquidity.core import catalog
from liquidity.core.catalog import FILING_COLUMNS
from liquidity.core.errors import RateLimited, SourceError, SourceUnavailable
from liquidity.data import frames
from liquidity.sources import edgar, http, sec
from tests.fakes import FakeSession, make_response
from tests.loopback import BLOCK_PAGE, LoopbackServer, html, ok, too_many, truncated
from tests.test_source_payloads import PAYLOADS, payload

UA = "Jane Doe jane@example.com"
MSFT = payload("edgar/submissions_CIK0000789019_recent.json")  # recorded, trimmed
NVDA = payload("edgar/submissions_CIK0001045810_recent.json")  # recorded, trimmed
MSFT_PAGE_1 = payload("edgar/CIK0000789019-submissions-001.handwritten.json")  # hand-written

AES_COVER = payload("edgar/424b2_d201409d424b2_cover.htm")  # recorded
PCG_BONDS_PRELIMINARY = payload("edgar/424b5_d723817d424b5_cover.htm")  # recorded
PCG_COMMON_STOCK = payload("edgar/424b5_d862096d424b5_cover.htm")  # recorded
ORACLE_8K_VOTES = payload("edgar/8k_oracle_2024-11-14_item_5_07.htm")  # recorded
THREE_TRANCHES = payload("edgar/424b2_handwritten_three_tranches.htm")  # hand-written
BILLION = payload("edgar/424b5_handwritten_billion.htm")  # hand-written
EIGHT_K_2_03 = payload("edgar/8k_handwritten_item_2_03.htm")  # hand-written

NVDA_URL = "https://data.sec.gov/submissions/CIK0001045810.json"
MSFT_URL = "https://data.sec.gov/submissions/CIK0000789019.json"
MSFT_PAGE_1_URL = "https://data.sec.gov/submissions/CIK0000789019-submissions-001.json"
NVDA_DOCS = "https://www.sec.gov/Archives/edgar/data/1045810/"
NVDA_CIKS = {"NVDA": 1045810}
# Before the trimmed recent block's oldest filing (2020-03-03) but after the last filing of the
# older page it lists (-001 ends 2019-11-18): every NVIDIA debt filing, no older page.
NVDA_SINCE = datetime.date(2020, 3, 1)
FAST_RETRY = http.Retry(attempts=3, backoff=0.02, max_wait=1.0)

# The six NVIDIA rows that must be kept, read off the fixture by hand:
#   0001193125-21-192149  8-K    2021-06-16  items 1.01,2.03,9.01  d80739d8k.htm
#   0001193125-21-191303  424B5  2021-06-15                        d187484d424b5.htm
#   0001193125-21-189549  424B5  2021-06-14                        d187484d424b5.htm
#   0001193125-20-092939  8-K    2020-03-31  items 1.01,2.03,9.01  d904626d8k.htm
#   0001193125-20-088971  424B5  2020-03-27                        d895732d424b5.htm
#   0001193125-20-086039  424B5  2020-03-26                        d895732d424b5.htm
# Left out: the 8-K/A of 2020-07-01 (items 2.01,9.01), the FWPs of 2020-03-26 and 2021-06-14,
# the S-3ASR of 2020-03-26, the 8-Ks with other items (e.g. 1.01,7.01,9.01 on 2020-09-14).
NVDA_KEPT = [
    ("0001193125-20-086039", "424B5", "2020-03-26", None, "", "d895732d424b5.htm"),
    ("0001193125-20-088971", "424B5", "2020-03-27", None, "", "d895732d424b5.htm"),
    ("0001193125-20-092939", "8-K", "2020-03-31", "2020-03-26", "1.01,2.03,9.01", "d904626d8k.htm"),
    ("0001193125-21-189549", "424B5", "2021-06-14", None, "", "d187484d424b5.htm"),
    ("0001193125-21-191303", "424B5", "2021-06-15", None, "", "d187484d424b5.htm"),
    ("0001193125-21-192149", "8-K", "2021-06-16", "2021-06-14", "1.01,2.03,9.01", "d80739d8k.htm"),
]


@pytest.fixture(autouse=True)
def instant_limiter(monkeypatch):
    monkeypatch.setattr(sec, "LIMITER", http.RateLimiter(1e9, sleep=lambda seconds: None))


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(http, "RETRY", FAST_RETRY)
    with LoopbackServer() as loopback:
        yield loopback


def answer(body) -> object:
    return make_response(body=body)


def nvda_doc_url(accn: str, document: str) -> str:
    return NVDA_DOCS + accn.replace("-", "") + "/" + document


# --- the filings index -----------------------------------------------------------------------


def test_submissions_url_is_zero_padded_and_declares_the_user_agent():
    session = FakeSession(answer(NVDA))
    assert edgar.fetch_submissions(session, 1045810, user_agent=UA) == NVDA
    [call] = session.calls
    assert call["url"] == NVDA_URL
    assert call["headers"] == {"User-Agent": UA, "Accept-Encoding": "gzip, deflate"}
    with pytest.raises(ValueError, match="invalid CIK"):
        edgar.fetch_submissions(FakeSession(), 0, user_agent=UA)


def test_the_filter_keeps_prospectus_supplements_and_8ks_with_item_2_03():
    frame = edgar.parse_debt_filings(NVDA, cik=1045810)

    assert tuple(frame.columns) == FILING_COLUMNS
    assert frame["accn"].tolist() == [row[0] for row in NVDA_KEPT]
    assert frame["form"].tolist() == [row[1] for row in NVDA_KEPT]
    assert frame["filed"].tolist() == [pd.Timestamp(row[2]) for row in NVDA_KEPT]
    assert [None if pd.isna(d) else d for d in frame["report_date"]] == [
        None if row[3] is None else pd.Timestamp(row[3]) for row in NVDA_KEPT
    ]
    assert frame["items"].tolist() == [row[4] for row in NVDA_KEPT]
    assert frame["document"].tolist() == [row[5] for row in NVDA_KEPT]
    assert frame["principal_usd"].isna().all() and frame["settlement_date"].isna().all()
    assert (frame["parse_note"] == "amount not parsed: document not fetched yet").all()
    assert str(frame["filed"].dtype) == "datetime64[us]"
    assert frame["principal_usd"].dtype == "float64"


@pytest.mark.parametrize(
    ("form", "items", "kept"),
    [
        ("424B2", "", True),
        ("424B5", "", True),
        ("8-K", "1.01,2.03,9.01", True),
        ("8-K/A", "2.03", True),
        ("8-K", "2.02,9.01", False),
        ("8-K/A", "2.01,9.01", False),
        ("8-K", "12.03", False),  # not item 2.03
        ("424B3", "", False),  # an exchange offer's prospectus, not new money
        ("FWP", "", False),
        ("S-3ASR", "", False),
    ],
)
def test_which_forms_and_items_are_debt_filings(form, items, kept):
    assert edgar.is_debt_filing(form, items) is kept


def test_microsofts_recent_block_has_no_debt_filing():
    # The trimmed recent block: 65 8-K, 6 10-K, 3 S-3ASR, 3 424B3 (exchange offers), one
    # 8-K/A with items 1.05,7.01,9.01 and a CERT; none is a 424B2/424B5 or an item 2.03.
    frame = edgar.parse_debt_filings(MSFT, cik=789019)
    assert frame.empty and tuple(frame.columns) == FILING_COLUMNS


def test_urls_are_built_from_cik_accession_folder_and_primary_document():
    frame = edgar.parse_debt_filings(NVDA, cik=1045810)
    assert frame["url"].tolist() == [nvda_doc_url(row[0], row[5]) for row in NVDA_KEPT]
    assert frame["url"].iloc[-1] == (
        "https://www.sec.gov/Archives/edgar/data/1045810/000119312521192149/d80739d8k.htm"
    )
    with pytest.raises(ValueError, match="invalid document name"):
        edgar.document_url(1045810, "0001193125-21-192149", "../../etc/passwd")
    with pytest.raises(ValueError, match="invalid accession number"):
        edgar.document_url(1045810, "0001193125/21", "d80739d8k.htm")


def test_since_drops_older_filings():
    frame = edgar.parse_debt_filings(NVDA, cik=1045810, since=datetime.date(2021, 1, 1))
    # The three 2021 rows of NVDA_KEPT.
    assert frame["accn"].tolist() == [row[0] for row in NVDA_KEPT[3:]]


def test_a_submissions_json_of_another_filer_is_refused():
    with pytest.raises(SourceError, match="is for CIK '0000789019', not 1045810"):
        edgar.parse_debt_filings(MSFT, cik=1045810)


def test_older_pages_are_needed_only_when_since_reaches_back_before_the_recent_block():
    # Recent block's oldest filing: 2019-11-08. files: -001 (2008-02-01 → 2019-11-06) and
    # -002 (1994-02-14 → 2008-01-30).
    page_1, page_2 = "CIK0000789019-submissions-001.json", "CIK0000789019-submissions-002.json"
    assert edgar.older_pages_needed(MSFT, datetime.date(2020, 1, 1)) == []
    assert edgar.older_pages_needed(MSFT, datetime.date(2019, 11, 9)) == []
    assert edgar.older_pages_needed(MSFT, datetime.date(2019, 11, 8)) == []  # -001 ends 11-06
    assert edgar.older_pages_needed(MSFT, datetime.date(2015, 1, 1)) == [page_1]
    assert edgar.older_pages_needed(MSFT, datetime.date(2008, 1, 30)) == [page_1, page_2]
    assert edgar.older_pages_needed(MSFT, None) == [page_1, page_2]


def test_a_refresh_since_2020_fetches_no_older_page():
    session = FakeSession(answer(MSFT))
    frame, requests_made = edgar.get_debt_filings(
        session, "MSFT", user_agent=UA, since=datetime.date(2020, 1, 1)
    )
    assert frame.empty and requests_made == 1
    assert [c["url"] for c in session.calls] == [MSFT_URL]


def test_an_older_page_is_fetched_and_its_filings_parsed_when_since_reaches_back():
    # Hand-written page -001: kept since 2015-01-01 are the 424B5 of 2015-02-10, the 424B2 of
    # 2017-01-31 and the 8-K (2.03,9.01) of 2017-02-06; the 8-K (8.01,9.01) and the 10-Q are
    # not debt filings and the 424B2 of 2014-02-05 is before `since`. Page -002 ends in 2008.
    session = FakeSession(
        answer(MSFT),
        answer(MSFT_PAGE_1),
        make_response(body=BILLION),
        make_response(body=THREE_TRANCHES),
        make_response(body=EIGHT_K_2_03),
    )
    frame, requests_made = edgar.get_debt_filings(
        session, "MSFT", user_agent=UA, since=datetime.date(2015, 1, 1)
    )
    docs = "https://www.sec.gov/Archives/edgar/data/789019/"
    assert [c["url"] for c in session.calls] == [
        MSFT_URL,
        MSFT_PAGE_1_URL,
        docs + "000000000115000001/handwritten-424b5.htm",
        docs + "000000000117000003/handwritten-424b2.htm",
        docs + "000000000117000004/handwritten-8k.htm",
    ]
    assert requests_made == 5
    assert frame["accn"].tolist() == [
        "0000000001-15-000001",
        "0000000001-17-000003",
        "0000000001-17-000004",
    ]
    # Principals of the three hand-written documents (worked out in the parse tests below).
    assert frame["principal_usd"].tolist() == [3.0e9, 4.0e9, 3.0e9]


# --- parse_principal on recorded and hand-written documents -----------------------------------


def test_a_single_tranche_cover_counts_the_offered_notes_not_the_existing_ones():
    # Recorded 424B2 cover: headline "$500,000,000 6.950% Fixed-to-Fixed Reset Rate Junior
    # Subordinated Notes due 2055", repeated as "We are offering $500,000,000 aggregate principal
    # amount of 6.950% …" (the same tranche: counted once) → $500,000,000. "our existing $950
    # million aggregate principal amount of 7.600% … Notes due 2055" is what the notes rank
    # equally with, not offered. The excerpt ends before any delivery sentence: no date.
    principal, settled, note = edgar.parse_principal(AES_COVER)
    assert principal == 500_000_000.0
    assert pd.isna(settled)
    assert note == "1 tranche on the cover: $500,000,000 6.950% due 2055"


def test_several_tranches_are_added_up_once_each():
    # Hand-written: tranche lines $1,500,000,000 (4.500% 2035) + $1,250,000,000 (5.000% 2045)
    # + $1,250,000,000 (5.250% 2055) = $4,000,000,000, equal to the headline "$4,000,000,000";
    # the "We are offering" sentence repeats the same three (not added again); the existing
    # $750,000,000 3.000% notes due 2030 and the price-table totals are not tranches. Delivery
    # "on or about November 10, 2025".
    principal, settled, note = edgar.parse_principal(THREE_TRANCHES)
    assert principal == 4_000_000_000.0
    assert settled == pd.Timestamp("2025-11-10")
    assert note == (
        "3 tranches on the cover: $1,500,000,000 4.500% due 2035 + $1,250,000,000 5.000% due "
        "2045 + $1,250,000,000 5.250% due 2055; equals the stated total"
    )


def test_an_amount_in_billions_and_a_settlement_date_sentence():
    # Hand-written: "$3.0 billion 5.125% Senior Notes due 2036" = 3.0 × 1,000,000,000, repeated
    # as "$3.0 billion aggregate principal amount of our 5.125% …"; "The settlement date for the
    # notes is expected to be November 17, 2025".
    principal, settled, note = edgar.parse_principal(BILLION)
    assert principal == 3_000_000_000.0
    assert settled == pd.Timestamp("2025-11-17")
    assert note == "1 tranche on the cover: $3,000,000,000 5.125% due 2036"


def test_an_8k_item_2_03_adds_its_tranches_and_skips_the_notes_it_repays():
    # Hand-written 8-K: "issued $3.0 billion aggregate principal amount of senior notes,
    # consisting of $2.0 billion … 4.800% Notes due 2032 … and $1.0 billion … 5.500% Notes due
    # 2055": 2,000,000,000 + 1,000,000,000 = 3,000,000,000 = the stated total. "repay its
    # outstanding $500,000,000 … 2.400% Notes due 2026" is not new debt. "On November 10, 2025,
    # … issued" dates the closing.
    principal, settled, note = edgar.parse_principal(EIGHT_K_2_03)
    assert principal == 3_000_000_000.0
    assert settled == pd.Timestamp("2025-11-10")
    assert note == (
        "2 tranches in the 8-K: $2,000,000,000 4.800% due 2032 + $1,000,000,000 5.500% due "
        "2055; equals the stated total"
    )


@pytest.mark.parametrize(
    ("document", "why"),
    [
        # Recorded preliminary 424B5: "$ aggregate principal amount of our % first mortgage
        # bonds due 20" (blank), "on or about , 2024" (no date). The $750,000,000 and
        # $500,000,000 of existing 6.750% bonds due 2053 must not become the answer.
        (PCG_BONDS_PRELIMINARY, "the amount is left blank on the cover"),
        # Recorded 424B5: "$1,200,000,000 Common Stock": shares, not debt.
        (PCG_COMMON_STOCK, "the cover offers common stock, not debt securities"),
        # Recorded 8-K, item 5.07 (votes at Oracle's annual meeting): no principal at all.
        (ORACLE_8K_VOTES, "no principal amount of notes, bonds or debentures in the 8-K"),
    ],
)
def test_a_recorded_document_without_a_readable_amount_gives_nan_and_a_note(document, why):
    principal, settled, note = edgar.parse_principal(document)
    assert math.isnan(principal)
    assert pd.isna(settled)
    assert note.startswith("amount not parsed: ")
    assert why in note


# Hand-written snippets for cases no recorded document shows.
COVER = "<p>PROSPECTUS SUPPLEMENT</p><p>Example Cloud Corp.</p>{}"
TERM_LOAN_8K = (
    "<p>FORM 8-K</p><p>CURRENT REPORT</p><p>Item 2.03 Creation of a Direct Financial "
    "Obligation.</p><p>On November 10, 2025, the Company entered into a term loan credit "
    "agreement providing for a $5.0 billion senior unsecured term loan facility.</p>"
    "<p>SIGNATURE</p>"
)


@pytest.mark.parametrize(
    ("document", "why"),
    [
        (
            COVER.format("<p>€1,000,000,000 3.125% Notes due 2033</p>"),
            "the amounts are in EUR",
        ),
        (
            COVER.format(
                "<p>$1,000,000,000 4.500% Notes due 2035</p>"
                "<p>€750,000,000 3.125% Notes due 2033</p>"
            ),
            "the amounts are in US dollar and EUR",
        ),
        (
            COVER.format("<p>C$1,250,000,000 3.550% Notes due 2028</p>"),
            "the amounts are in CAD",
        ),
        (
            # The same tranche with two different amounts.
            COVER.format(
                "<p>$1,000,000,000 4.500% Notes due 2035</p><p>We are offering "
                "$1,250,000,000 of our 4.500% Notes due 2035.</p>"
            ),
            "stated as both $1,000,000,000 and $1,250,000,000",
        ),
        (
            # Headline $3,000,000,000, tranches 1,000,000,000 + 1,500,000,000 = 2,500,000,000.
            COVER.format(
                "<p>$3,000,000,000</p><p>$1,000,000,000 4.500% Notes due 2035</p>"
                "<p>$1,500,000,000 5.000% Notes due 2055</p>"
            ),
            "add up to $2,500,000,000 but $3,000,000,000 is also stated",
        ),
        (TERM_LOAN_8K, "may be a loan or credit facility"),
        ("<html><body><p>Annual report</p></body></html>", "no principal amount"),
    ],
)
def test_ambiguous_or_foreign_amounts_are_never_guessed(document, why):
    principal, _, note = edgar.parse_principal(document)
    assert math.isnan(principal)
    assert note.startswith("amount not parsed: ") and why in note


def test_html_is_stripped_to_its_visible_text():
    text = edgar.html_to_text(
        "<html><head><style>p{x:1}</style></head><body><ix:header>hidden 999</ix:header>"
        "<p>$500,000,000&nbsp;6.950%\n<font>Notes</font> due&#160;2055 &#147;notes&#148;</p>"
        "<script>var x = '$1';</script></body></html>"
    )
    assert text == "$500,000,000 6.950% Notes due 2055 “notes”"


# --- incremental document downloads -----------------------------------------------------------


def nvda_session(*documents: str) -> FakeSession:
    return FakeSession(answer(NVDA), *(make_response(body=doc) for doc in documents))


def test_known_accession_numbers_are_not_downloaded_again():
    # First refresh: the index and the six documents (stand-in bodies: the hand-written 8-K,
    # $3.0 billion each; this test counts requests, the parse tests check amounts).
    first, made = edgar.get_debt_filings(
        nvda_session(*[EIGHT_K_2_03] * 6), "NVDA", user_agent=UA, since=NVDA_SINCE, ciks=NVDA_CIKS
    )
    assert made == 7
    assert first["principal_usd"].tolist() == [3.0e9] * 6

    # Second refresh: every accession number is known → only the index is fetched, and the
    # parsed columns are carried over unchanged.
    session = nvda_session()
    second, made = edgar.get_debt_filings(
        session, "NVDA", user_agent=UA, since=NVDA_SINCE, ciks=NVDA_CIKS, known=first
    )
    assert made == 1 and [c["url"] for c in session.calls] == [NVDA_URL]
    pd.testing.assert_frame_equal(second, first)

    # A document that could not be fetched last time is tried again; the others are not.
    failed = first.copy()
    failed.loc[2, "principal_usd"] = math.nan
    failed.loc[2, "parse_note"] = "amount not parsed: document could not be fetched (HTTP 500)"
    session = nvda_session(EIGHT_K_2_03, EIGHT_K_2_03)
    third, made = edgar.get_debt_filings(
        session, "NVDA", user_agent=UA, since=NVDA_SINCE, ciks=NVDA_CIKS, known=failed.drop(index=5)
    )
    # Row 2 (0001193125-20-092939) is retried and row 5 (…-21-192149) was never known.
    assert made == 3
    assert [c["url"] for c in session.calls[1:]] == [
        nvda_doc_url("0001193125-20-092939", "d904626d8k.htm"),
        nvda_doc_url("0001193125-21-192149", "d80739d8k.htm"),
    ]
    assert third["principal_usd"].tolist() == [3.0e9] * 6


def test_the_frame_fits_the_filings_dataset_and_survives_a_pack_round_trip():
    frame, _ = edgar.get_debt_filings(
        nvda_session(*[AES_COVER] * 6), "NVDA", user_agent=UA, since=NVDA_SINCE, ciks=NVDA_CIKS
    )
    dataset = catalog.get("filings/NVDA")
    frames.validate(frame, dataset)
    pd.testing.assert_frame_equal(frames.read_csv(frames.write_csv(frame, dataset), dataset), frame)


def test_an_unknown_ticker_is_refused_before_any_request():
    with pytest.raises(ValueError, match="unknown ticker 'NVDA'.*AMZN, GOOGL, META, MSFT, ORCL"):
        edgar.get_debt_filings(FakeSession(), "NVDA", user_agent=UA)


# --- faults ------------------------------------------------------------------------------------


def test_html_instead_of_json_is_a_source_error():
    session = FakeSession(make_response(200, "<!DOCTYPE html><html>Undeclared Automated Tool"))
    with pytest.raises(
        SourceError, match="data.sec.gov answered with an HTML page instead of JSON"
    ):
        edgar.fetch_submissions(session, 1045810, user_agent=UA)


def test_403_is_a_block_and_is_not_retried():
    session = FakeSession(make_response(403, "<html>Request Rate Threshold Exceeded</html>"))
    with pytest.raises(RateLimited) as caught:
        edgar.get_debt_filings(session, "NVDA", user_agent=UA, since=NVDA_SINCE, ciks=NVDA_CIKS)
    assert caught.value.retry_after == sec.BLOCK_BACKOFF_SECONDS == 600
    assert len(session.calls) == 1


def test_a_403_on_a_document_stops_the_run_instead_of_marking_the_row():
    session = FakeSession(answer(NVDA), make_response(403, "blocked"))
    with pytest.raises(RateLimited):
        edgar.get_debt_filings(session, "NVDA", user_agent=UA, since=NVDA_SINCE, ciks=NVDA_CIKS)
    assert len(session.calls) == 2  # no retry, no further document


def test_a_block_page_served_with_200_is_a_block():
    session = FakeSession(make_response(200, BLOCK_PAGE.decode() + " Undeclared Automated Tool"))
    with pytest.raises(RateLimited, match="block page"):
        edgar.fetch_document(
            session, nvda_doc_url("0001193125-21-192149", "d80739d8k.htm"), user_agent=UA
        )


def test_a_missing_document_keeps_its_row_with_the_reason():
    session = nvda_session()
    session.answers += [make_response(404, "Not Found")] + [make_response(body=AES_COVER)] * 5
    frame, made = edgar.get_debt_filings(
        session, "NVDA", user_agent=UA, since=NVDA_SINCE, ciks=NVDA_CIKS
    )
    assert made == 7 and len(frame) == 6
    assert math.isnan(frame.loc[0, "principal_usd"])
    assert frame.loc[0, "parse_note"] == (
        "amount not parsed: document could not be fetched (www.sec.gov has no document at "
        + nvda_doc_url("0001193125-20-086039", "d895732d424b5.htm")
        + " (HTTP 404))"
    )
    assert frame["principal_usd"].iloc[1:].tolist() == [500_000_000.0] * 5


def test_only_archives_document_urls_are_fetched():
    for url in (
        "https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany",
        "http://www.sec.gov/Archives/edgar/data/1045810/000119312521192149/d80739d8k.htm",
        "https://evil.example/Archives/edgar/data/1045810/000119312521192149/d80739d8k.htm",
        "https://www.sec.gov/Archives/edgar/data/1045810/000119312521192149/../x.htm",
    ):
        session = FakeSession()
        with pytest.raises(ValueError, match="not an EDGAR Archives document URL"):
            edgar.fetch_document(session, url, user_agent=UA)
        assert session.calls == []


def malformed(change) -> dict:
    broken = copy.deepcopy(NVDA)
    change(broken["filings"]["recent"])
    return broken


@pytest.mark.parametrize(
    ("payload_", "message"),
    [
        (malformed(lambda r: r["form"].pop()), "arrays of different lengths"),
        (malformed(lambda r: r["items"].append("2.03")), "arrays of different lengths"),
        (malformed(lambda r: r.pop("items")), r"lacks the array\(s\) items"),
        (malformed(lambda r: r.update(form="8-K")), "form is not an array"),
        (malformed(lambda r: r["filingDate"].__setitem__(1, "16/06/2021")), "malformed filingDate"),
        (
            malformed(lambda r: r["accessionNumber"].__setitem__(1, "0001193125/21")),
            "malformed accession number",
        ),
        ({"cik": "0001045810", "name": "NVIDIA CORP"}, "no filings.recent block"),
    ],
)
def test_a_malformed_filings_index_is_a_source_error(payload_, message):
    with pytest.raises(SourceError, match=message):
        edgar.parse_debt_filings(payload_, cik=1045810)


def test_a_malformed_older_page_is_a_source_error():
    page = copy.deepcopy(MSFT_PAGE_1)
    page["primaryDocument"].pop()
    with pytest.raises(SourceError, match="older submissions page has arrays of different"):
        edgar.parse_debt_filings([MSFT, page], cik=789019)
    bad_files = copy.deepcopy(MSFT)
    bad_files["filings"]["files"][0]["name"] = "../../api/xbrl/companyfacts/CIK0000789019.json"
    with pytest.raises(SourceError, match="names an unexpected page"):
        edgar.older_pages_needed(bad_files, datetime.date(2015, 1, 1))


def test_a_429_then_success_over_a_real_socket(server):
    server.route(NVDA_URL, too_many(), ok(json.dumps(NVDA)))
    for accn, _, _, _, _, document in NVDA_KEPT:
        server.route(nvda_doc_url(accn, document), ok(EIGHT_K_2_03, "text/html"))
    frame, made = edgar.get_debt_filings(
        server.session(), "NVDA", user_agent=UA, since=NVDA_SINCE, ciks=NVDA_CIKS
    )
    assert made == 7  # one index and six documents; http.get's retry is not a request of ours
    assert len(server.requests_for(NVDA_URL)) == 2
    assert server.requests_for(NVDA_URL)[-1].headers["User-Agent"] == UA
    assert frame["principal_usd"].tolist() == [3.0e9] * 6


def test_a_cut_off_index_is_a_source_error(server):
    server.route(NVDA_URL, truncated(json.dumps(NVDA)))
    with pytest.raises(SourceError, match="was cut off") as caught:
        edgar.get_debt_filings(
            server.session(), "NVDA", user_agent=UA, since=NVDA_SINCE, ciks=NVDA_CIKS
        )
    assert "data.sec.gov" in str(caught.value)
    assert len(server.requests_for(NVDA_URL)) == FAST_RETRY.attempts


def test_a_cut_off_document_keeps_its_row(server):
    server.route(NVDA_URL, ok(json.dumps(NVDA)))
    for accn, _, _, _, _, document in NVDA_KEPT:
        server.route(nvda_doc_url(accn, document), ok(AES_COVER, "text/html"))
    cut = nvda_doc_url("0001193125-21-192149", "d80739d8k.htm")
    server.route(cut, truncated((PAYLOADS / "edgar" / "8k_handwritten_item_2_03.htm").read_text()))
    frame, made = edgar.get_debt_filings(
        server.session(), "NVDA", user_agent=UA, since=NVDA_SINCE, ciks=NVDA_CIKS
    )
    assert made == 7 and len(server.requests_for(cut)) == FAST_RETRY.attempts
    last = frame.iloc[-1]
    assert last["accn"] == "0001193125-21-192149" and math.isnan(last["principal_usd"])
    assert last["parse_note"].startswith(
        "amount not parsed: document could not be fetched (the answer from www.sec.gov for "
        "/Archives/edgar/data/1045810/000119312521192149/d80739d8k.htm was cut off"
    )
    assert frame["principal_usd"].iloc[:-1].tolist() == [500_000_000.0] * 5


def test_being_offline_stops_the_run(server):
    server.route(NVDA_URL, ok(json.dumps(NVDA)))
    session = server.session()
    session.mount("https://www.sec.gov/", _RefusingAdapter())
    with pytest.raises(SourceUnavailable, match="could not reach www.sec.gov"):
        edgar.get_debt_filings(session, "NVDA", user_agent=UA, since=NVDA_SINCE, ciks=NVDA_CIKS)


def test_an_html_block_page_instead_of_the_index_over_a_real_socket(server):
    server.route(NVDA_URL, html())
    with pytest.raises(SourceError, match="HTML page instead of JSON"):
        edgar.get_debt_filings(
            server.session(), "NVDA", user_agent=UA, since=NVDA_SINCE, ciks=NVDA_CIKS
        )


class _RefusingAdapter(HTTPAdapter):
    def send(self, request, **kwargs):
        raise requests.ConnectionError("connection refused")


def test_a_document_is_fetched_with_the_declared_user_agent_and_decoded_without_a_charset():
    url = nvda_doc_url("0001193125-21-192149", "d80739d8k.htm")
    text = "Caf\u00e9 \u201cnotes\u201d"
    for encoded in (text.encode("utf-8"), text.encode("cp1252")):
        session = FakeSession(make_response(200, encoded, headers={"Content-Type": "text/html"}))
        assert edgar.fetch_document(session, url, user_agent=UA) == text
        assert session.calls[0]["url"] == url
        assert session.calls[0]["headers"]["User-Agent"] == UA
