"""Keyless exchange REST sources: OKX liquidations, Binance and Bybit OI, Binance funding.

Each call validates its request, fetches through the one `http.get` seam with an injected session,
and shapes the answer (SOURCES.md §5.3–§5.5). Geo-blocks get their own message (§5.1): Binance
answers HTTP 451 and Bybit a CloudFront 403 to US hosts, which is not something a retry fixes.

Frames are indexed by a tz-aware UTC DatetimeIndex (microseconds, like the store), ascending.
"""

from __future__ import annotations

import re
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


# -- OKX ---------------------------------------------------------------------------------------
def fetch_okx_liquidations(
    session: requests.Session,
    symbol: str = "BTC",
    *,
    pages: int = 20,
    contract_values: dict[str, float] | None = None,
) -> list[Liquidation]:
    """Filled liquidations of `<SYM>-USDT-SWAP`, newest first, paging back with `after`.

    OKX keeps about 24 h (20 pages × 100 for BTC, SOURCES.md §5.5); paging stops at an empty
    page or after `pages` pages. Sizes are converted with `venues.from_okx` (contracts →
    coin via ctVal; `contract_values` adds ctVal for instruments it does not know).
    """
    coin = validate_symbol(symbol)
    pages = validate_limit(pages, 1000)
    inst_id = f"{coin}-USDT-SWAP"
    params = {
        "instType": "SWAP",
        "state": "filled",
        "instId": inst_id,
        "limit": str(OKX_PAGE_SIZE),
    }
    events: list[Liquidation] = []
    after: int | None = None
    for _ in range(pages):
        page_params = dict(params) if after is None else {**params, "after": str(after)}
        response = http.get(
            session, OKX_LIQUIDATIONS_URL, source="okx", limiter=OKX_LIMITER, params=page_params
        )
        body = _json(response, source="okx", server="www.okx.com")
        if not isinstance(body, dict) or str(body.get("code")) != "0":
            message = body.get("msg") if isinstance(body, dict) else None
            code = body.get("code") if isinstance(body, dict) else None
            raise SourceError("okx", f"{inst_id}: OKX error {code}: {message or 'no message'}")
        stamps = _okx_detail_stamps(body)
        if not stamps:
            break
        try:
            events.extend(venues.from_okx(body, contract_values))
        except ValueError as exc:
            raise SourceError("okx", f"{inst_id}: unreadable liquidation page ({exc})") from exc
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
    session: requests.Session, symbol: str = "BTC", period: str = "4h", limit: int = 500
) -> pd.DataFrame:
    """OI of `<SYM>USDT` (latest 30 days only): columns open_interest_coin, open_interest_usd."""
    coin = validate_symbol(symbol)
    if period not in BINANCE_PERIODS:
        raise ValueError(f"period {period!r} is not one of {', '.join(BINANCE_PERIODS)}")
    params = {"symbol": f"{coin}USDT", "period": period, "limit": str(validate_limit(limit, 500))}
    rows = _binance_get(session, BINANCE_OI_URL, params)
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


def fetch_binance_funding(
    session: requests.Session, symbol: str = "BTC", limit: int = 1000
) -> pd.DataFrame:
    """Funding of `<SYM>USDT`, most recent `limit` rows: column funding_pct (percent)."""
    coin = validate_symbol(symbol)
    params = {"symbol": f"{coin}USDT", "limit": str(validate_limit(limit, 1000))}
    rows = _binance_get(session, BINANCE_FUNDING_URL, params)
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
    session: requests.Session, symbol: str = "BTC", interval: str = "4h", limit: int = 200
) -> pd.DataFrame:
    """OI of linear `<SYM>USDT` (one page, newest `limit` rows): column open_interest_coin."""
    coin = validate_symbol(symbol)
    if interval not in BYBIT_INTERVALS:
        raise ValueError(f"interval {interval!r} is not one of {', '.join(BYBIT_INTERVALS)}")
    params = {
        "category": "linear",
        "symbol": f"{coin}USDT",
        "intervalTime": BYBIT_INTERVALS[interval],
        "limit": str(validate_limit(limit, 200)),
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


# -- shared ------------------------------------------------------------------------------------
def _json(response: requests.Response, *, source: str, server: str) -> Any:
    http.reject_html(response.text, source=source, server=server, expected="JSON")
    try:
        return response.json()
    except ValueError as exc:  # requests' JSONDecodeError is a ValueError
        raise SourceError(source, f"{server} answered with unreadable JSON") from exc
