"""Realized liquidations: venue adapters, an append-only SQLite event store and pure calculations.

Adapters turn one raw message of a venue's liquidation feed into normalised `Liquidation` events
(SOURCES.md §5.3–§5.5). The two rules that matter most (SOURCES.md §5.10, §5.11, METHODS.md §7):

- side is the **position** that was liquidated: Binance `S` is the liquidation *order* side
  (SELL → long), Bybit `S` is the *position* side (Buy → long), OKX `posSide` is the position side
  (fallback: order `side`, sell → long);
- size is in **coin**: Binance `z`/`q` and Bybit `v` are base coin; OKX `sz` is in **contracts**
  (`qty = sz × ctVal` for USDT/USDC swaps, `qty = sz × ctVal / bkPx` for USD-margined inverse swaps
  whose `ctVal` is in USD).

Raw-feed sums are lower bounds (Binance pushes at most one order per symbol per second).

`EventStore` keeps the events in SQLite (WAL) so a collector process can append while the app reads.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

VENUES = ("binance", "bybit", "okx")
SIDES = ("long", "short")
COLUMNS = ["ts", "venue", "symbol", "side", "qty", "price", "notional_usd"]
BUCKET_COLUMNS = ["long_usd", "short_usd", "total_usd", "venue"]

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
def from_binance(message: dict) -> list[Liquidation]:
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


def from_bybit(message: dict) -> list[Liquidation]:
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


def from_okx(message: dict, contract_values: dict[str, float] | None = None) -> list[Liquidation]:
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
    "binance": from_binance,
    "bybit": from_bybit,
    "okx": from_okx,
}


# -- the store ---------------------------------------------------------------------------------
_SCHEMA = """
CREATE TABLE IF NOT EXISTS liquidations (
    event_id TEXT PRIMARY KEY,
    ts_ms INTEGER NOT NULL,        -- UTC epoch milliseconds
    venue TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,            -- liquidated position: long | short
    qty REAL NOT NULL,             -- coin
    price REAL NOT NULL,           -- USD
    notional_usd REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS liquidations_ts ON liquidations (ts_ms);
"""


def _empty_events() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})
    frame["ts"] = pd.Series(dtype="datetime64[ns, UTC]")
    for c in ("qty", "price", "notional_usd"):
        frame[c] = pd.Series(dtype="float64")
    return frame


def _utc(value) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


class EventStore:
    """Append-only liquidation events in SQLite (WAL) at `path`; a collector writes, the app reads.

    Each call opens a fresh connection (WAL, busy_timeout), so threads and processes may share it.
    """

    def __init__(self, path: Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute("PRAGMA busy_timeout=30000")
        con.execute("PRAGMA journal_mode=WAL")
        con.executescript(_SCHEMA)
        return con

    def append(self, events: Iterable[Liquidation]) -> int:
        """Insert events in one transaction, ignoring known event ids; the number of new rows."""
        rows = [
            (e.event_id, e.ts_ms, e.venue, e.symbol, e.side, e.qty, e.price, e.notional_usd)
            for e in events
        ]
        if not rows:
            return 0
        with closing(self._connect()) as con:
            before = con.total_changes
            con.execute("BEGIN IMMEDIATE")
            try:
                con.executemany(
                    "INSERT OR IGNORE INTO liquidations VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            return con.total_changes - before

    def read(self, start=None, end=None, symbols=None, venues=None) -> pd.DataFrame:
        """Events with start <= ts < end (UTC; naive times read as UTC), optionally filtered."""
        if not self.path.exists():
            return _empty_events()
        where, params = [], []
        if start is not None:
            where.append("ts_ms >= ?")
            params.append(_utc(start).value // 1_000_000)
        if end is not None:
            where.append("ts_ms < ?")
            params.append(_utc(end).value // 1_000_000)
        for column, wanted in (("symbol", symbols), ("venue", venues)):
            if wanted is not None:
                wanted = [wanted] if isinstance(wanted, str) else list(wanted)
                if not wanted:
                    return _empty_events()
                where.append(f"{column} IN ({', '.join('?' * len(wanted))})")
                params.extend(wanted)
        sql = "SELECT ts_ms, venue, symbol, side, qty, price, notional_usd FROM liquidations"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY ts_ms, event_id"
        with closing(self._connect()) as con:
            rows = con.execute(sql, params).fetchall()
        if not rows:
            return _empty_events()
        frame = pd.DataFrame(rows, columns=["ts_ms", *COLUMNS[1:]])
        ts = pd.to_datetime(frame.pop("ts_ms").to_numpy(dtype="int64"), unit="ms", utc=True)
        frame.insert(0, "ts", ts.as_unit("ns"))
        return frame.astype({"qty": "float64", "price": "float64", "notional_usd": "float64"})

    def counts(self) -> dict[str, int]:
        """Events per venue."""
        if not self.path.exists():
            return {}
        with closing(self._connect()) as con:
            rows = con.execute("SELECT venue, COUNT(*) FROM liquidations GROUP BY venue").fetchall()
        return {venue: int(n) for venue, n in rows}

    def last_event(self) -> dict[str, pd.Timestamp]:
        """Latest event time per venue (UTC)."""
        if not self.path.exists():
            return {}
        with closing(self._connect()) as con:
            rows = con.execute(
                "SELECT venue, MAX(ts_ms) FROM liquidations GROUP BY venue"
            ).fetchall()
        return {venue: pd.Timestamp(int(ms), unit="ms", tz="UTC") for venue, ms in rows}


# -- calculations (pure) -----------------------------------------------------------------------
def _ts_ns(events: pd.DataFrame) -> np.ndarray:
    ts = pd.DatetimeIndex(events["ts"])
    ts = ts.tz_localize("UTC") if ts.tz is None else ts.tz_convert("UTC")
    return ts.as_unit("ns").asi8


def _bucket_ns(bucket: str) -> int:
    try:
        # "7d" is the natural spelling of a window; pandas wants "7D".
        return int(pd.Timedelta(re.sub(r"(?<=\d)d$", "D", str(bucket).strip())).value)
    except ValueError as exc:
        raise ValueError(f"bucket {bucket!r} is not a fixed duration such as '1h' or '4h'") from exc


def _side_usd(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    notional = events["notional_usd"].to_numpy(dtype="float64")
    is_long = (events["side"] == "long").to_numpy()
    is_short = (events["side"] == "short").to_numpy()
    return np.where(is_long, notional, 0.0), np.where(is_short, notional, 0.0)


def _empty_buckets() -> pd.DataFrame:
    index = pd.DatetimeIndex([], tz="UTC", name="bucket_start").as_unit("ns")
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in BUCKET_COLUMNS[:3]}, index=index)
    frame["venue"] = pd.Series(dtype="object")
    return frame


def _bucketed(starts: np.ndarray, long_usd, short_usd, width: int, venue: str) -> pd.DataFrame:
    """Sum per bucket start (int ns), zero-filled from the first to the last bucket."""
    first = starts.min()
    pos = (starts - first) // width
    n = int(pos.max()) + 1
    longs = np.bincount(pos, weights=long_usd, minlength=n)
    shorts = np.bincount(pos, weights=short_usd, minlength=n)
    index = pd.DatetimeIndex(first + np.arange(n, dtype="int64") * width, name="bucket_start")
    index = index.tz_localize("UTC")
    frame = pd.DataFrame(
        {"long_usd": longs, "short_usd": shorts, "total_usd": longs + shorts}, index=index
    )
    frame["venue"] = venue
    return frame


def aggregate(events: pd.DataFrame, bucket: str = "4h", by_venue: bool = False) -> pd.DataFrame:
    """Long/short/total USD per UTC bucket (buckets aligned to the epoch: 00:00, 04:00, … for 4h).

    Empty buckets inside the covered span (first to last event; per venue when `by_venue`) are 0;
    nothing is invented outside it. Without `by_venue`, `venue` is "all".
    """
    width = _bucket_ns(bucket)
    if events is None or len(events) == 0:
        out = _empty_buckets()
        out.attrs["bucket"] = bucket
        return out
    ts = _ts_ns(events)
    starts = ts - np.mod(ts, width)
    long_usd, short_usd = _side_usd(events)
    if not by_venue:
        out = _bucketed(starts, long_usd, short_usd, width, "all")
    else:
        venues = events["venue"].to_numpy()
        parts = []
        for venue in sorted(pd.unique(venues)):
            mask = venues == venue
            parts.append(_bucketed(starts[mask], long_usd[mask], short_usd[mask], width, venue))
        out = pd.concat(parts)
        order = np.lexsort((out["venue"].to_numpy(), out.index.asi8))
        out = out.iloc[order]
    out.attrs["bucket"] = bucket
    return out


def window_totals(
    events: pd.DataFrame,
    now: pd.Timestamp,
    windows=("1h", "4h", "12h", "24h", "7d"),
) -> pd.DataFrame:
    """Totals over trailing windows (now − w, now].

    long_share = long_usd / total_usd as a fraction in [0, 1] (NaN when the total is 0).
    """
    now_ns = _utc(now).as_unit("ns").value
    if events is None or len(events) == 0:
        ts = np.array([], dtype="int64")
        long_usd = short_usd = np.array([], dtype="float64")
    else:
        ts = _ts_ns(events)
        long_usd, short_usd = _side_usd(events)
    rows = []
    for window in windows:
        inside = (ts > now_ns - _bucket_ns(window)) & (ts <= now_ns)
        lo, sh = float(long_usd[inside].sum()), float(short_usd[inside].sum())
        total = lo + sh
        rows.append((window, lo, sh, total, lo / total if total > 0 else float("nan")))
    frame = pd.DataFrame(
        rows, columns=["window", "long_usd", "short_usd", "total_usd", "long_share"]
    )
    return frame.set_index("window")


def venue_shares(events: pd.DataFrame) -> pd.DataFrame:
    """Per venue: total_usd and share_pct of the grand total (percent), largest first."""
    if events is None or len(events) == 0:
        return pd.DataFrame(
            {"total_usd": pd.Series(dtype="float64"), "share_pct": pd.Series(dtype="float64")},
            index=pd.Index([], name="venue", dtype="object"),
        )
    totals = events.groupby("venue")["notional_usd"].sum().astype("float64")
    grand = totals.sum()
    shares = totals / grand * 100 if grand > 0 else totals * np.nan
    frame = pd.DataFrame({"total_usd": totals, "share_pct": shares})
    frame.index.name = "venue"
    return frame.sort_values("total_usd", ascending=False, kind="stable")


def largest(events: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The `n` largest events by USD notional, largest first."""
    if events is None or len(events) == 0:
        return _empty_events()
    return events.nlargest(n, "notional_usd").reset_index(drop=True)


def _utc_index(index) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(index)
    return (idx.tz_localize("UTC") if idx.tz is None else idx.tz_convert("UTC")).as_unit("ns")


def _asof(series: pd.Series, at: pd.DatetimeIndex) -> np.ndarray:
    """Last known value of `series` at or before each time in `at` (NaN before the first)."""
    s = series.dropna()
    s = pd.Series(s.to_numpy(dtype="float64"), index=_utc_index(s.index)).sort_index()
    pos = np.searchsorted(s.index.asi8, at.asi8, side="right") - 1
    values = s.to_numpy()
    return np.where(pos >= 0, values[np.clip(pos, 0, None)] if len(values) else np.nan, np.nan)


def share_of_open_interest(buckets: pd.DataFrame, open_interest_usd: pd.Series) -> pd.Series:
    """Bucket total_usd as a percent of USD open interest (last value known at the bucket start)."""
    index = _utc_index(buckets.index)
    oi = _asof(open_interest_usd, index)
    oi = np.where(oi > 0, oi, np.nan)
    pct = buckets["total_usd"].to_numpy(dtype="float64") / oi * 100
    return pd.Series(pct, index=buckets.index, name="pct_of_oi")


def _width_ns(buckets: pd.DataFrame, index: pd.DatetimeIndex) -> int:
    if "bucket" in buckets.attrs:
        return _bucket_ns(buckets.attrs["bucket"])
    diffs = np.diff(index.asi8)
    diffs = diffs[diffs > 0]
    if diffs.size == 0:
        raise ValueError("cannot infer the bucket width: pass buckets from aggregate()")
    return int(diffs.min())


def squeezes(
    buckets: pd.DataFrame,
    price: pd.Series,
    move_pct: float = 3.0,
    multiple: float = 3.0,
    trailing: int = 42,
) -> pd.DataFrame:
    """Liquidation squeezes: buckets with a large price move AND outsized long or short flushes.

    A bucket is flagged when |price(end) / price(start) − 1| > move_pct % (price = last observation
    at or before each bucket boundary) and its long (or short) USD is positive and exceeds
    `multiple` × the median of the previous `trailing` buckets (the current one excluded; a full
    window is required). Consecutive flagged buckets merge into one episode from the first bucket's
    start to the last bucket's end. `side` is "long" (longs flushed), "short" or "both".
    By-venue buckets are summed across venues first.
    """
    columns = ["start", "end", "price_move_pct", "long_usd", "short_usd", "side"]
    if len(buckets) == 0:
        return pd.DataFrame(columns=columns)
    frame = buckets[["long_usd", "short_usd"]].groupby(level=0).sum().sort_index()
    index = _utc_index(frame.index)
    width = _width_ns(buckets, index)
    full = pd.DatetimeIndex(np.arange(index.asi8[0], index.asi8[-1] + 1, width)).tz_localize("UTC")
    frame = frame.set_axis(index).reindex(full, fill_value=0.0)
    ends = full + pd.Timedelta(width, unit="ns")
    p0, p1 = _asof(price, full), _asof(price, ends)
    move = (p1 / p0 - 1) * 100
    big_move = np.abs(np.nan_to_num(move, nan=0.0)) > move_pct
    flags = {}
    for side in ("long", "short"):
        usd = frame[f"{side}_usd"]
        median = usd.shift(1).rolling(trailing, min_periods=trailing).median()
        flags[side] = ((usd > 0) & (usd > multiple * median)).to_numpy()
    flagged = big_move & (flags["long"] | flags["short"])
    episodes = []
    i, n = 0, len(flagged)
    while i < n:
        if not flagged[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and flagged[j + 1]:
            j += 1
        long_hit, short_hit = flags["long"][i : j + 1].any(), flags["short"][i : j + 1].any()
        side = "both" if long_hit and short_hit else ("long" if long_hit else "short")
        episodes.append(
            (
                full[i],
                ends[j],
                float((p1[j] / p0[i] - 1) * 100),
                float(frame["long_usd"].iloc[i : j + 1].sum()),
                float(frame["short_usd"].iloc[i : j + 1].sum()),
                side,
            )
        )
        i = j + 1
    return pd.DataFrame(episodes, columns=columns)
