"""Liquidation arithmetic (pure): buckets, trailing windows, venue shares, share of open
interest, squeeze episodes, and the CoinGlass history resampled to longer buckets.

Events are the normalised frame of `COLUMNS` (one row per liquidation, `ts` in UTC, side = the
position liquidated, notional in USD); feed sums are lower bounds (Binance pushes at most one
order per symbol per second).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from liquidity.core import catalog
from liquidity.core.calendar import utc
from liquidity.core.errors import DataNotAvailable

COLUMNS = ["ts", "venue", "symbol", "side", "qty", "price", "notional_usd"]
BUCKET_COLUMNS = ["long_usd", "short_usd", "total_usd", "venue"]
SYMBOLS = catalog.COIN_SYMBOLS
# CoinGlass API v4 endpoints the data pack and a keyed refresh hold, per coin.
AGGREGATED = "liquidation_aggregated_coin_history"
OPEN_INTEREST = "openInterest_ohlc_aggregated_history"
FUNDING = "fundingRate_oi_weight_ohlc_history"
EXCHANGES = "liquidation_exchange_list"
PRICE_TICKERS = {"BTC": "BTC-USD", "ETH": "ETH-USD"}
HISTORY_BUCKET = "4h"  # CoinGlass aggregated history: one row per 4-hour UTC bucket


def empty_events() -> pd.DataFrame:
    """The events frame with no rows, in its dtypes."""
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})
    frame["ts"] = pd.Series(dtype="datetime64[ns, UTC]")
    for c in ("qty", "price", "notional_usd"):
        frame[c] = pd.Series(dtype="float64")
    return frame


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
        return _empty_buckets()
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
    return out


def window_totals(
    events: pd.DataFrame,
    now: pd.Timestamp,
    windows=("1h", "4h", "12h", "24h", "7d"),
) -> pd.DataFrame:
    """Totals over trailing windows (now − w, now].

    long_share = long_usd / total_usd as a fraction in [0, 1] (NaN when the total is 0).
    """
    now_ns = utc(now).as_unit("ns").value
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
        return empty_events()
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


def _width_ns(bucket: str | None, index: pd.DatetimeIndex) -> int:
    if bucket is not None:
        return _bucket_ns(bucket)
    diffs = np.diff(index.asi8)
    diffs = diffs[diffs > 0]
    if diffs.size == 0:
        raise ValueError("cannot infer the bucket width from one bucket: pass `bucket`")
    return int(diffs.min())


def squeezes(
    buckets: pd.DataFrame,
    price: pd.Series,
    move_pct: float = 3.0,
    multiple: float = 3.0,
    trailing: int = 42,
    bucket: str | None = None,
) -> pd.DataFrame:
    """Liquidation squeezes: buckets with a large price move AND outsized long or short flushes.

    A bucket is flagged when |price(end) / price(start) − 1| > move_pct % (price = last observation
    at or before each bucket boundary) and its long (or short) USD is positive and exceeds
    `multiple` × the median of the previous `trailing` buckets (the current one excluded; a full
    window is required). Consecutive flagged buckets merge into one episode from the first bucket's
    start to the last bucket's end. `side` is "long" (longs flushed), "short" or "both".
    By-venue buckets are summed across venues first. `bucket` is the buckets' width ("4h",
    "1D"); without it the smallest step between bucket starts is taken.
    """
    columns = ["start", "end", "price_move_pct", "long_usd", "short_usd", "side"]
    if len(buckets) == 0:
        return pd.DataFrame(columns=columns)
    frame = buckets[["long_usd", "short_usd"]].groupby(level=0).sum().sort_index()
    index = _utc_index(frame.index)
    width = _width_ns(bucket, index)
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


def resample_history(history: pd.DataFrame, bucket: str) -> pd.DataFrame:
    """4-hour CoinGlass buckets summed into longer UTC buckets ("4h" returns them as they are)."""
    if bucket == HISTORY_BUCKET:
        return history
    out = history.resample(bucket, label="left", closed="left").sum(min_count=1)
    return out.dropna(how="all")


def check_symbol(symbol: str) -> str:
    symbol = symbol.strip().upper()
    if symbol not in SYMBOLS:
        raise DataNotAvailable(
            f"no liquidation history for {symbol!r}; choose from {', '.join(SYMBOLS)}"
        )
    return symbol
