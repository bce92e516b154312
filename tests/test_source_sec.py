"""SEC adapter: User-Agent rules, the request seam (403/404/HTML), and fact flattening."""

from __future__ import annotations

import pandas as pd
import pytest

from liquidity.core.catalog import SEC_COLUMNS
from liquidity.core.errors import NotConfigured, RateLimited, SourceError
from liquidity.sources import http, sec
from tests.fakes import FakeSession, make_response
from tests.test_source_payloads import payload

UA = "Jane Doe jane@example.com"
REVENUE = "RevenueFromContractWithCustomerExcludingAssessedTax"

# The companyconcept excerpt from SOURCES.md §1.3 (Apple revenue), verbatim.
CONCEPT = payload("sec/companyconcept_revenue.json")
# A companyfacts payload in the documented nesting, with an instant (balance-sheet) fact.
FACTS = payload("sec/companyfacts.json")


MODULE_LIMITER = sec.LIMITER  # captured before the fixture below swaps it out


@pytest.fixture(autouse=True)
def instant_limiter(monkeypatch):
    monkeypatch.setattr(sec, "LIMITER", http.RateLimiter(1000, sleep=lambda seconds: None))


# --- user_agent ------------------------------------------------------------------------------


def test_user_agent_reads_the_environment():
    assert sec.user_agent({"SEC_USER_AGENT": f"  {UA} "}) == UA


@pytest.mark.parametrize("environ", [{}, {"SEC_USER_AGENT": ""}, {"SEC_USER_AGENT": "   "}])
def test_missing_user_agent_is_not_configured(environ):
    with pytest.raises(NotConfigured) as caught:
        sec.user_agent(environ)
    message = str(caught.value)
    assert "SEC_USER_AGENT is not set" in message
    assert "SEC_USER_AGENT='Jane Doe jane@example.com'" in message
    assert ".streamlit/secrets.toml" in message


def test_user_agent_without_an_email_is_rejected():
    with pytest.raises(NotConfigured, match="no e-mail address"):
        sec.user_agent({"SEC_USER_AGENT": "Mozilla/5.0"})


# --- requests --------------------------------------------------------------------------------


def test_companyconcept_url_and_declared_headers():
    session = FakeSession(make_response(200, CONCEPT))
    payload = sec.fetch_companyconcept(session, 320193, REVENUE, user_agent=UA)
    assert payload == CONCEPT
    [call] = session.calls
    assert call["url"] == (
        "https://data.sec.gov/api/xbrl/companyconcept/CIK0000320193/us-gaap/"
        "RevenueFromContractWithCustomerExcludingAssessedTax.json"
    )
    assert call["headers"] == {"User-Agent": UA, "Accept-Encoding": "gzip, deflate"}


def test_companyconcept_404_means_the_tag_was_never_used():
    session = FakeSession(make_response(404, "<Error>NoSuchKey</Error>"))
    assert (
        sec.fetch_companyconcept(
            session, 789019, "PaymentsToAcquireProductiveAssets", user_agent=UA
        )
        is None
    )


def test_companyfacts_url_is_zero_padded():
    session = FakeSession(make_response(200, FACTS))
    assert sec.fetch_companyfacts(session, 789019, user_agent=UA) == FACTS
    assert (
        session.calls[0]["url"] == "https://data.sec.gov/api/xbrl/companyfacts/CIK0000789019.json"
    )


def test_companyfacts_404_is_an_error():
    with pytest.raises(SourceError, match="no XBRL company facts for CIK 1"):
        sec.fetch_companyfacts(FakeSession(make_response(404)), 1, user_agent=UA)


def test_403_is_a_block_with_a_ten_minute_backoff_and_no_retry():
    session = FakeSession(make_response(403, "<html>Request Rate Threshold Exceeded</html>"))
    with pytest.raises(RateLimited) as caught:
        sec.fetch_companyconcept(session, 789019, "Assets", user_agent=UA)
    assert "blocked" in str(caught.value) and "User-Agent" in str(caught.value)
    assert caught.value.retry_after == 600
    assert isinstance(caught.value, SourceError)
    assert len(session.calls) == 1


def test_an_html_page_with_status_200_is_an_error():
    session = FakeSession(
        make_response(200, "<!DOCTYPE html><html>Undeclared Automated Tool</html>")
    )
    with pytest.raises(
        SourceError, match="data.sec.gov answered with an HTML page instead of JSON"
    ):
        sec.fetch_companyfacts(session, 789019, user_agent=UA)


def test_unreadable_json_is_an_error():
    with pytest.raises(SourceError, match="unreadable JSON"):
        sec.fetch_companyfacts(FakeSession(make_response(200, '{"cik": 7')), 789019, user_agent=UA)


def test_server_errors_surface_as_source_errors():
    with pytest.raises(SourceError, match="HTTP 500"):
        session = FakeSession(*[make_response(500) for _ in range(3)])
        sec.fetch_companyfacts(session, 789019, user_agent=UA)


@pytest.mark.parametrize(
    ("cik", "tag", "taxonomy"),
    [
        (0, "Assets", "us-gaap"),
        (-5, "Assets", "us-gaap"),
        (10**10, "Assets", "us-gaap"),
        ("789019", "Assets", "us-gaap"),
        (True, "Assets", "us-gaap"),
        (789019, "Assets/../../x", "us-gaap"),
        (789019, "", "us-gaap"),
        (789019, "Assets", "US GAAP"),
    ],
)
def test_bad_requests_are_rejected_before_any_request(cik, tag, taxonomy):
    session = FakeSession()
    with pytest.raises(ValueError):
        sec.fetch_companyconcept(session, cik, tag, user_agent=UA, taxonomy=taxonomy)
    assert session.calls == []


def test_company_tickers_uppercase_tickers_and_keep_unpadded_ciks():
    tickers = payload("sec/company_tickers.json")
    session = FakeSession(make_response(200, tickers, url=sec.SEC_TICKERS_URL))
    assert sec.parse_company_tickers(sec.fetch_company_tickers(session, user_agent=UA)) == {
        "AAPL": 320193,
        "NVDA": 1045810,
        "GOOGL": 1652044,
    }
    assert session.calls[0]["url"] == "https://www.sec.gov/files/company_tickers.json"


def test_company_tickers_with_an_unexpected_shape_are_an_error():
    with pytest.raises(SourceError, match="unexpected shape"):
        sec.parse_company_tickers({"0": {"ticker": "AAPL"}})


def test_cik_table_and_rate_match_sources_md():
    assert sec.CIKS == {
        "MSFT": 789019,
        "GOOGL": 1652044,
        "AMZN": 1018724,
        "META": 1326801,
        "ORCL": 1341439,
    }
    assert MODULE_LIMITER.per_second == 8  # below the SEC's 10/s ceiling


# --- parse_facts -----------------------------------------------------------------------------


def test_parse_facts_on_a_concept_payload():
    frame = sec.parse_facts(CONCEPT)
    assert list(frame.columns) == list(SEC_COLUMNS)
    assert len(frame) == 5
    assert set(frame["tag"]) == {REVENUE}
    assert set(frame["taxonomy"]) == {"us-gaap"} and set(frame["unit"]) == {"USD"}
    # Sorted by end, then filed: the FY2024 10-K value and its FY2025 comparative come first.
    assert frame["accn"].tolist() == [
        "0000320193-24-000123",
        "0000320193-25-000079",
        "0000320193-25-000057",
        "0000320193-26-000013",
        "0000320193-25-000079",
    ]
    assert frame["val"].tolist()[3] == 95_359_000_000.0  # whole USD, unscaled
    assert frame["val"].dtype == "float64"
    assert frame.loc[3, "start"] == pd.Timestamp("2024-12-29")
    assert frame.loc[3, "end"] == pd.Timestamp("2025-03-29")
    assert frame.loc[3, "filed"] == pd.Timestamp("2026-05-01")
    assert frame.loc[3, ["fy", "fp", "form"]].tolist() == [2026, "Q2", "10-Q"]
    assert frame["frame"].tolist() == [None, "CY2024", None, "CY2025Q1", "CY2025"]


def test_parse_facts_on_a_facts_payload_with_an_instant_fact():
    frame = sec.parse_facts(FACTS)
    assert frame["tag"].tolist() == [
        "Assets",
        "EntityCommonStockSharesOutstanding",
        "PaymentsToAcquirePropertyPlantAndEquipment",
        "PaymentsToAcquirePropertyPlantAndEquipment",
    ]
    assets = frame.iloc[0]
    assert assets["start"] is pd.NaT
    assert assets["end"] == pd.Timestamp("2025-06-30")
    assert assets["val"] == 619_003_000_000.0
    assert frame.iloc[1][["taxonomy", "unit"]].tolist() == ["dei", "shares"]
    capex = frame[frame["tag"] == "PaymentsToAcquirePropertyPlantAndEquipment"]
    assert capex["val"].tolist() == [44_477_000_000.0, 64_551_000_000.0]  # sorted by end


def test_parse_facts_filters_tags():
    frame = sec.parse_facts(FACTS, tags=["PaymentsToAcquirePropertyPlantAndEquipment"])
    assert len(frame) == 2
    assert set(frame["tag"]) == {"PaymentsToAcquirePropertyPlantAndEquipment"}


def test_parse_facts_with_no_match_keeps_the_columns():
    frame = sec.parse_facts(FACTS, tags=["NoSuchTag"])
    assert frame.empty
    assert list(frame.columns) == list(SEC_COLUMNS)
    assert frame["end"].dtype.kind == "M"


def test_parse_facts_rejects_an_unknown_payload():
    with pytest.raises(SourceError, match="neither companyfacts nor companyconcept"):
        sec.parse_facts({"cik": 1, "filings": {}})


def test_parse_facts_durations_can_be_computed():
    frame = sec.parse_facts(CONCEPT)
    days = (frame["end"] - frame["start"]).dt.days + 1
    assert days.tolist() == [364, 364, 182, 91, 364]


def test_filing_index_url_points_at_the_edgar_index_page():
    # Microsoft's CIK 789019; the folder is the accession number without dashes.
    assert sec.filing_index_url("MSFT", "0000950170-25-061046") == (
        "https://www.sec.gov/Archives/edgar/data/789019/000095017025061046/"
        "0000950170-25-061046-index.htm"
    )
    assert sec.filing_index_url("MSFT", "") is None
    assert sec.filing_index_url("NVDA", "0000950170-25-061046") is None
