"""Fault injection: every live REST source against a loopback server that misbehaves.

Each source is pointed at `tests.loopback.LoopbackServer` through its injected session (its own
URL, sent to 127.0.0.1) and meets timeouts, 429 with and without Retry-After, 5xx, bodies cut off
mid-transfer, HTML block pages and valid data. What must hold: transient failures are retried a
bounded number of times with backoff that never beats the source's rate limiter; everything ends
as a SourceError subclass with a message a user can act on (never a parse traceback); a failed
refresh leaves the stored data untouched, marks it "stale since" and the Data page shows the
failure.

Yahoo Finance cannot be served from here: yfinance brings its own curl_cffi transport (TLS to
Yahoo's hosts, browser impersonation, cookie and crumb requests), so its 429s, 5xx, cut-off and
HTML answers cannot be played to it. What is covered: the real `yfinance.download` through the
loopback server acting as an HTTPS proxy that refuses the tunnel (a transport failure, the way a
firewall or an outage looks), and the refresh through the `download` seam with the exceptions
yfinance raises for a rate limit and an unreachable host; tests/test_source_yahoo.py runs the
real `yfinance.download` with its per-ticker fetch replaced. Not covered: a hung Yahoo (yfinance's
own 10 s timeout) and Yahoo's own error answers.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pytest
import requests
from streamlit.testing.v1 import AppTest
from yfinance.exceptions import YFRateLimitError

from liquidity.core import catalog
from liquidity.core.errors import RateLimited, SourceError, SourceUnavailable
from liquidity.data.provenance import Library, Provenance, stale_since
from liquidity.data.store import Attempt, Store
from liquidity.ingest import filers
from liquidity.ingest.refresh import Seams, refresh
from liquidity.sources import coinglass, exchanges, fred, http, sec, yahoo
from tests.apptest import run_page
from tests.loopback import (
    LoopbackServer,
    chunked_cut,
    hang,
    html,
    ok,
    status,
    too_many,
    truncated,
)
from tests.test_refresh import ExchangeServer, FakeDownload, fred_csv

UA = "Jane Doe jane@example.com"
CG_KEY = "cg-test-key"
FRED_KEY = "0123456789abcdef0123456789abcdef"
# Short waits so a test retries in milliseconds; the production policy is 3 attempts, 1 s, 30 s.
FAST_RETRY = http.Retry(attempts=3, backoff=0.05, max_wait=2.0)
LIMITERS = (
    (fred, "LIMITER"),
    (sec, "LIMITER"),
    (coinglass, "LIMITER"),
    (exchanges, "OKX_LIMITER"),
    (exchanges, "BINANCE_LIMITER"),
    (exchanges, "BYBIT_LIMITER"),
)


@pytest.fixture
def server():
    with LoopbackServer() as loopback:
        yield loopback


@pytest.fixture
def fast(monkeypatch):
    """Short backoff and fast limiters (their spacing is tested with the real ones below)."""
    monkeypatch.setattr(http, "RETRY", FAST_RETRY)
    for module, name in LIMITERS:
        monkeypatch.setattr(module, name, http.RateLimiter(200))


# -- one valid answer per source, in each source's documented shape ---------------------------
SEC_FACTS = {
    "cik": 789019,
    "entityName": "MICROSOFT CORP",
    "facts": {
        "us-gaap": {
            "PaymentsToAcquirePropertyPlantAndEquipment": {
                "label": "Payments to Acquire Property, Plant, and Equipment",
                "units": {
                    "USD": [
                        {
                            "start": "2025-07-01",
                            "end": "2025-09-30",
                            "val": 19_394_000_000,
                            "accn": "0000950170-25-137000",
                            "fy": 2026,
                            "fp": "Q1",
                            "form": "10-Q",
                            "filed": "2025-10-29",
                            "frame": "CY2025Q3",
                        }
                    ]
                },
            }
        }
    },
}
T_MS = 1_763_769_600_000  # 2025-11-22T00:00:00Z
OKX_PAGE = {
    "code": "0",
    "msg": "",
    "data": [
        {
            "instId": "BTC-USDT-SWAP",
            "instType": "SWAP",
            "details": [
                {
                    "side": "sell",
                    "posSide": "long",
                    "bkPx": "84000.5",
                    "bkLoss": "0",
                    "sz": "25",
                    "ccy": "",
                    "ts": str(T_MS),
                }
            ],
        }
    ],
}


@dataclass(frozen=True)
class Case:
    name: str
    url: str
    body: str
    fetch: Callable[[requests.Session], object]
    check: Callable[[object], None]  # asserts the values of the valid answer
    limiter: tuple[object, str]


def check_fred(frame):
    assert frame["value"].tolist() == [6_543_210.0, 6_540_001.0]
    assert frame.index[-1] == pd.Timestamp("2025-11-19")


def check_sec(payload):
    facts = sec.parse_facts(payload)
    assert facts["val"].tolist() == [19_394_000_000.0]
    assert facts["accn"].tolist() == ["0000950170-25-137000"]


def check_coinglass(frame):
    assert frame["aggregated_long_liquidation_usd"].tolist() == [1_250_000.0]
    assert frame["aggregated_short_liquidation_usd"].tolist() == [310_000.5]


def check_okx(events):
    assert [(e.side, e.qty, e.price) for e in events] == [("long", 0.25, 84000.5)]


def check_binance_oi(frame):
    assert frame["open_interest_coin"].tolist() == [81_234.5]
    assert frame["open_interest_usd"].tolist() == [7.1e9]


def check_binance_funding(frame):
    assert frame["funding_pct"].tolist() == pytest.approx([0.01])


def check_bybit(frame):
    assert frame["open_interest_coin"].tolist() == [52_000.5]


CASES = [
    Case(
        "fred-csv",
        fred.FRED_CSV_URL,
        "observation_date,WALCL\n2025-11-12,6543210\n2025-11-19,6540001\n",
        lambda session: fred.get_series("WALCL", session=session),
        check_fred,
        (fred, "LIMITER"),
    ),
    Case(
        "fred-api",
        fred.FRED_OBSERVATIONS_URL,
        '<?xml version="1.0" encoding="utf-8" ?>\n<observations count="2">'
        '<observation realtime_start="2025-11-22" date="2025-11-12" value="6543210"/>'
        '<observation realtime_start="2025-11-22" date="2025-11-19" value="6540001"/>'
        "</observations>",
        # fredapi, its requests sent by the project's Opener over the session.
        lambda session: fred.get_series("WALCL", session=session, api_key=FRED_KEY),
        check_fred,
        (fred, "LIMITER"),
    ),
    Case(
        "sec-companyfacts",
        sec.SEC_FACTS_URL.format(cik=789019),
        json.dumps(SEC_FACTS),
        lambda session: sec.fetch_companyfacts(session, 789019, user_agent=UA),
        check_sec,
        (sec, "LIMITER"),
    ),
    Case(
        "coinglass",
        coinglass.BASE_URL + coinglass.LIQUIDATION_PATH,
        json.dumps(
            {
                "code": "0",
                "msg": "success",
                "data": [
                    {
                        "time": T_MS,
                        "aggregated_long_liquidation_usd": 1_250_000,
                        "aggregated_short_liquidation_usd": "310000.5",
                    }
                ],
            }
        ),
        lambda session: coinglass.get_aggregated_liquidations(session, "BTC", api_key=CG_KEY),
        check_coinglass,
        (coinglass, "LIMITER"),
    ),
    Case(
        "okx-liquidations",
        exchanges.OKX_LIQUIDATIONS_URL,
        json.dumps(OKX_PAGE),
        lambda session: exchanges.get_okx_liquidations(session, "BTC", pages=1),
        check_okx,
        (exchanges, "OKX_LIMITER"),
    ),
    Case(
        "binance-oi",
        exchanges.BINANCE_OI_URL,
        json.dumps(
            [
                {
                    "symbol": "BTCUSDT",
                    "sumOpenInterest": "81234.5",
                    "sumOpenInterestValue": "7100000000",
                    "timestamp": T_MS,
                }
            ]
        ),
        lambda session: exchanges.get_binance_open_interest(session, "BTC"),
        check_binance_oi,
        (exchanges, "BINANCE_LIMITER"),
    ),
    Case(
        "binance-funding",
        exchanges.BINANCE_FUNDING_URL,
        json.dumps([{"symbol": "BTCUSDT", "fundingRate": "0.00010000", "fundingTime": T_MS}]),
        lambda session: exchanges.get_binance_funding(session, "BTC"),
        check_binance_funding,
        (exchanges, "BINANCE_LIMITER"),
    ),
    Case(
        "bybit-oi",
        exchanges.BYBIT_OI_URL,
        json.dumps(
            {
                "retCode": 0,
                "retMsg": "OK",
                "result": {
                    "category": "linear",
                    "symbol": "BTCUSDT",
                    "list": [{"openInterest": "52000.5", "timestamp": str(T_MS)}],
                },
            }
        ),
        lambda session: exchanges.get_bybit_open_interest(session, "BTC"),
        check_bybit,
        (exchanges, "BYBIT_LIMITER"),
    ),
]
IDS = [case.name for case in CASES]


def host_of(case: Case) -> str:
    return requests.utils.urlparse(case.url).hostname


# -- every source, every fault ----------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_valid_data_is_read_with_a_timeout_set(case, server, fast):
    server.route(case.url, ok(case.body))
    session = server.session()
    case.check(case.fetch(session))
    assert len(server.requests_for(case.url)) == 1
    assert session.get_adapter("https://x").timeouts == [
        (5, 20)
    ]  # never a request that could wait forever


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_hung_server_times_out_three_times_then_fails_as_unreachable(case, server, fast):
    server.route(case.url, hang(2.0))
    with pytest.raises(SourceUnavailable, match=r"timed out \(3 attempts\)") as caught:
        case.fetch(server.session(max_timeout=0.1))
    assert host_of(case) in str(caught.value)
    assert len(server.requests_for(case.url)) == 3


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_server_errors_are_retried_and_a_later_answer_is_used(case, server, fast):
    server.route(case.url, status(500), html(502), ok(case.body))
    case.check(case.fetch(server.session()))
    assert len(server.requests_for(case.url)) == 3


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_persistent_server_error_gives_up_after_three_attempts(case, server, fast):
    server.route(case.url, status(503, "maintenance"))
    with pytest.raises(SourceError, match=r"answered HTTP 503 for /\S* \(3 attempts\)") as caught:
        case.fetch(server.session())
    assert type(caught.value) is SourceError
    assert len(server.requests_for(case.url)) == 3


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_429_without_retry_after_is_retried_with_backoff(case, server, fast):
    server.route(case.url, too_many(), ok(case.body))
    session = server.session()
    case.check(case.fetch(session))
    first, second = session.get_adapter("https://x").sent
    assert second - first >= FAST_RETRY.backoff


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_429_asking_for_longer_than_the_cap_gives_up_at_once(case, server, fast):
    server.route(case.url, too_many(retry_after=3600))
    with pytest.raises(RateLimited, match="asks to wait 3600 s") as caught:
        case.fetch(server.session())
    assert caught.value.retry_after == 3600.0
    assert len(server.requests_for(case.url)) == 1


@pytest.mark.parametrize("cut", [truncated, chunked_cut], ids=["content-length", "chunked"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_body_cut_off_mid_transfer_is_a_clear_error_never_a_parse_error(case, cut, server, fast):
    server.route(case.url, cut(case.body))
    with pytest.raises(SourceError, match="was cut off: the connection closed before") as caught:
        case.fetch(server.session())
    assert f"{host_of(case)} for /" in str(caught.value)
    assert len(server.requests_for(case.url)) == 3
    server.route(case.url, cut(case.body), ok(case.body))  # transient: the retry succeeds
    case.check(case.fetch(server.session()))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_an_html_page_instead_of_data_is_a_clear_error(case, server, fast):
    server.route(case.url, html())
    with pytest.raises(SourceError, match="answered with an HTML page instead of") as caught:
        case.fetch(server.session())
    assert "blocked or maintenance" in str(caught.value)
    assert len(server.requests_for(case.url)) == 1  # a 200 is an answer: no retry


def test_retry_after_is_honoured(server, fast):
    case = CASES[0]
    server.route(case.url, too_many(retry_after=1), ok(case.body))
    session = server.session()
    case.check(case.fetch(session))
    first, second = session.get_adapter("https://x").sent
    assert second - first >= 1.0


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_retries_keep_to_each_sources_own_request_rate(case, server, monkeypatch):
    # The real module limiter (FRED 2/s, SEC 8/s, CoinGlass 1/s, OKX and Bybit 5/s, Binance
    # 1.5/s) against a backoff shorter than its interval: the interval must win.
    monkeypatch.setattr(http, "RETRY", http.Retry(attempts=3, backoff=0.01, max_wait=1.0))
    module, name = case.limiter
    interval = 1.0 / getattr(module, name).per_second
    server.route(case.url, status(500))
    session = server.session()
    with pytest.raises(SourceError, match="HTTP 500"):
        case.fetch(session)
    assert len(server.requests_for(case.url)) == 3
    times = session.get_adapter("https://x").sent
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    # 10 ms of slack: the limiter spaces the calls; the sends follow after a little CPU work.
    assert len(gaps) == 2 and min(gaps) >= interval - 0.01, (gaps, interval)


# FRED's keyed API (fredapi through the project's Opener) meets the matrix above; its own faults
# (a hung server, 429, XML error answers, the key in logs) are in tests/test_source_fred.py.


# -- a failed refresh keeps the last good data -----------------------------------------------
def recent(days_ago: int) -> str:
    return (datetime.date.today() - datetime.timedelta(days=days_ago)).isoformat()


def fred_answers(failing: dict[str, object], dates: list[str]):
    """A responder: valid CSV per requested id, except the ids in `failing`."""

    def answer(seen):
        series_id = seen.query["id"]
        return failing.get(series_id) or ok(fred_csv(series_id, dates), "text/csv")

    return answer


def stored_versions(store: Store) -> dict[str, tuple[str, str, bytes]]:
    """Every manifest row with its object's bytes, to compare before and after."""
    return {
        key: (
            entry.sha256,
            entry.retrieved_at.isoformat(),
            store._object_path(entry.sha256).read_bytes(),
        )
        for key, entry in store.entries().items()
    }


def prefilled(store: Store, server: LoopbackServer) -> dict:
    server.route(fred.FRED_CSV_URL, fred_answers({}, [recent(3), recent(2)]))
    report = refresh(store, ("fred",), seams=Seams(fred_session=server.session()))
    assert not report.failed
    return stored_versions(store)


FAILING = {
    "WALCL": html(),
    "DGS10": status(500),
    "WDTGAL": truncated(fred_csv("WDTGAL", ["2025-01-01"])),
}


def test_failed_datasets_keep_their_data_and_are_stale_since_the_last_good_fetch(
    tmp_path, server, fast
):
    store = Store(tmp_path)
    before = prefilled(store, server)
    server.route(fred.FRED_CSV_URL, fred_answers(FAILING, [recent(2), recent(1)]))
    report = refresh(store, ("fred",), seams=Seams(fred_session=server.session()))
    failed = {o.key: o.message for o in report.outcomes["fred"] if not o.ok}
    assert set(failed) == {"fred/WALCL", "fred/DGS10", "fred/WDTGAL"}
    assert "HTML page instead of CSV" in failed["fred/WALCL"]
    assert "HTTP 500 for /graph/fredgraph.csv (3 attempts)" in failed["fred/DGS10"]
    assert "was cut off" in failed["fred/WDTGAL"]
    after = stored_versions(store)
    for key in failed:
        assert after[key] == before[key]  # same object, same bytes, same retrieval time
        sha, _, payload = after[key]
        assert hashlib.sha256(payload).hexdigest() == sha
    assert store.read("fred/DFII10").index[-1] == pd.Timestamp(recent(1))  # the others moved on
    statuses = {s.dataset.key: s for s in Library(store).status()}
    fetched_day = pd.Timestamp(before["fred/WALCL"][1]).tz_convert(None).normalize()
    for key, message in failed.items():
        row = statuses[key]
        assert row.fetch_failed and row.stale
        assert row.stale_since == fetched_day
        assert row.last_attempt.startswith("failed ") and row.last_attempt.endswith(message)
    assert not statuses["fred/DFII10"].stale and statuses["fred/DFII10"].stale_since is None


def test_a_hung_source_stops_after_one_dataset_and_changes_nothing(tmp_path, server, fast):
    store = Store(tmp_path)
    before = prefilled(store, server)
    calls = len(server.seen)
    server.route(fred.FRED_CSV_URL, hang(2.0))
    report = refresh(store, ("fred",), seams=Seams(fred_session=server.session()))
    assert report.offline  # every failure is "could not reach": the Data page says offline
    assert len(server.seen) - calls == 3  # one dataset's three attempts, then no more requests
    assert {o.message for o in report.outcomes["fred"]} == {
        "could not reach fred.stlouisfed.org: timed out (3 attempts) — you may be offline"
    }
    assert stored_versions(store) == before


def test_a_long_rate_limit_stops_the_source_instead_of_asking_again(tmp_path, server, fast):
    store = Store(tmp_path)
    before = prefilled(store, server)
    calls = len(server.seen)
    server.route(fred.FRED_CSV_URL, too_many(retry_after=900))
    report = refresh(store, ("fred",), seams=Seams(fred_session=server.session()))
    assert len(server.seen) - calls == 1
    assert all("asks to wait 900 s" in o.message for o in report.outcomes["fred"])
    assert not report.offline
    assert stored_versions(store) == before


def test_an_expired_http_cache_never_hides_a_failed_refresh(tmp_path, server, fast):
    # Served stale, the expired answers would be recorded as "ok, unchanged": no stale badge.
    store = Store(tmp_path)
    prefilled(store, server)
    cached = server.session(http.cached_session(store.http_cache_path), max_timeout=0.1)
    # The same incremental requests as the refresh below, answered and cached.
    assert not refresh(store, ("fred",), seams=Seams(fred_session=cached)).failed
    before = stored_versions(store)
    cached.cache.reset_expiration(datetime.timedelta(seconds=-1))
    server.route(fred.FRED_CSV_URL, hang(2.0))
    report = refresh(store, ("fred",), seams=Seams(fred_session=cached))
    assert report.offline and all(not o.ok for o in report.outcomes["fred"])
    assert stored_versions(store) == before
    fred_rows = [s for s in Library(store).status() if s.dataset.kind == catalog.FRED]
    assert all(s.fetch_failed and s.stale_since is not None for s in fred_rows)


def test_a_filer_lookup_may_use_an_expired_ticker_list_but_never_expired_facts(
    tmp_path, server, fast, monkeypatch
):
    store, sessions = Store(tmp_path), []
    production = http.cached_session

    def routed(path, **kwargs):
        sessions.append(server.session(production(path, **kwargs)))
        return sessions[-1]

    monkeypatch.setattr(http, "cached_session", routed)
    tickers, facts = sec.SEC_TICKERS_URL, sec.SEC_FACTS_URL.format(cik=1045810)
    server.route(tickers, ok(json.dumps({"0": {"cik_str": 1045810, "ticker": "NVDA"}})))
    server.route(facts, ok(json.dumps(SEC_FACTS)))
    environ = {"SEC_USER_AGENT": UA}
    filers.fetch_filer("NVDA", store, environ=environ)
    sessions[0].cache.reset_expiration(datetime.timedelta(seconds=-1))
    server.route(tickers, status(503))
    server.route(facts, status(503))
    with pytest.raises(SourceError, match=r"HTTP 503 for /api/xbrl/companyfacts/\S+ \(3 attempts"):
        filers.fetch_filer("NVDA", store, environ=environ)
    assert len(server.requests_for(tickers)) == 2  # asked again, then its expired copy served
    assert len(server.requests_for(facts)) == 1 + 3  # the facts' failure shows
    assert not store.attempts()["sec/NVDA"].ok


def test_an_sec_block_is_not_asked_again_for_the_other_companies(tmp_path, server, fast):
    for cik in sec.CIKS.values():
        server.route(sec.SEC_FACTS_URL.format(cik=cik), status(403, "Request Rate Threshold"))
    report = refresh(
        Store(tmp_path),
        ("sec",),
        seams=Seams(sec_session=server.session()),
        environ={"SEC_USER_AGENT": UA},
    )
    assert len(server.seen) == 1  # retrying while blocked extends the block (SOURCES.md §1)
    # Five companies' XBRL facts and their five filings indexes: one block stops all ten.
    assert len(report.outcomes["sec"]) == 10
    assert all("wait about 10 minutes" in o.message for o in report.outcomes["sec"])


def test_yahoo_failures_keep_the_last_good_prices(tmp_path):
    store = Store(tmp_path)
    refresh(store, ("prices",), seams=Seams(download=FakeDownload([recent(3), recent(2)])))
    before = stored_versions(store)

    class Failing:
        def __init__(self, error):
            self.error = error

        def __call__(self, tickers, **kwargs):
            raise self.error

    for error, message in [
        (YFRateLimitError(), yahoo.RATE_LIMITED),
        (requests.ConnectionError("Failed to resolve query2.finance.yahoo.com"), yahoo.UNREACHABLE),
    ]:
        report = refresh(store, ("prices",), seams=Seams(download=Failing(error)))
        assert {o.message for o in report.outcomes["prices"]} == {message}
        assert stored_versions(store) == before
    statuses = [s for s in Library(store).status() if s.dataset.kind == catalog.PRICES]
    assert all(s.fetch_failed and s.stale_since is not None for s in statuses)


def test_a_coinglass_rate_limit_is_not_asked_again_for_the_other_histories(tmp_path, server, fast):
    venues = ExchangeServer()  # test_refresh's OKX page, served over HTTP
    server.route(
        exchanges.OKX_LIQUIDATIONS_URL,
        lambda seen: ok(venues.get(seen.url, params=seen.query).content),
    )
    for path in (coinglass.LIQUIDATION_PATH, coinglass.OPEN_INTEREST_PATH, coinglass.FUNDING_PATH):
        server.route(coinglass.BASE_URL + path, too_many(retry_after=120))
    report = refresh(
        Store(tmp_path),
        ("liquidations",),
        seams=Seams(exchange_session=server.session()),
        environ={"COINGLASS_API_KEY": CG_KEY},
    )
    assert len([s for s in server.seen if "coinglass" in s.url]) == 1
    outcomes = {o.key: o for o in report.outcomes["liquidations"]}
    assert outcomes["feed/okx/BTC"].ok and outcomes["feed/okx/ETH"].ok
    histories = [o for key, o in outcomes.items() if key.startswith("coinglass/")]
    assert len(histories) == 6
    assert all("asks to wait 120 s" in o.message for o in histories)


# yfinance 1.7 still uses pandas' deprecated inplace= keywords.
@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")
def test_real_yfinance_behind_a_refusing_proxy_keeps_the_last_good_prices(
    tmp_path, server, monkeypatch
):
    store = Store(tmp_path)
    refresh(store, ("prices",), seams=Seams(download=FakeDownload([recent(3), recent(2)])))
    before = stored_versions(store)
    # curl_cffi connects from C, past conftest's socket guard: the proxy keeps it on 127.0.0.1.
    for name in ("HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, server.base)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    report = refresh(store, ("prices",))  # the real yfinance.download
    assert {o.message for o in report.outcomes["prices"]} == {yahoo.UNREACHABLE}
    assert report.offline
    assert stored_versions(store) == before
    tunnels = {seen.url for seen in server.seen}
    assert "connect://query2.finance.yahoo.com:443" in tunnels
    assert all(url.startswith("connect://") for url in tunnels)


# -- what "stale since" means ------------------------------------------------------------------
WALCL = catalog.get("fred/WALCL")  # weekly, stale 10 days after its last observation
UTC = "UTC"


def provenance(last: str, retrieved: str | None) -> Provenance:
    return Provenance(
        "fred/WALCL",
        "live" if retrieved else "pack",
        "test",
        "here",
        pd.Timestamp(retrieved, tz=UTC) if retrieved else None,
        pd.Timestamp("2025-01-01"),
        pd.Timestamp(last),
        10,
        "x",
    )


def attempt(at: str, ok_: bool) -> Attempt:
    return Attempt("fred/WALCL", pd.Timestamp(at, tz=UTC), ok_, "m")


@pytest.mark.parametrize(
    ("prov", "last_attempt", "now", "expected"),
    [
        # current and fetched fine
        (
            provenance("2026-11-18", "2026-11-20 10:00"),
            attempt("2026-11-20 10:00", True),
            "2026-11-22",
            None,
        ),
        # past the 10-day gap: since the day the next observation was due
        (
            provenance("2026-11-04", "2026-11-20 10:00"),
            attempt("2026-11-20 10:00", True),
            "2026-11-22",
            "2026-11-14",
        ),
        # the last fetch failed: since the last good fetch
        (
            provenance("2026-11-18", "2026-11-19 23:30"),
            attempt("2026-11-21 08:00", False),
            "2026-11-22",
            "2026-11-19",
        ),
        # both: the earlier day
        (
            provenance("2026-11-04", "2026-11-20 10:00"),
            attempt("2026-11-21 08:00", False),
            "2026-11-22",
            "2026-11-14",
        ),
        # a pack copy never fetched: since the failed attempt
        (
            provenance("2026-11-18", None),
            attempt("2026-11-21 08:00", False),
            "2026-11-22",
            "2026-11-21",
        ),
        # a failure older than the copy (imported after it) does not make it stale
        (
            provenance("2026-11-18", "2026-11-21 09:00"),
            attempt("2026-11-21 08:00", False),
            "2026-11-22",
            None,
        ),
    ],
)
def test_stale_since_dates(prov, last_attempt, now, expected):
    since = stale_since(WALCL, prov, last_attempt, pd.Timestamp(now, tz=UTC))
    assert since == (pd.Timestamp(expected) if expected else None)


# -- the app after a failed refresh -------------------------------------------------------------
def texts(at: AppTest, kind: str) -> list[str]:
    return [element.value for element in at.get(kind)]


def test_the_data_page_shows_the_failure_and_the_stale_badge(app_env, server, fast, monkeypatch):
    home = app_env(None)
    store = Store(home)
    prefilled(store, server)
    fetched = store.entry("fred/WALCL").retrieved_at.tz_convert(None)
    # The page's own refresh button, with the production cached session sent to the loopback.
    cached = http.cached_session
    monkeypatch.setattr(http, "cached_session", lambda path: server.session(cached(path)))
    server.route(fred.FRED_CSV_URL, fred_answers(FAILING, [recent(2), recent(1)]))
    at = run_page("pages/5_data.py")
    at.multiselect(key="refresh_sources").set_value(["fred"])
    next(b for b in at.button if b.label == "Refresh now").click().run()
    assert not at.exception
    assert any("fred: 17/20 datasets ok" in text for text in texts(at, "markdown"))
    assert any("keep their last good data" in text for text in texts(at, "warning"))
    # The same run already shows the new status above the button (the page reruns itself).
    (warning,) = [w for w in texts(at, "warning") if "The last refresh of" in w]
    assert warning.startswith("The last refresh of 3 dataset(s) failed")
    failures = at.dataframe[0].value
    assert sorted(failures["dataset"]) == ["fred/DGS10", "fred/WALCL", "fred/WDTGAL"]
    assert set(failures["stale since"]) == {fetched.normalize()}
    by_key = dict(zip(failures["dataset"], failures["last attempt"], strict=True))
    assert "HTTP 500 for /graph/fredgraph.csv (3 attempts)" in by_key["fred/DGS10"]
    assert "HTML page instead of CSV" in by_key["fred/WALCL"]
    catalog_table = at.dataframe[1].value.set_index("dataset")
    assert catalog_table.loc["fred/WALCL", "stale since"] == fetched.normalize()
    assert pd.isna(catalog_table.loc["fred/DFII10", "stale since"])
    strip = [c for c in texts(at, "caption") if "**Data:**" in c]
    assert "3 failed to refresh: see the Data page" in strip[0]
    assert f"3 stale, the oldest since {fetched:%Y-%m-%d}" in strip[0]

    at.run()  # the refresh's report was for that run only; the status stays
    assert not any("datasets ok" in text for text in texts(at, "markdown"))
    assert [w for w in texts(at, "warning") if "The last refresh of" in w] == [warning]


def test_a_chart_caption_badges_a_stale_input(app_env, server, fast):
    store = Store(app_env(None))
    prefilled(store, server)
    store.record_attempt("fred/WALCL", False, "fred: could not reach fred.stlouisfed.org")
    fetched = store.entry("fred/WALCL").retrieved_at

    def caption():
        from components import page

        page.provenance_strip(["fred/WALCL", "fred/DGS10"])

    at = AppTest.from_function(caption)
    at.run()
    assert not at.exception
    (text,) = texts(at, "caption")
    walcl, dgs10 = text.split(" · ")
    assert walcl.endswith(f":orange-badge[stale since {fetched:%Y-%m-%d}], live")
    assert "stale" not in dgs10
