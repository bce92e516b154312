"""Liquidation arithmetic (pure): buckets, trailing windows, venue shares, share of open
interest, squeeze episodes, the CoinGlass history resampled to longer buckets, and coverage: the
spans a bucket series covers and its weekly totals with the weeks it covers whole.

Events are the normalised frame of `COLUMNS` (one row per liquidation, `ts` in UTC, side = the
position liquidated, notional in USD); feed sums are lower bounds (Binance pushes at most one
order per symbol per second). A bucket absent from a history is missing, never zero.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

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


def _bucket_ns(bucket: str | pd.Timedelta) -> int:
    if isinstance(bucket, pd.Timedelta):
        return int(bucket.value)
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


def share_of_open_interest(
    buckets: pd.DataFrame, open_interest_usd: pd.Series, bucket: str | pd.Timedelta
) -> pd.Series:
    """Bucket total_usd as a percent of the USD open interest at the bucket's start.

    `open_interest_usd` is indexed by the moment each value was observed (for CoinGlass OHLC
    bars: the close, at the bar's end). The OI of a bucket is the last observation at or before
    its start and at most one `bucket` width older than it; without one the share is NaN, so a
    stale or missing OI never passes for the OI the liquidations hit.
    """
    width = _bucket_ns(bucket)
    starts = _utc_index(buckets.index)
    oi = open_interest_usd.dropna()
    oi = pd.Series(oi.to_numpy(dtype="float64"), index=_utc_index(oi.index)).sort_index()
    pos = np.searchsorted(oi.index.asi8, starts.asi8, side="right") - 1
    found = pos >= 0
    safe = np.clip(pos, 0, None)
    if len(oi):
        fresh = found & (starts.asi8 - oi.index.asi8[safe] <= width)
        value = np.where(fresh, oi.to_numpy()[safe], np.nan)
    else:
        value = np.full(len(starts), np.nan)
    value = np.where(value > 0, value, np.nan)
    pct = buckets["total_usd"].to_numpy(dtype="float64") / value * 100
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
    By-venue buckets are summed across venues first; a bucket absent between the first and the
    last is missing (not zero), so no median spans it. `bucket` is the buckets' width ("4h",
    "1D"); without it the smallest step between bucket starts is taken.
    """
    columns = ["start", "end", "price_move_pct", "long_usd", "short_usd", "side"]
    if len(buckets) == 0:
        return pd.DataFrame(columns=columns)
    frame = buckets[["long_usd", "short_usd"]].groupby(level=0).sum().sort_index()
    index = _utc_index(frame.index)
    width = _width_ns(bucket, index)
    full = pd.DatetimeIndex(np.arange(index.asi8[0], index.asi8[-1] + 1, width)).tz_localize("UTC")
    # A bucket absent from the history is missing: NaN keeps it out of any trailing median
    # and, the window being required full, keeps the next `trailing` buckets from a verdict.
    frame = frame.set_axis(index).reindex(full)
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
    """4-hour CoinGlass buckets summed into longer UTC buckets ("4h" returns them as they are).

    A longer bucket is kept only when every 4-hour bucket in it is present: a day the history
    starts, stops or has a hole in would read as a calm day.
    """
    if bucket == HISTORY_BUCKET:
        return history
    needed, rest = divmod(_bucket_ns(bucket), _bucket_ns(HISTORY_BUCKET))
    if needed < 1 or rest:
        raise ValueError(f"bucket {bucket!r} is not a whole number of {HISTORY_BUCKET} buckets")
    bins = history.resample(bucket, label="left", closed="left")
    out = bins.sum(min_count=1)
    whole = bins["total_usd"].count() == needed
    return out[whole]


def covered_spans(index, bucket: str | pd.Timedelta) -> pd.DataFrame:
    """Runs of consecutive bucket starts in `index`: one row per run, `start` (first bucket's
    start) and `end` (last bucket's end), both UTC."""
    width = _bucket_ns(bucket)
    starts = np.unique(_utc_index(index).asi8)
    if starts.size == 0:
        empty = pd.DatetimeIndex([], tz="UTC").as_unit("ns")
        return pd.DataFrame({"start": empty, "end": empty})
    breaks = np.flatnonzero(np.diff(starts) != width) + 1
    first = starts[np.r_[0, breaks]]
    last = starts[np.r_[breaks - 1, starts.size - 1]] + width
    return pd.DataFrame(
        {
            "start": pd.DatetimeIndex(first).tz_localize("UTC"),
            "end": pd.DatetimeIndex(last).tz_localize("UTC"),
        }
    )


def uncovered(spans: pd.DataFrame, start, end) -> pd.DataFrame:
    """The stretches of [start, end) that `spans` (from `covered_spans`) do not cover."""
    lo, hi = utc(start).as_unit("ns"), utc(end).as_unit("ns")
    rows, cursor = [], lo
    for s, e in zip(spans["start"], spans["end"], strict=True):
        if e <= cursor or s >= hi:
            continue
        if s > cursor:
            rows.append((cursor, s))
        cursor = max(cursor, e)
    if cursor < hi:
        rows.append((cursor, hi))
    frame = pd.DataFrame(rows, columns=["start", "end"])
    return frame.astype({"start": "datetime64[ns, UTC]", "end": "datetime64[ns, UTC]"})


def _week_opening(times: pd.DatetimeIndex, weekday: int) -> pd.DatetimeIndex:
    day = times.normalize()
    return day - pd.to_timedelta((day.day_of_week - weekday) % 7, unit="D")


def _like(ts, tz) -> pd.Timestamp:
    ts = pd.Timestamp(ts)
    return ts.tz_convert(tz) if ts.tzinfo is not None else ts.tz_localize(tz)


def weekly_totals(
    buckets_total_usd: pd.Series,
    bucket: str | pd.Timedelta,
    week_anchor: str = "W-WED",
    start=None,
    end=None,
) -> pd.DataFrame:
    """Liquidations per week with the buckets behind each total.

    Weeks run from 00:00 on the anchor day ("W-WED": Wednesday to Wednesday) and are labelled
    by that opening day (index `week_start`, in the input's time zone or naive like it).
    `buckets_total_usd` holds USD per bucket start (NaN or absent = not in the data; a real zero
    is a value). Columns: buckets_present, buckets_expected (7 days ÷ `bucket`), covered (every
    bucket present) and total_usd, NaN unless covered: a week the data start, stop or have a
    hole in is not a quiet week. Reported weeks run from the one holding `start` to the one
    holding `end` (default: the first and the last bucket), so a week before or after the data
    is listed as not covered rather than left out.
    """
    width = pd.Timedelta(_bucket_ns(bucket), unit="ns")
    week = pd.Timedelta(days=7)
    if width <= pd.Timedelta(0) or week % width:
        raise ValueError(f"a week is not a whole number of {bucket!r} buckets")
    anchor = to_offset(week_anchor)
    if not isinstance(anchor, pd.offsets.Week) or anchor.weekday is None:
        raise ValueError(f"week_anchor {week_anchor!r} is not an anchored week such as 'W-WED'")
    present = buckets_total_usd.dropna().astype("float64")
    if not present.index.is_unique:
        raise ValueError("one value per bucket start expected: the index has duplicates")
    index = pd.DatetimeIndex(present.index)
    # A bucket counts in the week its start falls in. Buckets off the week's grid (a source
    # that starts its bars at 05:20) still count: a page must not fail on a feed's alignment.
    opening = _week_opening(index, anchor.weekday)
    first = index.min() if start is None else _like(start, index.tz)
    last = index.max() if end is None else _like(end, index.tz)
    if pd.isna(first) or pd.isna(last):
        weeks = pd.DatetimeIndex([], tz=index.tz)
    else:
        bounds = _week_opening(pd.DatetimeIndex([first, last]), anchor.weekday)
        weeks = pd.date_range(bounds[0], bounds[1], freq="7D")
    weeks = weeks.rename("week_start")
    grouped = present.groupby(opening)
    expected = int(week / width)
    count = grouped.count().reindex(weeks, fill_value=0)  # true zero: a week with no buckets
    covered = count == expected
    return pd.DataFrame(
        {
            "total_usd": grouped.sum().reindex(weeks).where(covered).astype("float64"),
            "buckets_present": count.astype("int64"),
            "buckets_expected": expected,
            "covered": covered.astype(bool),
        },
        index=weeks,
    )


def check_symbol(symbol: str) -> str:
    symbol = symbol.strip().upper()
    if symbol not in SYMBOLS:
        raise DataNotAvailable(
            f"no liquidation history for {symbol!r}; choose from {', '.join(SYMBOLS)}"
        )
    return symbol
