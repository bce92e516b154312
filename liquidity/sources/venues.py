"""Venue liquidation messages: the normalised `Liquidation` event and one adapter per venue.

Adapters turn one raw message of a venue's liquidation feed (websocket push or REST page) into
normalised `Liquidation` events (SOURCES.md §5.3–§5.5); the REST source (`exchanges`) and the
websocket collector (`liquidity.ingest.collector`) both parse with them. The two rules that
matter most (SOURCES.md §5.10, §5.11, METHODS.md §7):

- side is the **position** that was liquidated: Binance `S` is the liquidation *order* side
  (SELL → long), Bybit `S` is the *position* side (Buy → long), OKX `posSide` is the position side
  (fallback: order `side`, sell → long);
- size is in **coin**: Binance `z`/`q` and Bybit `v` are base coin; OKX `sz` is in **contracts**
  (`qty = sz × ctVal` for USDT/USDC swaps, `qty = sz × ctVal / bkPx` for USD-margined inverse swaps
  whose `ctVal` is in USD).

Raw-feed sums are lower bounds (Binance pushes at most one order per symbol per second).

Not a source of its own (no request to validate, nothing fetched): the adapters are the parse
step the websocket collector and `exchanges.parse_okx_liquidations` share, named `parse_<venue>`
like every other source's parse step.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

VENUES = ("binance", "bybit", "okx")
SIDES = ("long", "short")

# Quotes treated as USD. Longest first so "BTCUSDC" is not read as "BTCUSD" + "C".
_QUOTES = ("USDT", "USDC")
# OKX contract values (SOURCES.md §5.11): coin per contract for linear swaps, USD for inverse swaps.
OKX_CONTRACT_VALUES: dict[str, float] = {
    "BTC-USDT-SWAP": 0.01,
    "ETH-USDT-SWAP": 0.1,
    "BTC-USD-SWAP": 100.0,
    "ETH-USD-SWAP": 10.0,
}
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


# -- the event ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Liquidation:
    """One realized liquidation, normalised across venues."""

    ts: datetime.datetime  # UTC, tz-aware, millisecond precision
    venue: str  # "binance" | "bybit" | "okx"
    symbol: str  # unified coin, e.g. "BTC"
    side: str  # which POSITION was liquidated: "long" | "short"
    qty: float  # in coin
    price: float  # USD (USDT/USDC treated as USD)
    notional_usd: float

    @property
    def ts_ms(self) -> int:
        return _to_ms(self.ts)

    @property
    def event_id(self) -> str:
        """Stable hash of (venue, symbol, ts ms, side, qty, price): identical events share it."""
        key = f"{self.venue}|{self.symbol}|{self.ts_ms}|{self.side}|{self.qty!r}|{self.price!r}"
        return hashlib.sha256(key.encode()).hexdigest()[:32]


def _to_ms(ts: datetime.datetime) -> int:
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=datetime.UTC)
    return (ts - _EPOCH) // datetime.timedelta(milliseconds=1)


def _ts(value, what: str) -> datetime.datetime:
    try:
        ms = int(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}: timestamp {value!r} is not an integer of milliseconds") from exc
    return _EPOCH + datetime.timedelta(milliseconds=ms)


def _num(value, what: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}: {value!r} is not a number") from exc
    if not math.isfinite(x) or x <= 0:
        raise ValueError(f"{what}: {value!r} is not a positive number")
    return x


def _field(item, key: str, what: str):
    if not isinstance(item, dict) or key not in item or item[key] in (None, ""):
        raise ValueError(f"{what}: missing field {key!r}")
    return item[key]


def _event(venue, symbol, ts, side, qty, price) -> Liquidation:
    return Liquidation(ts, venue, symbol, side, qty, price, qty * price)


# -- symbols -----------------------------------------------------------------------------------
def unified_symbol(venue_symbol: str) -> str | None:
    """The coin of a USD(T/C)-quoted perp: BTCUSDT, BTCUSDC, BTC-USDT-SWAP, BTC-USD-SWAP → "BTC".

    Concatenated symbols must end in USDT or USDC (a Binance delivery suffix such as `_240329` is
    dropped); dashed OKX ids accept USDT, USDC and USD. Anything else → None.
    """
    if not isinstance(venue_symbol, str) or not venue_symbol:
        return None
    s = venue_symbol.strip().upper()
    if "-" in s:
        parts = s.split("-")
        if len(parts) >= 2 and parts[0] and parts[1] in ("USDT", "USDC", "USD"):
            return parts[0] if re.fullmatch(r"[A-Z0-9]+", parts[0]) else None
        return None
    s = s.split("_", 1)[0]
    for quote in _QUOTES:
        if s.endswith(quote) and len(s) > len(quote):
            base = s[: -len(quote)]
            return base if re.fullmatch(r"[A-Z0-9]+", base) else None
    return None


# -- adapters ----------------------------------------------------------------------------------
def parse_binance(message: dict) -> list[Liquidation]:
    """Binance USDⓈ-M `forceOrder` (plain or combined `{"stream","data"}`). S=SELL → long."""
    if not isinstance(message, dict):
        return []
    data = message.get("data", message) if "stream" in message else message
    items = data if isinstance(data, list) else [data]
    out = []
    for item in items:
        if not isinstance(item, dict) or item.get("e") != "forceOrder":
            continue
        order = _field(item, "o", "binance forceOrder")
        what = "binance forceOrder"
        symbol = unified_symbol(str(_field(order, "s", what)))
        side_raw = str(_field(order, "S", what)).upper()
        if side_raw not in ("BUY", "SELL"):
            raise ValueError(f"{what}: unknown side {side_raw!r}")
        qty_raw = order.get("z") if _positive(order.get("z")) else _field(order, "q", what)
        price_raw = order.get("ap") if _positive(order.get("ap")) else _field(order, "p", what)
        qty, price = _num(qty_raw, f"{what} qty"), _num(price_raw, f"{what} price")
        ts = _ts(order.get("T", item.get("E")), what)
        if symbol is None:
            continue
        side = "long" if side_raw == "SELL" else "short"
        out.append(_event("binance", symbol, ts, side, qty, price))
    return out


def _positive(value) -> bool:
    try:
        return float(value) > 0
    except (TypeError, ValueError):
        return False


def parse_bybit(message: dict) -> list[Liquidation]:
    """Bybit v5 `allLiquidation.<SYM>`. S is the position side: Buy → long liquidated."""
    if not isinstance(message, dict):
        return []
    topic = message.get("topic")
    if not isinstance(topic, str) or not topic.startswith("allLiquidation."):
        return []
    what = "bybit allLiquidation"
    data = _field(message, "data", what)
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError(f"{what}: data is not a list")
    out = []
    for item in items:
        symbol = unified_symbol(str(_field(item, "s", what)))
        side_raw = str(_field(item, "S", what))
        if side_raw not in ("Buy", "Sell"):
            raise ValueError(f"{what}: unknown side {side_raw!r}")
        qty, price = _num(_field(item, "v", what), what), _num(_field(item, "p", what), what)
        ts = _ts(_field(item, "T", what), what)
        if symbol is None:
            continue
        out.append(
            _event("bybit", symbol, ts, "long" if side_raw == "Buy" else "short", qty, price)
        )
    return out


def parse_okx(message: dict, contract_values: dict[str, float] | None = None) -> list[Liquidation]:
    """OKX `liquidation-orders`: WS push `{"arg","data"}` or REST `{"code":"0","data"}`.

    `sz` is in contracts; `contract_values` (instId → ctVal) extends `OKX_CONTRACT_VALUES`.
    Instruments with an unknown quote or unknown ctVal are skipped (cannot be sized).
    """
    if not isinstance(message, dict):
        return []
    what = "okx liquidation-orders"
    if "arg" in message:
        arg = message.get("arg")
        if not isinstance(arg, dict) or arg.get("channel") != "liquidation-orders":
            return []
        if "event" in message or "data" not in message:  # subscribe ack / error
            return []
    elif "code" in message:
        if str(message.get("code")) != "0":
            return []
    else:
        return []
    data = message.get("data")
    if not isinstance(data, list):
        raise ValueError(f"{what}: data is not a list")
    values = {**OKX_CONTRACT_VALUES, **(contract_values or {})}
    out = []
    for inst in data:
        inst_id = str(_field(inst, "instId", what))
        details = inst.get("details")
        if not isinstance(details, list):
            raise ValueError(f"{what}: details missing or not a list")
        symbol = unified_symbol(inst_id)
        inverse = inst_id.upper().split("-")[1:2] == ["USD"]
        ct_val = values.get(inst_id)
        for d in details:
            pos = str(d.get("posSide") or "").lower() if isinstance(d, dict) else ""
            if pos in SIDES:
                side = pos
            else:
                order_side = str(_field(d, "side", what)).lower()
                if order_side not in ("buy", "sell"):
                    raise ValueError(f"{what}: unknown side {order_side!r}")
                side = "long" if order_side == "sell" else "short"
            sz = _num(_field(d, "sz", what), f"{what} sz")
            price = _num(_field(d, "bkPx", what), f"{what} bkPx")
            ts = _ts(_field(d, "ts", what), what)
            if symbol is None or ct_val is None:
                continue
            qty = sz * ct_val / price if inverse else sz * ct_val
            out.append(_event("okx", symbol, ts, side, qty, price))
    return out


ADAPTERS: dict[str, Callable[..., list[Liquidation]]] = {
    "binance": parse_binance,
    "bybit": parse_bybit,
    "okx": parse_okx,
}
