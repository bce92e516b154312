"""Keyless exchange REST sources: OKX liquidations, Binance and Bybit OI, Binance funding.

Steps, per endpoint: `validate_symbol` / `validate_interval` / `validate_limit` →
`fetch_<venue>_<what>` (one GET through the `http.get` seam with an injected session: the JSON
answer, error answers raised) → `parse_<venue>_<what>` (payload → frame or events, SOURCES.md
§5.3–§5.5); `get_<venue>_<what>` runs the three. Geo-blocks get their own message (§5.1):
Binance answers HTTP 451 and Bybit a CloudFront 403 to US hosts, which is not something a retry
fixes.

Frames are indexed by a tz-aware UTC DatetimeIndex (microseconds, like the store), ascending.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import pandas as pd
import requests

from liquidity.core.errors import SourceError, SourceUnavailable
from liquidity.sources import http, venues
from liquidity.sources.venues import Liquidation

OKX_LIQUIDATIONS_URL = "https://www.okx.com/api/v5/public/liquidation-orders"
BINANCE_OI_URL = "https://fapi.binance.com/futures/data/openInterestHist"
BINANCE_FUNDING_URL = "https://fapi.binance.com/fapi/v1/fundingRate"
BYBIT_OI_URL = "https://api.bybit.com/v5/market/open-interest"

# One limiter per host, shared by every call to it.
OKX_LIMITER = http.RateLimiter(per_second=5)
# Binance funding allows 500 requests / 5 min / IP (SOURCES.md §5.2) = 1.67/s; stay under it.
BINANCE_LIMITER = http.RateLimiter(per_second=1.5)
# Bybit's public market limit is not documented in SOURCES.md; 5/s matches OKX.
BYBIT_LIMITER = http.RateLimiter(per_second=5)

SYMBOL_PATTERN = re.compile(r"^[A-Z0-9]{1,15}$")
BINANCE_PERIODS = ("5m", "15m", "30m", "1h", "2h", "4h", "6h", "12h", "1d")
BYBIT_INTERVALS = {"5m": "5min", "15m": "15min", "30m": "30min", "1h": "1h", "4h": "4h", "1d": "1d"}
OKX_PAGE_SIZE = 100

BINANCE_GEO_BLOCK = "Binance refuses this location (HTTP 451: US hosts are blocked)"
BYBIT_GEO_BLOCK = "Bybit refuses this location (HTTP 403: CloudFront blocks this country)"


def validate_symbol(symbol: str) -> str:
    """The coin, e.g. "btc" → "BTC"; venue symbols are built from it (BTCUSDT, BTC-USDT-SWAP)."""
    coin = str(symbol).strip().upper()
    if not SYMBOL_PATTERN.match(coin):
        raise ValueError(f"invalid coin symbol {symbol!r}: use letters and digits, e.g. BTC")
    return coin


def validate_limit(limit: int, maximum: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= maximum:
        raise ValueError(f"limit must be an integer from 1 to {maximum}, got {limit!r}")
    return limit


def validate_interval(interval: str, allowed: Collection[str], *, name: str = "interval") -> str:
    if interval not in allowed:
        raise ValueError(f"{name} {interval!r} is not one of {', '.join(allowed)}")
    return interval


# -- OKX ---------------------------------------------------------------------------------------
def fetch_okx_liquidations(session: requests.Session, coin: str, after: int | None = None) -> dict:
    """One page (≤ 100) of filled liquidations of `<coin>-USDT-SWAP`, older than `after` (ms)."""
    inst_id = f"{coin}-USDT-SWAP"
    params = {
        "instType": "SWAP",
        "state": "filled",
        "instId": inst_id,
        "limit": str(OKX_PAGE_SIZE),
    }
    if after is not None:
        params["after"] = str(after)
    response = http.get(
        session, OKX_LIQUIDATIONS_URL, source="okx", limiter=OKX_LIMITER, params=params
    )
    body = _json(response, source="okx", server="www.okx.com")
    if not isinstance(body, dict) or str(body.get("code")) != "0":
        message = body.get("msg") if isinstance(body, dict) else None
        code = body.get("code") if isinstance(body, dict) else None
        raise SourceError("okx", f"{inst_id}: OKX error {code}: {message or 'no message'}")
    return body


def parse_okx_liquidations(
    body: dict, coin: str, contract_values: dict[str, float] | None = None
) -> list[Liquidation]:
    """A page's events through `venues.parse_okx` (contracts → coin via ctVal; `contract_values`
    adds ctVal for instruments it does not know)."""
    try:
        return venues.parse_okx(body, contract_values)
    except ValueError as exc:
        raise SourceError("okx", f"{coin}-USDT-SWAP: unreadable liquidation page ({exc})") from exc


def get_okx_liquidations(
    session: requests.Session,
    symbol: str = "BTC",
    *,
    pages: int = 20,
    contract_values: dict[str, float] | None = None,
) -> list[Liquidation]:
    """Filled liquidations of `<SYM>-USDT-SWAP`, newest first, paging back with `after`.

    OKX keeps about 24 h (20 pages × 100 for BTC, SOURCES.md §5.5); paging stops at an empty
    page or after `pages` pages.
    """
    coin = validate_symbol(symbol)
    pages = validate_limit(pages, 1000)
    events: list[Liquidation] = []
    after: int | None = None
    for _ in range(pages):
        body = fetch_okx_liquidations(session, coin, after)
        stamps = _okx_detail_stamps(body)
        if not stamps:
            break
        events.extend(parse_okx_liquidations(body, coin, contract_values))
        oldest = min(stamps)
        if after is not None and oldest >= after:  # no progress: stop instead of looping
            break
        after = oldest
    return list(dict.fromkeys(events))  # an order on a page boundary may come twice


def _okx_detail_stamps(body: dict) -> list[int]:
    data = body.get("data")
    if not isinstance(data, list):
        raise SourceError("okx", "liquidation-orders: data is not a list")
    stamps = []
    for inst in data:
        details = inst.get("details") if isinstance(inst, dict) else None
        for d in details if isinstance(details, list) else []:
            try:
                stamps.append(int(d["ts"]))
            except (KeyError, TypeError, ValueError) as exc:
                raise SourceError("okx", f"liquidation-orders: unreadable ts in {d!r}") from exc
    return stamps


# -- Binance -----------------------------------------------------------------------------------
def fetch_binance_open_interest(
    session: requests.Session, coin: str, period: str, limit: int
) -> Any:
    """openInterestHist of `<coin>USDT` (latest 30 days only): a JSON list of rows."""
    params = {"symbol": f"{coin}USDT", "period": period, "limit": str(limit)}
    return _binance_get(session, BINANCE_OI_URL, params)


def parse_binance_open_interest(rows: Any, coin: str) -> pd.DataFrame:
    """Columns open_interest_coin (base coin) and open_interest_usd (USDT)."""
    return http.shape_rows(
        rows,
        time_key="timestamp",
        index_name="ts",
        columns={
            "open_interest_coin": "sumOpenInterest",
            "open_interest_usd": "sumOpenInterestValue",
        },
        source="binance",
        what=f"{coin}USDT openInterestHist",
    )


def get_binance_open_interest(
    session: requests.Session, symbol: str = "BTC", period: str = "4h", limit: int = 500
) -> pd.DataFrame:
    """OI of `<SYM>USDT` (latest 30 days only): validate → fetch → parse."""
    coin = validate_symbol(symbol)
    period = validate_interval(period, BINANCE_PERIODS, name="period")
    rows = fetch_binance_open_interest(session, coin, period, validate_limit(limit, 500))
    return parse_binance_open_interest(rows, coin)


def fetch_binance_funding(session: requests.Session, coin: str, limit: int) -> Any:
    """fundingRate of `<coin>USDT`, the most recent `limit` rows: a JSON list of rows."""
    params = {"symbol": f"{coin}USDT", "limit": str(limit)}
    return _binance_get(session, BINANCE_FUNDING_URL, params)


def parse_binance_funding(rows: Any, coin: str) -> pd.DataFrame:
    """Column funding_pct, in percent (Binance sends a fraction)."""
    frame = http.shape_rows(
        rows,
        time_key="fundingTime",
        index_name="fundingTime",
        columns={"funding_pct": "fundingRate"},
        source="binance",
        what=f"{coin}USDT fundingRate",
    )
    frame["funding_pct"] *= 100.0
    return frame


def get_binance_funding(
    session: requests.Session, symbol: str = "BTC", limit: int = 1000
) -> pd.DataFrame:
    """Funding of `<SYM>USDT`, most recent `limit` rows: validate → fetch → parse."""
    coin = validate_symbol(symbol)
    rows = fetch_binance_funding(session, coin, validate_limit(limit, 1000))
    return parse_binance_funding(rows, coin)


def _binance_get(session: requests.Session, url: str, params: dict[str, str]) -> Any:
    response = http.get(
        session,
        url,
        source="binance",
        limiter=BINANCE_LIMITER,
        params=params,
        expect=(200, 400, 451),
    )
    if response.status_code == 451:
        raise SourceUnavailable("binance", BINANCE_GEO_BLOCK)
    body = _json(response, source="binance", server="fapi.binance.com")
    if response.status_code == 400:  # {"code": -1121, "msg": "Invalid symbol."}
        message = body.get("msg") if isinstance(body, dict) else None
        raise SourceError("binance", f"{params['symbol']}: {message or 'bad request (HTTP 400)'}")
    return body


# -- Bybit -------------------------------------------------------------------------------------
def fetch_bybit_open_interest(
    session: requests.Session, coin: str, interval: str, limit: int
) -> dict:
    """One page of linear `<coin>USDT` open interest, the newest `limit` rows; retCode checked."""
    params = {
        "category": "linear",
        "symbol": f"{coin}USDT",
        "intervalTime": BYBIT_INTERVALS[interval],
        "limit": str(limit),
    }
    response = http.get(
        session,
        BYBIT_OI_URL,
        source="bybit",
        limiter=BYBIT_LIMITER,
        params=params,
        expect=(200, 403),
    )
    if response.status_code == 403:
        raise SourceUnavailable("bybit", BYBIT_GEO_BLOCK)
    body = _json(response, source="bybit", server="api.bybit.com")
    if not isinstance(body, dict) or body.get("retCode") != 0:
        code = body.get("retCode") if isinstance(body, dict) else None
        message = body.get("retMsg") if isinstance(body, dict) else None
        raise SourceError("bybit", f"{coin}USDT: Bybit error {code}: {message or 'no message'}")
    return body


def parse_bybit_open_interest(body: dict, coin: str) -> pd.DataFrame:
    """Column open_interest_coin (base coin), from `result.list`."""
    result = body.get("result")
    rows = result.get("list") if isinstance(result, dict) else None
    return http.shape_rows(
        rows,
        time_key="timestamp",
        index_name="ts",
        columns={"open_interest_coin": "openInterest"},
        source="bybit",
        what=f"{coin}USDT open-interest",
    )


def get_bybit_open_interest(
    session: requests.Session, symbol: str = "BTC", interval: str = "4h", limit: int = 200
) -> pd.DataFrame:
    """OI of linear `<SYM>USDT` (one page): validate → fetch → parse."""
    coin = validate_symbol(symbol)
    interval = validate_interval(interval, BYBIT_INTERVALS)
    body = fetch_bybit_open_interest(session, coin, interval, validate_limit(limit, 200))
    return parse_bybit_open_interest(body, coin)


# -- shared ------------------------------------------------------------------------------------
def _json(response: requests.Response, *, source: str, server: str) -> Any:
    http.reject_html(response.text, source=source, server=server, expected="JSON")
    try:
        return response.json()
    except ValueError as exc:  # requests' JSONDecodeError is a ValueError
        raise SourceError(source, f"{server} answered with unreadable JSON") from exc
