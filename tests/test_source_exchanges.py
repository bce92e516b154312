"""Keyless exchange adapters: OKX paging and errors, Binance 451, Bybit retCode, frame shapes."""

from __future__ import annotations

import pandas as pd
import pytest

from liquidity.core.errors import SourceError, SourceUnavailable
from liquidity.sources import exchanges, http
from tests.fakes import FakeSession, make_response
from tests.test_source_payloads import payload


@pytest.fixture(autouse=True)
def fast_limiters(monkeypatch):
    for name in ("OKX_LIMITER", "BINANCE_LIMITER", "BYBIT_LIMITER"):
        monkeypatch.setattr(exchanges, name, http.RateLimiter(1e9))


def okx_page(*details):
    """One OKX REST page in the SOURCES.md §5.5 shape (empty page when no details)."""
    if not details:
        return {"code": "0", "msg": "", "data": []}
    return {
        "code": "0",
        "msg": "",
        "data": [
            {
                "instId": "BTC-USDT-SWAP",
                "instType": "SWAP",
                "instFamily": "BTC-USDT",
                "uly": "BTC-USDT",
                "totalLoss": "0",
                "details": [
                    {
                        "side": side,
                        "posSide": pos,
                        "bkPx": px,
                        "bkLoss": "0",
                        "sz": sz,
                        "ccy": "",
                        "ts": ts,
                    }
                    for side, pos, px, sz, ts in details
                ],
            }
        ],
    }


def test_okx_pages_back_with_after_until_an_empty_page():
    session = FakeSession(
        # Two orders; the older one at ts 1758000200000.
        make_response(body=payload("exchanges/okx_liquidations.json")),
        make_response(body=okx_page(("sell", "long", "59900", "2", "1758000100000"))),
        make_response(body=okx_page()),
    )
    events = exchanges.get_okx_liquidations(session, "btc")

    assert len(session.calls) == 3
    first, second, third = (c["params"] for c in session.calls)
    assert session.calls[0]["url"] == exchanges.OKX_LIQUIDATIONS_URL
    assert first == {
        "instType": "SWAP",
        "state": "filled",
        "instId": "BTC-USDT-SWAP",
        "limit": "100",
    }
    assert second["after"] == "1758000200000"
    assert third["after"] == "1758000100000"
    assert [e.side for e in events] == ["long", "short", "long"]
    assert events[0].venue == "okx" and events[0].symbol == "BTC"
    assert events[0].qty == pytest.approx(0.1)  # 10 contracts × ctVal 0.01 BTC
    assert events[0].ts.tzinfo is not None


def test_okx_stops_after_the_page_budget():
    session = FakeSession(
        make_response(body=okx_page(("sell", "long", "60000", "1", "1758000300000"))),
        make_response(body=okx_page(("sell", "long", "60000", "1", "1758000200000"))),
    )
    events = exchanges.get_okx_liquidations(session, pages=2)
    assert len(session.calls) == 2 and len(events) == 2


def test_okx_error_code_is_a_source_error():
    body = {"code": "51001", "msg": "Instrument ID does not exist", "data": []}
    with pytest.raises(SourceError, match="51001: Instrument ID does not exist"):
        exchanges.get_okx_liquidations(FakeSession(make_response(body=body)), "BTC")


def test_okx_rejects_a_bad_symbol_before_any_request():
    with pytest.raises(ValueError, match="invalid coin symbol"):
        exchanges.get_okx_liquidations(FakeSession(), "BTC-USDT")


def test_binance_open_interest_frame():
    rows = payload("exchanges/binance_open_interest.json")
    session = FakeSession(make_response(body=rows))
    frame = exchanges.get_binance_open_interest(session, "BTC", period="4h", limit=2)

    assert session.calls[0]["url"] == exchanges.BINANCE_OI_URL
    assert session.calls[0]["params"] == {"symbol": "BTCUSDT", "period": "4h", "limit": "2"}
    assert list(frame.columns) == ["open_interest_coin", "open_interest_usd"]
    assert frame.index.name == "ts" and str(frame.index.tz) == "UTC"
    assert frame.index.is_monotonic_increasing
    assert frame.index[0] == pd.Timestamp(1616438700000, unit="ms", tz="UTC")
    assert frame["open_interest_coin"].iloc[0] == 34085.0
    assert frame.dtypes.eq("float64").all()


def test_binance_funding_is_in_percent():
    rows = payload("exchanges/binance_funding.json")
    frame = exchanges.get_binance_funding(FakeSession(make_response(body=rows)), "BTC")
    assert frame.index.name == "fundingTime" and str(frame.index.tz) == "UTC"
    assert frame["funding_pct"].tolist() == pytest.approx([-3.75, 0.01])


def test_binance_451_says_the_location_is_refused():
    body = {"code": 0, "msg": "Service unavailable from a restricted location"}
    session = FakeSession(make_response(451, body), make_response(451, body))
    with pytest.raises(SourceUnavailable) as caught:
        exchanges.get_binance_funding(session)
    assert caught.value.message == "Binance refuses this location (HTTP 451: US hosts are blocked)"
    with pytest.raises(SourceUnavailable, match="HTTP 451"):
        exchanges.get_binance_open_interest(session)


def test_binance_400_carries_binance_message():
    body = {"code": -1121, "msg": "Invalid symbol."}
    with pytest.raises(SourceError, match="Invalid symbol"):
        exchanges.get_binance_funding(FakeSession(make_response(400, body)), "NOPE")


def test_bybit_open_interest_frame():
    body = payload("exchanges/bybit_open_interest.json")
    session = FakeSession(make_response(body=body))
    frame = exchanges.get_bybit_open_interest(session, "BTC", interval="4h", limit=2)

    assert session.calls[0]["params"] == {
        "category": "linear",
        "symbol": "BTCUSDT",
        "intervalTime": "4h",
        "limit": "2",
    }
    assert list(frame.columns) == ["open_interest_coin"]
    assert frame.index.name == "ts" and frame.index.is_monotonic_increasing
    assert frame["open_interest_coin"].tolist() == [51000.25, 52000.5]


def test_bybit_ret_code_is_a_source_error():
    body = {"retCode": 10001, "retMsg": "params error: symbol invalid", "result": {}}
    with pytest.raises(SourceError, match="10001: params error"):
        exchanges.get_bybit_open_interest(FakeSession(make_response(body=body)))


def test_bybit_403_is_a_geo_block():
    page = "<html><body>The Amazon CloudFront distribution is configured to block access</body>"
    with pytest.raises(SourceUnavailable, match="Bybit refuses this location"):
        exchanges.get_bybit_open_interest(FakeSession(make_response(403, page)))


def test_bad_interval_and_limit_are_value_errors():
    with pytest.raises(ValueError, match="interval"):
        exchanges.get_bybit_open_interest(FakeSession(), interval="2h")
    with pytest.raises(ValueError, match="limit"):
        exchanges.get_binance_open_interest(FakeSession(), limit=501)
