"""CoinGlass API v4 (paid key): aggregated liquidations, open interest OHLC, OI-weighted funding.

The key comes from `COINGLASS_API_KEY` and travels only in the `CG-API-KEY` header, never in a
URL or query (SOURCES.md §5.8: server-side only). Frames are shaped exactly like the data-pack
CoinGlass frames (`frames.read_csv`): a UTC DatetimeIndex named "time" and float64 columns, so a
live fetch and a pack file compare equal.

Steps: `validate_request` (+ `validate_exchanges` for liquidations) → `fetch_history` (the JSON
answer) → `parse_history` (its rows → frame); `get_aggregated_liquidations`,
`get_open_interest_history` and `get_funding_history` run the three for one endpoint each.
CoinGlass reports errors as HTTP 200 with `code != "0"` and a `msg` (e.g. an interval the plan
does not include); `fetch_history` raises those as SourceError with that message. 429 →
RateLimited via `http.get`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

import pandas as pd
import requests

from liquidity.core.errors import NotConfigured, SourceError
from liquidity.sources import http

SOURCE = "coinglass"
BASE_URL = "https://open-api-v4.coinglass.com"
ENV_KEY = "COINGLASS_API_KEY"
LIQUIDATION_PATH = "/api/futures/liquidation/aggregated-history"  # SOURCES.md §5.8
# The OI and funding paths are the v4 endpoints behind the pack's
# openInterest_ohlc_aggregated_history and fundingRate_oi_weight_ohlc_history exports
# (docs.coinglass.com "OI OHLC Aggregated History", "OI Weight OHLC History").
OPEN_INTEREST_PATH = "/api/futures/open-interest/aggregated-history"
FUNDING_PATH = "/api/futures/funding-rate/oi-weight-history"

LIQUIDATION_COLUMNS = ("aggregated_long_liquidation_usd", "aggregated_short_liquidation_usd")
OHLC_COLUMNS = ("open", "high", "low", "close")
DEFAULT_EXCHANGES = ("Binance", "OKX", "Bybit")  # the exchange_list of SOURCES.md §5.8

# v4 history intervals, shortest first, and the plans that may ask for each (SOURCES.md §5.8:
# Hobbyist interval ≥ 4h, Startup ≥ 30m, Standard and above unrestricted).
INTERVALS = ("1m", "3m", "5m", "15m", "30m", "1h", "4h", "6h", "8h", "12h", "1d", "1w")
PLANS = ("Hobbyist", "Startup", "Standard", "Professional", "Enterprise")
_PLAN_MINIMUM = {"Hobbyist": "4h", "Startup": "30m"}

# Plans cap requests per minute (reported in the API-KEY-MAX-LIMIT header) and SOURCES.md gives
# no numbers per plan, so calls are spaced 1 s apart: a refresh makes only a handful of calls, and
# bursts are what trip a per-minute cap on the cheapest plan. A 429 still surfaces as RateLimited.
LIMITER = http.RateLimiter(per_second=1)

SYMBOL_PATTERN = re.compile(r"^[A-Z0-9]{1,15}$")


def api_key(environ: Mapping[str, str] = os.environ) -> str:
    """The CoinGlass key from `COINGLASS_API_KEY`; NotConfigured when it is missing or blank."""
    key = (environ.get(ENV_KEY) or "").strip()
    if not key:
        raise NotConfigured(
            SOURCE,
            f"{ENV_KEY} is not set: CoinGlass API v4 needs a paid key (no free tier); set it in "
            "the environment or Streamlit secrets, or use the data pack's CoinGlass history",
        )
    return key


def plans_allowing(interval: str) -> tuple[str, ...]:
    """The plans whose interval limit admits `interval` (ValueError for an unknown interval)."""
    position = _interval_position(interval)
    return tuple(
        plan
        for plan in PLANS
        if plan not in _PLAN_MINIMUM or position >= INTERVALS.index(_PLAN_MINIMUM[plan])
    )


def validate_request(symbol: str, interval: str, limit: int, plan: str | None) -> dict[str, str]:
    """The query of a history request: coin, an interval `plan` (when given) includes, limit."""
    coin = str(symbol).strip().upper()
    if not SYMBOL_PATTERN.match(coin):
        raise ValueError(f"invalid coin symbol {symbol!r}: use letters and digits, e.g. BTC")
    allowed = plans_allowing(interval)
    if plan is not None:
        if plan not in PLANS:
            raise ValueError(f"unknown CoinGlass plan {plan!r}: one of {', '.join(PLANS)}")
        if plan not in allowed:
            raise ValueError(
                f"interval {interval} is not available on the {plan} plan "
                f"(allowed on {', '.join(allowed)})"
            )
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive integer, got {limit!r}")
    return {"symbol": coin, "interval": interval, "limit": str(limit)}


def validate_exchanges(exchanges: Sequence[str]) -> str:
    """The `exchange_list` of a liquidation request, e.g. "Binance,OKX,Bybit"."""
    if not exchanges or not all(isinstance(e, str) and e.strip() for e in exchanges):
        raise ValueError("exchanges must name at least one exchange, e.g. ('Binance', 'OKX')")
    return ",".join(e.strip() for e in exchanges)


def fetch_history(
    session: requests.Session, path: str, params: dict[str, str], *, api_key: str
) -> dict:
    """One v4 history answer as JSON; a rejected key, HTML or `code != "0"` raise SourceError."""
    if not api_key or not api_key.strip():
        raise NotConfigured(SOURCE, f"{ENV_KEY} is empty: pass the key from coinglass.api_key()")
    headers = {"CG-API-KEY": api_key.strip(), "accept": "application/json"}
    response = http.get(
        session,
        BASE_URL + path,
        source=SOURCE,
        limiter=LIMITER,
        params=params,
        headers=headers,
        expect=(200, 401),
    )
    what = _what(path, params)
    if response.status_code == 401:
        raise SourceError(SOURCE, f"{what}: the API key was rejected (HTTP 401): check {ENV_KEY}")
    http.reject_html(
        response.text, source=SOURCE, server="open-api-v4.coinglass.com", expected="JSON"
    )
    try:
        body = response.json()
    except ValueError as exc:
        raise SourceError(SOURCE, f"{what}: unreadable JSON") from exc
    if not isinstance(body, dict) or str(body.get("code")) != "0":
        message = (body.get("msg") if isinstance(body, dict) else None) or "no message"
        interval = params["interval"]
        allowed = plans_allowing(interval)
        hint = "" if len(allowed) == len(PLANS) else f" ({interval} needs {' or '.join(allowed)})"
        raise SourceError(SOURCE, f"{what}: CoinGlass says {message!r}{hint}")
    return body


def parse_history(body: dict, columns: Sequence[str], what: str) -> pd.DataFrame:
    """The `data` rows of a history answer → float64 `columns` on a UTC index "time"."""
    return http.shape_rows(
        body.get("data"),
        time_key="time",
        index_name="time",
        columns={c: c for c in columns},
        source=SOURCE,
        what=what,
    )


def get_aggregated_liquidations(
    session: requests.Session,
    symbol: str = "BTC",
    interval: str = "4h",
    *,
    api_key: str,
    limit: int = 1000,
    exchanges: Sequence[str] = DEFAULT_EXCHANGES,
    plan: str | None = None,
) -> pd.DataFrame:
    """Long and short liquidations (USD) summed over `exchanges`, one row per interval."""
    params = validate_request(symbol, interval, limit, plan)
    params["exchange_list"] = validate_exchanges(exchanges)
    body = fetch_history(session, LIQUIDATION_PATH, params, api_key=api_key)
    return parse_history(body, LIQUIDATION_COLUMNS, _what(LIQUIDATION_PATH, params))


def get_open_interest_history(
    session: requests.Session,
    symbol: str = "BTC",
    interval: str = "4h",
    *,
    api_key: str,
    limit: int = 1000,
    plan: str | None = None,
) -> pd.DataFrame:
    """Aggregated open interest OHLC (USD) over all venues CoinGlass tracks."""
    params = validate_request(symbol, interval, limit, plan)
    body = fetch_history(session, OPEN_INTEREST_PATH, params, api_key=api_key)
    return parse_history(body, OHLC_COLUMNS, _what(OPEN_INTEREST_PATH, params))


def get_funding_history(
    session: requests.Session,
    symbol: str = "BTC",
    interval: str = "4h",
    *,
    api_key: str,
    limit: int = 1000,
    plan: str | None = None,
) -> pd.DataFrame:
    """OI-weighted funding rate OHLC (percent, as CoinGlass reports it)."""
    params = validate_request(symbol, interval, limit, plan)
    body = fetch_history(session, FUNDING_PATH, params, api_key=api_key)
    return parse_history(body, OHLC_COLUMNS, _what(FUNDING_PATH, params))


def _what(path: str, params: dict[str, str]) -> str:
    return f"{params['symbol']} {params['interval']} {path}"


def _interval_position(interval: str) -> int:
    if interval not in INTERVALS:
        raise ValueError(f"interval {interval!r} is not one of {', '.join(INTERVALS)}")
    return INTERVALS.index(interval)
