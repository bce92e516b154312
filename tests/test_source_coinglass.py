"""CoinGlass v4 adapter: key handling, error codes, plan intervals and the data-pack layout."""

from __future__ import annotations

import pandas as pd
import pytest

from liquidity.core import catalog
from liquidity.core.errors import NotConfigured, RateLimited, SourceError
from liquidity.data import frames
from liquidity.sources import coinglass, http
from tests.fakes import FakeSession, make_response
from tests.test_source_payloads import payload

KEY = "secret-cg-key-123"

# SOURCES.md §5.8 shape (numbers as CoinGlass returns them; OHLC values come as strings).
LIQUIDATIONS = payload("coinglass/liquidations.json")
FUNDING = payload("coinglass/funding.json")


@pytest.fixture(autouse=True)
def fast_limiter(monkeypatch):
    monkeypatch.setattr(coinglass, "LIMITER", http.RateLimiter(1e9, sleep=lambda seconds: None))


def pack_frame(name: str, csv: str) -> pd.DataFrame:
    dataset = next(d for d in catalog.CATALOG if d.key == f"coinglass/{name}")
    return frames.read_csv(csv, dataset)


def test_api_key_missing_is_not_configured():
    with pytest.raises(NotConfigured, match="COINGLASS_API_KEY is not set"):
        coinglass.api_key({})
    with pytest.raises(NotConfigured):
        coinglass.api_key({"COINGLASS_API_KEY": "  "})
    assert coinglass.api_key({"COINGLASS_API_KEY": f" {KEY}\n"}) == KEY


def test_liquidations_match_the_pack_layout_and_key_is_a_header():
    session = FakeSession(make_response(body=LIQUIDATIONS))
    frame = coinglass.get_aggregated_liquidations(session, "BTC", "4h", api_key=KEY)

    call = session.calls[0]
    assert call["url"] == coinglass.BASE_URL + "/api/futures/liquidation/aggregated-history"
    assert call["params"] == {
        "symbol": "BTC",
        "interval": "4h",
        "limit": "1000",
        "exchange_list": "Binance,OKX,Bybit",
    }
    assert call["headers"]["CG-API-KEY"] == KEY
    assert KEY not in call["url"] and KEY not in str(call["params"])

    csv = (
        "time,time_utc,aggregated_long_liquidation_usd,aggregated_short_liquidation_usd\n"
        "1731528000000,2024-11-13T20:00:00Z,21069771.35833,2661796.3081\n"
        "1731542400000,2024-11-14T00:00:00Z,1136092.35699,1298003.83234\n"
    )
    expected = pack_frame("liquidation_aggregated_coin_history_BTC", csv)
    pd.testing.assert_frame_equal(frame, expected)
    assert frame.index.name == "time" and str(frame.index.tz) == "UTC"


def test_funding_and_open_interest_match_the_pack_ohlc_layout():
    oi = payload("coinglass/open_interest.json")
    session = FakeSession(make_response(body=FUNDING), make_response(body=oi))
    funding = coinglass.get_funding_history(session, "btc", "4h", api_key=KEY)
    open_interest = coinglass.get_open_interest_history(session, "BTC", "1d", api_key=KEY)

    assert session.calls[0]["url"].endswith("/api/futures/funding-rate/oi-weight-history")
    assert session.calls[1]["url"].endswith("/api/futures/open-interest/aggregated-history")
    csv = (
        "time,time_utc,open,high,low,close\n"
        "1731528000000,2024-11-13T20:00:00Z,0.020235,0.020235,0.015171,0.01639\n"
        "1731542400000,2024-11-14T00:00:00Z,0.01639,0.018498,0.014069,0.018331\n"
    )
    pd.testing.assert_frame_equal(
        funding, pack_frame("fundingRate_oi_weight_ohlc_history_BTC", csv)
    )
    assert list(open_interest.columns) == ["open", "high", "low", "close"]
    assert open_interest.index.name == "time"
    for call in session.calls:
        assert KEY not in call["url"] and KEY not in str(call["params"])


def test_error_code_carries_coinglass_message_and_plan_hint():
    body = {"code": "400", "msg": "interval not available on your plan", "data": None}
    session = FakeSession(make_response(body=body))
    with pytest.raises(SourceError) as caught:
        coinglass.get_aggregated_liquidations(session, interval="1h", api_key=KEY)
    message = str(caught.value)
    assert "interval not available on your plan" in message
    assert "Startup" in message and "Hobbyist" not in message


def test_429_is_rate_limited():
    answers = [make_response(429, "", headers={"Retry-After": "30"}) for _ in range(3)]
    with pytest.raises(RateLimited):
        coinglass.get_funding_history(FakeSession(*answers), api_key=KEY)


def test_401_names_the_key_setting():
    session = FakeSession(make_response(401, {"code": "401", "msg": "Unauthorized"}))
    with pytest.raises(SourceError, match="COINGLASS_API_KEY"):
        coinglass.get_open_interest_history(session, api_key=KEY)


def test_intervals_and_plans():
    assert coinglass.plans_allowing("4h") == coinglass.PLANS
    assert coinglass.plans_allowing("30m") == ("Startup", "Standard", "Professional", "Enterprise")
    assert coinglass.plans_allowing("5m") == ("Standard", "Professional", "Enterprise")
    with pytest.raises(ValueError, match="not one of"):
        coinglass.get_funding_history(FakeSession(), interval="2h", api_key=KEY)
    with pytest.raises(ValueError, match="not available on the Hobbyist plan"):
        coinglass.get_funding_history(FakeSession(), interval="1h", api_key=KEY, plan="Hobbyist")


def test_the_key_never_lands_in_the_http_cache(tmp_path):
    from liquidity.sources import http
    from tests.fakes import FakeAdapter

    session = http.cached_session(tmp_path / "cache.sqlite")
    adapter = FakeAdapter(b'{"code": "0", "msg": "", "data": []}', content_type="application/json")
    session.mount("https://", adapter)
    session.get(
        coinglass.BASE_URL + "/api/futures/liquidation/aggregated-history",
        headers={"CG-API-KEY": "secret-marker-123"},
        params={"symbol": "BTC"},
    )
    session.close()
    assert b"secret-marker-123" not in (tmp_path / "cache.sqlite").read_bytes()
