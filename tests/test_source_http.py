"""Shared HTTP plumbing: limiter spacing, error mapping, HTML detection, the cached session."""

from __future__ import annotations

import datetime
import logging
import threading

import pytest
import requests
from requests_cache.policy.expiration import get_url_expiration

from liquidity.core.errors import RateLimited, SourceError, SourceUnavailable
from liquidity.sources import http
from tests.fakes import FakeAdapter, FakeSession, make_response

CSV_BODY = b"observation_date,WALCL\n2023-12-27,7712781\n2024-01-03,7681024\n"
FRED_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"


class FakeClock:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self, now: float = 100.0):
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def instant_limiter() -> http.RateLimiter:
    return http.RateLimiter(1000, sleep=lambda seconds: None)


# --- RateLimiter -----------------------------------------------------------------------------


def test_limiter_spaces_back_to_back_calls_by_the_interval():
    clock = FakeClock()
    limiter = http.RateLimiter(2, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        limiter.wait()
    assert clock.sleeps == [0.5, 0.5]


def test_limiter_queues_callers_that_arrive_at_the_same_instant():
    sleeps: list[float] = []
    limiter = http.RateLimiter(4, clock=lambda: 0.0, sleep=sleeps.append)
    for _ in range(3):
        limiter.wait()
    # Frozen clock: each caller reserves the next free slot, 0.25 s after the previous one.
    assert sleeps == [0.25, 0.5]


def test_limiter_does_not_sleep_after_an_idle_gap():
    clock = FakeClock()
    limiter = http.RateLimiter(2, clock=clock, sleep=clock.sleep)
    limiter.wait()
    clock.now += 3.0
    limiter.wait()
    assert clock.sleeps == []


def test_limiter_gives_each_thread_its_own_slot():
    sleeps: list[float] = []
    lock = threading.Lock()

    def record(seconds: float) -> None:
        with lock:
            sleeps.append(seconds)

    limiter = http.RateLimiter(10, clock=lambda: 0.0, sleep=record)
    threads = [threading.Thread(target=limiter.wait) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(round(s, 6) for s in sleeps) == [round(0.1 * k, 6) for k in range(1, 20)]


def test_limiter_rejects_a_non_positive_rate():
    with pytest.raises(ValueError, match="positive"):
        http.RateLimiter(0)


# --- get -------------------------------------------------------------------------------------


def test_get_returns_a_200_and_passes_the_request_through():
    session = FakeSession(make_response(200, "ok"))
    response = http.get(
        session,
        FRED_URL,
        source="fred",
        limiter=instant_limiter(),
        params={"id": "WALCL"},
        headers={"X-Test": "1"},
    )
    assert response.text == "ok"
    assert session.calls == [
        {"url": FRED_URL, "params": {"id": "WALCL"}, "headers": {"X-Test": "1"}, "timeout": (5, 20)}
    ]


def test_get_waits_on_the_limiter_before_each_request():
    clock = FakeClock()
    limiter = http.RateLimiter(2, clock=clock, sleep=clock.sleep)
    session = FakeSession(make_response(200), make_response(200))
    http.get(session, FRED_URL, source="fred", limiter=limiter)
    http.get(session, FRED_URL, source="fred", limiter=limiter)
    assert clock.sleeps == [0.5]


def test_429_with_a_retry_after_above_the_cap_gives_up_at_once():
    session = FakeSession(make_response(429, "slow down", headers={"Retry-After": "120"}))
    with pytest.raises(RateLimited) as caught:
        http.get(session, FRED_URL, source="fred", limiter=instant_limiter())
    assert caught.value.retry_after == 120.0
    assert caught.value.source == "fred"
    assert "fred.stlouisfed.org" in str(caught.value)
    assert "asks to wait 120 s, longer than the 30 s" in str(caught.value)
    assert len(session.calls) == 1  # sleeping two minutes inside a refresh would look hung


def test_429_with_retry_after_as_http_date_becomes_seconds_from_now():
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=300)
    header = later.strftime("%a, %d %b %Y %H:%M:%S GMT")
    session = FakeSession(make_response(429, headers={"Retry-After": header}))
    with pytest.raises(RateLimited) as caught:
        http.get(session, FRED_URL, source="fred", limiter=instant_limiter())
    assert 290 <= caught.value.retry_after <= 300


def test_429_within_the_cap_waits_what_the_host_asks_then_retries():
    clock = FakeClock()
    limiter = http.RateLimiter(2, clock=clock, sleep=clock.sleep)
    session = FakeSession(
        make_response(429, headers={"Retry-After": "7"}), make_response(200, "ok")
    )
    response = http.get(session, FRED_URL, source="fred", limiter=limiter)
    assert response.text == "ok"
    assert clock.sleeps == [7.0]  # the Retry-After, not the exponential backoff


def test_429_without_retry_after_backs_off_exponentially_then_gives_up():
    clock = FakeClock()
    limiter = http.RateLimiter(2, clock=clock, sleep=clock.sleep)
    session = FakeSession(*[make_response(429) for _ in range(3)])
    with pytest.raises(RateLimited, match=r"HTTP 429; 3 attempts") as caught:
        http.get(session, FRED_URL, source="fred", limiter=limiter)
    assert caught.value.retry_after is None
    assert clock.sleeps == [1.0, 2.0]
    assert len(session.calls) == 3


def test_a_server_error_is_retried_and_a_later_success_returned():
    clock = FakeClock()
    limiter = http.RateLimiter(2, clock=clock, sleep=clock.sleep)
    session = FakeSession(make_response(502), make_response(503), make_response(200, "ok"))
    assert http.get(session, FRED_URL, source="fred", limiter=limiter).text == "ok"
    assert clock.sleeps == [1.0, 2.0]


def test_retries_never_come_faster_than_the_limiter_allows():
    # 0.25 requests/s = one every 4 s: longer than the first two backoffs (1 s, 2 s).
    clock = FakeClock()
    limiter = http.RateLimiter(0.25, clock=clock, sleep=clock.sleep)
    session = FakeSession(*[make_response(500) for _ in range(3)])
    with pytest.raises(SourceError):
        http.get(session, FRED_URL, source="fred", limiter=limiter)
    assert clock.sleeps == [4.0, 4.0]


def test_a_backoff_holds_back_every_caller_of_the_same_limiter():
    clock = FakeClock()
    limiter = http.RateLimiter(2, clock=clock, sleep=clock.sleep)
    limiter.defer(5.0)
    limiter.wait()  # another thread's request to the same host
    assert clock.sleeps == [5.0]


def test_waits_are_capped_and_one_attempt_means_no_retry():
    clock = FakeClock()
    limiter = http.RateLimiter(100, clock=clock, sleep=clock.sleep)
    session = FakeSession(*[make_response(500) for _ in range(4)])
    policy = http.Retry(attempts=4, backoff=10.0, max_wait=15.0)
    with pytest.raises(SourceError, match="4 attempts"):
        http.get(session, FRED_URL, source="fred", limiter=limiter, retry=policy)
    assert clock.sleeps == [10.0, 15.0, 15.0]
    once = FakeSession(make_response(500))
    with pytest.raises(SourceError, match=r"HTTP 500 for /graph/fredgraph.csv \(1 attempt\)"):
        http.get(once, FRED_URL, source="fred", limiter=limiter, retry=http.Retry(attempts=1))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("Wed, 21 Oct 2026 07:28:00 GMT", 60.0),
        ("Wed, 21 Oct 2026 07:00:00 GMT", 0.0),  # already past: no waiting
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_seconds_reads_both_header_forms(value, expected):
    now = datetime.datetime(2026, 10, 21, 7, 27, tzinfo=datetime.UTC)
    assert http.retry_after_seconds(value, now=now) == expected


def test_connection_error_becomes_source_unavailable_with_the_host():
    session = FakeSession(requests.ConnectionError("[Errno 111] Connection refused"))
    with pytest.raises(SourceUnavailable) as caught:
        http.get(session, FRED_URL, source="fred", limiter=instant_limiter())
    message = str(caught.value)
    assert message.startswith("fred: could not reach fred.stlouisfed.org")
    assert "offline" in message
    assert len(session.calls) == 1  # refused or unresolvable: offline, so no retry


@pytest.mark.parametrize("error", [requests.ReadTimeout("slow"), requests.ConnectTimeout("slow")])
def test_timeouts_are_retried_then_become_source_unavailable_saying_timed_out(error):
    session = FakeSession(error, error, error)
    with pytest.raises(SourceUnavailable, match=r"timed out \(3 attempts\)") as caught:
        http.get(session, FRED_URL, source="fred", limiter=instant_limiter())
    assert caught.value.__cause__ is error


def test_a_body_cut_off_mid_transfer_is_retried_then_a_clear_source_error():
    cut = requests.exceptions.ChunkedEncodingError(
        "IncompleteRead(10 bytes read, 90 more expected)"
    )
    session = FakeSession(cut, make_response(200, "ok"))
    assert http.get(session, FRED_URL, source="fred", limiter=instant_limiter()).text == "ok"
    with pytest.raises(SourceError, match="was cut off") as caught:
        http.get(FakeSession(cut, cut, cut), FRED_URL, source="fred", limiter=instant_limiter())
    assert "/graph/fredgraph.csv" in str(caught.value)


def test_other_request_failures_become_source_errors():
    session = FakeSession(requests.TooManyRedirects("loop"))
    with pytest.raises(SourceError, match="TooManyRedirects") as caught:
        http.get(session, FRED_URL, source="fred", limiter=instant_limiter())
    assert not isinstance(caught.value, SourceUnavailable)
    assert len(session.calls) == 1


def test_server_error_becomes_source_error_with_the_status():
    session = FakeSession(*[make_response(503, "maintenance") for _ in range(3)])
    with pytest.raises(SourceError, match="HTTP 503") as caught:
        http.get(session, FRED_URL, source="fred", limiter=instant_limiter())
    assert type(caught.value) is SourceError


def test_404_raises_unless_the_caller_expects_it():
    missing = FakeSession(make_response(404))
    with pytest.raises(SourceError, match="HTTP 404"):
        http.get(missing, FRED_URL, source="fred", limiter=instant_limiter())
    assert len(missing.calls) == 1  # a client error is not retried
    response = http.get(
        FakeSession(make_response(404)),
        FRED_URL,
        source="sec",
        limiter=instant_limiter(),
        expect=(200, 404),
    )
    assert response.status_code == 404


# --- reject_html / validate_start ------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["<!DOCTYPE html><html><body>Access Denied</body></html>", "\n  <html><title>Maintenance"],
)
def test_reject_html_raises_for_a_block_page(body):
    with pytest.raises(SourceError, match="HTML page instead of CSV") as caught:
        http.reject_html(body, source="fred", server="fred.stlouisfed.org", expected="CSV")
    assert "blocked or maintenance" in str(caught.value)


def test_reject_html_accepts_csv_and_json():
    http.reject_html("DATE,WALCL\n", source="fred", server="x", expected="CSV")
    http.reject_html('{"cik": 1}', source="sec", server="x", expected="JSON")


def test_validate_start_accepts_past_dates_and_truncates_datetimes():
    assert http.validate_start(None) is None
    assert http.validate_start(datetime.date(2024, 1, 3)) == datetime.date(2024, 1, 3)
    moment = datetime.datetime(2024, 1, 3, 15, 30)
    assert http.validate_start(moment) == datetime.date(2024, 1, 3)


@pytest.mark.parametrize(
    "start",
    ["2024-01-03", 20240103, datetime.date.today() + datetime.timedelta(days=1)],
)
def test_validate_start_rejects_strings_numbers_and_future_dates(start):
    with pytest.raises(ValueError, match="start"):
        http.validate_start(start)


# --- cached_session --------------------------------------------------------------------------


@pytest.fixture
def cached(tmp_path):
    session = http.cached_session(tmp_path / "http_cache.sqlite")
    adapter = FakeAdapter(CSV_BODY)
    session.mount("https://", adapter)
    yield session, adapter
    session.close()


def test_second_identical_get_is_served_from_the_cache(cached):
    session, adapter = cached
    first = session.get(FRED_URL, params={"id": "WALCL"})
    second = session.get(FRED_URL, params={"id": "WALCL"})
    assert (first.from_cache, second.from_cache) == (False, True)
    assert len(adapter.sent) == 1
    assert second.content == CSV_BODY


def test_cache_file_is_created_at_the_given_path(cached, tmp_path):
    session, _ = cached
    session.get(FRED_URL, params={"id": "WALCL"})
    assert (tmp_path / "http_cache.sqlite").is_file()


def test_api_keys_are_sent_but_never_stored(cached):
    session, adapter = cached
    session.get("https://api.stlouisfed.org/fred/series", params={"api_key": "SECRET123"})
    assert "SECRET123" in adapter.sent[0].url
    stored = [response.url for response in session.cache.responses.values()]
    assert stored and all("SECRET123" not in url for url in stored)


@pytest.mark.parametrize("name", ["urllib3.connectionpool", "requests_cache.policy.expiration"])
def test_api_keys_are_masked_in_the_libraries_debug_logs(name, caplog):
    caplog.set_level(logging.DEBUG, logger=name)
    logging.getLogger(name).debug(
        '"GET %s HTTP/1.1" 200', "/fred/series/observations?series_id=WALCL&API_KEY=SECRET123&x=1"
    )
    (record,) = [r for r in caplog.records if r.name == name]
    assert record.getMessage() == (
        '"GET /fred/series/observations?series_id=WALCL&API_KEY=…&x=1 HTTP/1.1" 200'
    )


def test_non_200_answers_are_not_cached(cached):
    session, adapter = cached
    adapter.status = 500
    session.get(FRED_URL, params={"id": "WALCL"})
    session.get(FRED_URL, params={"id": "WALCL"})
    assert len(adapter.sent) == 2


def test_an_expired_copy_is_not_served_when_the_refresh_fails(cached):
    # A refresh must see its failure: the store keeps the last good data and marks it stale.
    session, adapter = cached
    session.get(FRED_URL, params={"id": "WALCL"})
    session.cache.reset_expiration(datetime.timedelta(seconds=-1))
    adapter.fail_with = requests.ConnectionError("offline")
    with pytest.raises(requests.ConnectionError):
        session.get(FRED_URL, params={"id": "WALCL"})
    adapter.fail_with, adapter.status = None, 503
    assert session.get(FRED_URL, params={"id": "WALCL"}).status_code == 503
    assert len(adapter.sent) == 3  # each refresh was attempted


def test_a_lookup_session_serves_its_expired_copy_when_the_server_fails(tmp_path):
    session = http.cached_session(tmp_path / "http_cache.sqlite", stale_if_error=True)
    adapter = FakeAdapter(CSV_BODY)
    session.mount("https://", adapter)
    session.get(FRED_URL, params={"id": "WALCL"})
    session.cache.reset_expiration(datetime.timedelta(seconds=-1))
    adapter.fail_with = requests.ConnectionError("offline")
    stale = session.get(FRED_URL, params={"id": "WALCL"})
    assert stale.from_cache and stale.is_expired and stale.content == CSV_BODY
    adapter.fail_with, adapter.status = None, 503
    assert session.get(FRED_URL, params={"id": "WALCL"}).content == CSV_BODY
    assert len(adapter.sent) == 3  # the refreshes were attempted
    session.close()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (FRED_URL + "?id=WALCL", datetime.timedelta(hours=6)),
        ("https://api.stlouisfed.org/fred/series/observations", datetime.timedelta(hours=6)),
        (
            "https://data.sec.gov/api/xbrl/companyfacts/CIK0000789019.json",
            datetime.timedelta(days=1),
        ),
        ("https://www.sec.gov/files/company_tickers.json", datetime.timedelta(days=1)),
    ],
)
def test_expiry_is_set_per_host(cached, url, expected):
    session, _ = cached
    assert get_url_expiration(url, session.settings.urls_expire_after) == expected


def test_other_hosts_expire_after_one_hour(cached):
    session, _ = cached
    response = session.get("https://www.okx.com/api/v5/public/time")
    assert response.expires - response.created_at == pytest.approx(
        datetime.timedelta(hours=1), abs=datetime.timedelta(seconds=5)
    )


def test_sec_host_responses_are_kept_for_a_day(cached):
    session, _ = cached
    response = session.get("https://data.sec.gov/api/xbrl/companyfacts/CIK0000789019.json")
    assert response.expires - response.created_at == pytest.approx(
        datetime.timedelta(days=1), abs=datetime.timedelta(seconds=5)
    )


def test_session_declares_a_descriptive_user_agent(cached):
    session, adapter = cached
    session.get(FRED_URL, params={"id": "WALCL"})
    assert (
        adapter.sent[0].headers["User-Agent"] == "LiquidityDrainMonitor/0.1 (+https://github.com/)"
    )
