import copy
import datetime
import math
import threading

import numpy as np
import pandas as pd
import pytest

from liquidity.analytics import liquidations as lq
from liquidity.ingest.event_store import EventStore
from liquidity.sources import venues
from liquidity.sources.venues import Liquidation

UTC = datetime.UTC

# Real payloads recorded in SOURCES.md §5.3–§5.5.
BINANCE = {
    "e": "forceOrder",
    "E": 1698871323061,
    "o": {
        "s": "BTCUSDT",
        "S": "BUY",
        "o": "LIMIT",
        "f": "IOC",
        "q": "1.437",
        "p": "35100.81",
        "ap": "34959.70",
        "X": "FILLED",
        "l": "1.437",
        "z": "1.437",
        "T": 1698871323059,
    },
}
BYBIT = {
    "topic": "allLiquidation.ROSEUSDT",
    "type": "snapshot",
    "ts": 1739502303204,
    "data": [{"T": 1739502302929, "s": "ROSEUSDT", "S": "Sell", "v": "20000", "p": "0.04499"}],
}
OKX_WS = {
    "arg": {"channel": "liquidation-orders", "instType": "SWAP"},
    "data": [
        {
            "details": [
                {
                    "bkLoss": "0",
                    "bkPx": "0.007831",
                    "ccy": "",
                    "posSide": "short",
                    "side": "buy",
                    "sz": "13",
                    "ts": "1692266434010",
                }
            ],
            "instFamily": "IOST-USDT",
            "instId": "IOST-USDT-SWAP",
            "instType": "SWAP",
            "uly": "IOST-USDT",
        }
    ],
}


def okx_rest(inst_id, details):
    return {
        "code": "0",
        "msg": "",
        "data": [{"instId": inst_id, "instType": "SWAP", "totalLoss": "0", "details": details}],
    }


def ms(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- adapters ----------------------------------------------------------------------------------
def test_binance_buy_order_means_a_short_was_liquidated():
    (ev,) = venues.parse_binance(BINANCE)
    assert ev.ts == ms("2023-11-01T20:42:03.059")
    assert (ev.venue, ev.symbol, ev.side) == ("binance", "BTC", "short")
    assert (ev.qty, ev.price) == (1.437, 34959.70)
    assert ev.notional_usd == pytest.approx(50237.0889)


def test_binance_sell_is_long_and_combined_stream_and_fallbacks():
    msg = copy.deepcopy(BINANCE)
    msg["o"].update({"S": "SELL", "z": "0", "ap": "0", "q": "2", "p": "30000"})
    (ev,) = venues.parse_binance({"stream": "!forceOrder@arr", "data": msg})
    assert ev.side == "long"
    assert (ev.qty, ev.price, ev.notional_usd) == (2.0, 30000.0, 60000.0)


def test_bybit_position_side_sell_is_short_buy_is_long():
    (ev,) = venues.parse_bybit(BYBIT)
    assert ev.ts == ms("2025-02-14T03:05:02.929")
    assert (ev.venue, ev.symbol, ev.side, ev.qty, ev.price) == (
        "bybit",
        "ROSE",
        "short",
        20000.0,
        0.04499,
    )
    assert ev.notional_usd == pytest.approx(899.8)
    msg = copy.deepcopy(BYBIT)
    msg["data"][0]["S"] = "Buy"
    assert venues.parse_bybit(msg)[0].side == "long"


def test_okx_ws_contracts_to_coin_with_a_given_ct_val():
    # IOST has no built-in ctVal: skipped unless the caller supplies one.
    assert venues.parse_okx(OKX_WS) == []
    (ev,) = venues.parse_okx(OKX_WS, contract_values={"IOST-USDT-SWAP": 1000})
    assert ev.ts == ms("2023-08-17T10:00:34.010")
    assert (ev.venue, ev.symbol, ev.side, ev.qty, ev.price) == (
        "okx",
        "IOST",
        "short",
        13000.0,
        0.007831,
    )
    assert ev.notional_usd == pytest.approx(101.803)


def test_okx_rest_linear_and_inverse_sizes_and_side_fallback():
    linear = okx_rest(
        "BTC-USDT-SWAP",
        [{"side": "sell", "posSide": "long", "bkPx": "60000", "sz": "5", "ts": "1700000000000"}],
    )
    (ev,) = venues.parse_okx(linear)
    assert (ev.symbol, ev.side) == ("BTC", "long")
    assert ev.qty == pytest.approx(0.05)  # 5 contracts × 0.01 BTC
    assert ev.notional_usd == pytest.approx(3000.0)
    # Inverse: 30 contracts × 100 USD = 3000 USD = 0.05 BTC at 60000; posSide "net" → order side.
    inverse = okx_rest(
        "BTC-USD-SWAP",
        [{"side": "buy", "posSide": "net", "bkPx": "60000", "sz": "30", "ts": "1700000000000"}],
    )
    (ev,) = venues.parse_okx(inverse)
    assert (ev.symbol, ev.side) == ("BTC", "short")
    assert ev.qty == pytest.approx(0.05)
    assert ev.notional_usd == pytest.approx(3000.0)
    eth = okx_rest("ETH-USD-SWAP", [{"side": "sell", "bkPx": "2500", "sz": "50", "ts": "1"}])
    (ev,) = venues.parse_okx(eth)
    assert (ev.side, ev.qty, ev.notional_usd) == ("long", pytest.approx(0.2), pytest.approx(500))


def test_unified_symbol():
    assert venues.unified_symbol("BTCUSDT") == "BTC"
    assert venues.unified_symbol("BTCUSDC") == "BTC"
    assert venues.unified_symbol("BTC-USDT-SWAP") == "BTC"
    assert venues.unified_symbol("BTC-USD-SWAP") == "BTC"
    assert venues.unified_symbol("1000PEPEUSDT") == "1000PEPE"
    assert venues.unified_symbol("BTCEUR") is None
    assert venues.unified_symbol("BTC-EUR-SWAP") is None
    assert venues.unified_symbol("USDT") is None
    assert set(venues.ADAPTERS) == {"binance", "bybit", "okx"}


def test_unknown_quotes_are_skipped():
    msg = copy.deepcopy(BINANCE)
    msg["o"]["s"] = "BTCEUR"
    assert venues.parse_binance(msg) == []
    msg = copy.deepcopy(BYBIT)
    msg["data"][0]["s"] = "BTCEUR"
    assert venues.parse_bybit(msg) == []


@pytest.mark.parametrize(
    "adapter, message",
    [
        (venues.parse_binance, {"result": None, "id": 1}),
        (venues.parse_binance, {"stream": "btcusdt@aggTrade", "data": {"e": "aggTrade", "p": "1"}}),
        (venues.parse_binance, "pong"),
        (venues.parse_bybit, {"success": True, "ret_msg": "pong", "op": "ping"}),
        (venues.parse_bybit, {"success": True, "ret_msg": "", "op": "subscribe", "conn_id": "x"}),
        (venues.parse_bybit, {"topic": "tickers.BTCUSDT", "data": {"symbol": "BTCUSDT"}}),
        (venues.parse_okx, {"event": "subscribe", "arg": {"channel": "liquidation-orders"}}),
        (venues.parse_okx, {"event": "error", "code": "60012", "msg": "Invalid request"}),
        (venues.parse_okx, {"code": "51000", "msg": "Parameter error", "data": []}),
        (venues.parse_okx, "pong"),
    ],
)
def test_non_liquidation_messages_give_nothing(adapter, message):
    assert adapter(message) == []


def _broken():
    no_order = {"e": "forceOrder", "E": 1}
    bad_qty = copy.deepcopy(BINANCE)
    bad_qty["o"].update({"z": "abc", "q": "abc"})
    bad_side = copy.deepcopy(BINANCE)
    bad_side["o"]["S"] = "HOLD"
    no_price = copy.deepcopy(BYBIT)
    del no_price["data"][0]["p"]
    bybit_text = copy.deepcopy(BYBIT)
    bybit_text["data"] = "oops"
    okx_sz = copy.deepcopy(OKX_WS)
    okx_sz["data"][0]["details"][0]["sz"] = "x"
    okx_no_details = {"code": "0", "data": [{"instId": "BTC-USDT-SWAP"}]}
    okx_ts = okx_rest("BTC-USDT-SWAP", [{"side": "sell", "bkPx": "1", "sz": "1", "ts": "soon"}])
    return [
        (venues.parse_binance, no_order),
        (venues.parse_binance, bad_qty),
        (venues.parse_binance, bad_side),
        (venues.parse_bybit, no_price),
        (venues.parse_bybit, bybit_text),
        (venues.parse_okx, okx_sz),
        (venues.parse_okx, okx_no_details),
        (venues.parse_okx, okx_ts),
    ]


@pytest.mark.parametrize("adapter, message", _broken())
def test_malformed_liquidation_messages_raise(adapter, message):
    with pytest.raises(ValueError):
        adapter(message)


def test_event_id_is_stable_and_discriminating():
    (a,) = venues.parse_binance(BINANCE)
    (b,) = venues.parse_binance(copy.deepcopy(BINANCE))
    assert a.event_id == b.event_id and len(a.event_id) >= 16
    msg = copy.deepcopy(BINANCE)
    msg["o"]["z"] = "1.438"
    assert venues.parse_binance(msg)[0].event_id != a.event_id


# -- store -------------------------------------------------------------------------------------
def ev(ts, venue="binance", symbol="BTC", side="long", usd=100.0, price=50_000.0):
    t = pd.Timestamp(ts)
    t = (t.tz_localize("UTC") if t.tzinfo is None else t).to_pydatetime()
    qty = usd / price
    return Liquidation(t, venue, symbol, side, qty, price, qty * price)


def sample():
    return [
        ev("2025-01-01 00:30", "binance", side="long", usd=100),
        ev("2025-01-01 03:59:59.999", "bybit", side="short", usd=50),
        ev("2025-01-01 04:00", "okx", symbol="ETH", side="long", usd=10, price=2_500.0),
        ev("2025-01-01 12:15", "binance", side="short", usd=5),
    ]


def test_store_dedupes_and_reads_back(tmp_path):
    store = EventStore(tmp_path / "liq" / "events.sqlite")
    assert store.read().empty and store.counts() == {} and store.last_event() == {}
    assert store.append(sample()) == 4
    assert store.append(sample()) == 0
    assert store.append(sample()[:1] + [ev("2025-01-02", "bybit")]) == 1
    assert store.counts() == {"binance": 2, "bybit": 2, "okx": 1}
    assert store.last_event()["bybit"] == pd.Timestamp("2025-01-02", tz="UTC")
    frame = store.read()
    assert list(frame.columns) == lq.COLUMNS
    assert str(frame["ts"].dtype) == "datetime64[ns, UTC]"
    assert frame["ts"].is_monotonic_increasing
    assert frame["ts"].iloc[1] == pd.Timestamp("2025-01-01 03:59:59.999", tz="UTC")
    assert frame["notional_usd"].iloc[0] == pytest.approx(100)


def test_store_read_filters(tmp_path):
    store = EventStore(tmp_path / "events.sqlite")
    store.append(sample())
    window = store.read(start="2025-01-01 01:00", end=pd.Timestamp("2025-01-01 04:00", tz="UTC"))
    assert list(window["venue"]) == ["bybit"]  # end is exclusive
    assert list(store.read(symbols=["ETH"])["venue"]) == ["okx"]
    assert list(store.read(venues="binance")["side"]) == ["long", "short"]
    assert store.read(venues=["binance"], symbols=["ETH"]).empty
    assert len(store.read(start="2025-01-01 04:00")) == 2  # start is inclusive


def test_concurrent_reader_while_writer_appends(tmp_path):
    store = EventStore(tmp_path / "events.sqlite")
    base = pd.Timestamp("2025-01-01", tz="UTC")
    errors, seen = [], []
    done = threading.Event()

    def writer():
        try:
            for batch in range(30):
                store.append(
                    ev(base + pd.Timedelta(seconds=batch * 100 + i), usd=1 + i) for i in range(100)
                )
        except Exception as exc:  # noqa: BLE001 - surfaced through `errors`
            errors.append(exc)
        finally:
            done.set()

    def reader():
        try:
            while not done.is_set():
                seen.append(sum(store.counts().values()))
                store.read(venues=["binance"])
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert seen and seen == sorted(seen)
    assert store.counts() == {"binance": 3000}


# -- calculations ------------------------------------------------------------------------------
def events_frame():
    return pd.DataFrame([e.__dict__ for e in sample()])[lq.COLUMNS]


def test_aggregate_into_4h_buckets():
    out = lq.aggregate(events_frame(), "4h")
    expected_index = pd.DatetimeIndex(
        ["2025-01-01 00:00", "2025-01-01 04:00", "2025-01-01 08:00", "2025-01-01 12:00"], tz="UTC"
    )
    assert list(out.index) == list(expected_index)
    assert out.index.name == "bucket_start"
    assert out["long_usd"].tolist() == pytest.approx([100, 10, 0, 0])
    assert out["short_usd"].tolist() == pytest.approx([50, 0, 0, 5])
    assert out["total_usd"].tolist() == pytest.approx([150, 10, 0, 5])
    assert set(out["venue"]) == {"all"}


def test_aggregate_by_venue_fills_only_each_venues_span():
    out = lq.aggregate(events_frame(), "4h", by_venue=True)
    rows = [
        (t.hour, v, lo, sh)
        for t, v, lo, sh in zip(
            out.index, out["venue"], out["long_usd"], out["short_usd"], strict=True
        )
    ]
    assert rows == [
        (0, "binance", 100, 0),
        (0, "bybit", 0, 50),
        (4, "binance", 0, 0),
        (4, "okx", 10, 0),
        (8, "binance", 0, 0),
        (12, "binance", 0, 5),
    ]
    assert lq.aggregate(events_frame().iloc[:0]).empty


def test_window_totals():
    out = lq.window_totals(events_frame(), pd.Timestamp("2025-01-01 12:30", tz="UTC"))
    assert list(out.index) == ["1h", "4h", "12h", "24h", "7d"]
    assert out.loc[
        "1h", ["long_usd", "short_usd", "total_usd", "long_share"]
    ].tolist() == pytest.approx([0, 5, 5, 0])
    # (00:30, 12:30]: the 00:30 event is on the open edge.
    assert out.loc["12h", ["long_usd", "short_usd", "total_usd"]].tolist() == pytest.approx(
        [10, 55, 65]
    )
    assert out.loc["12h", "long_share"] == pytest.approx(10 / 65)
    assert out.loc["24h", "total_usd"] == pytest.approx(165)
    assert out.loc["24h", "long_share"] == pytest.approx(2 / 3)
    empty = lq.window_totals(events_frame(), pd.Timestamp("2024-01-01", tz="UTC"), windows=("1h",))
    assert empty.loc["1h", "total_usd"] == 0 and math.isnan(empty.loc["1h", "long_share"])


def test_venue_shares_and_largest():
    shares = lq.venue_shares(events_frame())
    assert list(shares.index) == ["binance", "bybit", "okx"]
    assert shares["total_usd"].tolist() == pytest.approx([105, 50, 10])
    assert shares["share_pct"].tolist() == pytest.approx([105 / 1.65, 50 / 1.65, 10 / 1.65])
    top = lq.largest(events_frame(), n=2)
    assert top["notional_usd"].tolist() == pytest.approx([100, 50])
    assert top["venue"].tolist() == ["binance", "bybit"]


def test_share_of_open_interest_uses_the_last_value_at_the_start_at_most_a_bucket_old():
    # Buckets (aggregate above): 00:00 $150, 04:00 $10, 08:00 $0, 12:00 $5. OI observed at
    # 20:00 the day before (10,000), 04:00 (20,000) and 05:00 (1,000,000).
    buckets = lq.aggregate(events_frame(), "4h")
    oi = pd.Series(
        [10_000.0, 20_000.0, 1_000_000.0],
        index=pd.DatetimeIndex(
            ["2024-12-31 20:00", "2025-01-01 04:00", "2025-01-01 05:00"], tz="UTC"
        ),
    )
    pct = lq.share_of_open_interest(buckets, oi, "4h")
    # 00:00: 150 / 10,000 (4 h old, still allowed) = 1.5 %; 04:00: 10 / 20,000 = 0.05 % (the
    # 05:00 value comes after the start); 08:00: 0 / 1,000,000 = 0 %; 12:00: the newest OI,
    # 05:00, is 7 h old, older than one bucket: missing. (Until issue 13 this was 0.0005 %.)
    assert pct.tolist()[:3] == pytest.approx([1.5, 0.05, 0.0])
    assert math.isnan(pct.iloc[3])
    late = lq.share_of_open_interest(buckets, oi.iloc[1:], pd.Timedelta(hours=4))
    assert math.isnan(late.iloc[0]) and late.iloc[1] == pytest.approx(0.05)
    # With daily buckets the same 05:00 value is fresh enough for 12:00: 5 / 1e6 = 0.0005 %.
    assert lq.share_of_open_interest(buckets, oi, "1D").iloc[3] == pytest.approx(0.0005)
    empty = lq.share_of_open_interest(buckets, oi.iloc[:0], "4h")
    assert empty.isna().all() and len(empty) == 4


def test_share_of_open_interest_never_divides_by_a_zero_or_negative_oi():
    buckets = lq.aggregate(events_frame(), "4h")
    oi = pd.Series(
        [0.0, -5.0], index=pd.DatetimeIndex(["2025-01-01", "2025-01-01 04:00"], tz="UTC")
    )
    assert lq.share_of_open_interest(buckets, oi, "4h").iloc[:2].isna().all()


def daily_series(values: dict[str, float]) -> pd.Series:
    return pd.Series(list(values.values()), index=pd.DatetimeIndex(list(values)), dtype="float64")


def test_weekly_totals_count_only_weeks_with_every_bucket():
    # Daily buckets, weeks Wednesday to Wednesday. 2025-01-01 is a Wednesday.
    # Week 01-01: all seven days, one of them a real zero: 1+0+3+4+5+6+7 = 26.
    # Week 01-08: 01-10 is missing: six of seven, so no total (not 10+11+13+14+15+16 = 79).
    # Week 01-15: the data end on Saturday 01-18: four of seven, no total.
    days = {f"2025-01-{d:02d}": float(d) for d in range(1, 19) if d != 10}
    days["2025-01-02"] = 0.0
    out = lq.weekly_totals(daily_series(days), "1D")
    assert list(out.index) == list(pd.DatetimeIndex(["2025-01-01", "2025-01-08", "2025-01-15"]))
    assert out.index.name == "week_start"
    assert out["total_usd"].iloc[0] == 26.0
    assert out["total_usd"].iloc[1:].isna().all()
    assert out["buckets_present"].tolist() == [7, 6, 4]
    assert out["buckets_expected"].tolist() == [7, 7, 7]
    assert out["covered"].tolist() == [True, False, False]


def test_weekly_totals_list_weeks_outside_the_data_as_not_covered():
    # Same data; asked from 2024-12-28 (a Saturday, in the week of Wed 12-25) to 2025-02-01
    # (in the week of Wed 01-29): two empty weeks after the data end, one before its start.
    days = {f"2025-01-{d:02d}": 1.0 for d in range(1, 19)}
    out = lq.weekly_totals(daily_series(days), "1D", start="2024-12-28", end="2025-02-01")
    expected = pd.DatetimeIndex(
        ["2024-12-25", "2025-01-01", "2025-01-08", "2025-01-15", "2025-01-22", "2025-01-29"]
    )
    assert list(out.index) == list(expected)
    assert out["buckets_present"].tolist() == [0, 7, 7, 4, 0, 0]
    assert out["covered"].tolist() == [False, True, True, False, False, False]
    # 7 × $1 in each whole week; the weeks without data are missing, never 0.
    assert out["total_usd"].iloc[[1, 2]].tolist() == [7.0, 7.0]
    assert out["total_usd"].iloc[[0, 3, 4, 5]].isna().all()


def test_weekly_totals_of_4h_buckets_and_other_anchors():
    # 42 four-hour buckets from Wed 2025-01-01 00:00 fill one week; 43 spill one into the next.
    index = pd.date_range("2025-01-01", periods=43, freq="4h", tz="UTC")
    out = lq.weekly_totals(pd.Series(2.0, index=index), pd.Timedelta(hours=4))
    assert out["buckets_expected"].tolist() == [42, 42]
    assert out["buckets_present"].tolist() == [42, 1]
    assert out["total_usd"].iloc[0] == 84.0 and math.isnan(out["total_usd"].iloc[1])
    assert str(out.index.tz) == "UTC"
    # Monday weeks: Mon 2024-12-30 holds Wed 01-01 … Sun 01-05 (30 buckets), Mon 01-06 the rest.
    monday = lq.weekly_totals(pd.Series(2.0, index=index), "4h", week_anchor="W-MON")
    assert list(monday.index.strftime("%Y-%m-%d")) == ["2024-12-30", "2025-01-06"]
    assert monday["buckets_present"].tolist() == [30, 13]
    assert not monday["covered"].any()


def test_weekly_totals_refuse_what_they_cannot_count():
    days = daily_series({"2025-01-01": 1.0, "2025-01-02": 1.0})
    with pytest.raises(ValueError, match="whole number"):
        lq.weekly_totals(days, "5h")
    with pytest.raises(ValueError, match="anchored week"):
        lq.weekly_totals(days, "1D", week_anchor="ME")
    # Bars starting at 01:00 instead of midnight: Wed 2025-01-01 01:00 + 41 × 4 h = Tue 21:00,
    # so all 42 fall in the week opening 2025-01-01 and it is covered ($42).
    offgrid = pd.Series(1.0, index=pd.date_range("2025-01-01 01:00", periods=42, freq="4h"))
    week = lq.weekly_totals(offgrid, "4h")
    assert week["covered"].tolist() == [True] and week["total_usd"].tolist() == [42.0]
    assert lq.weekly_totals(days.iloc[:0], "1D").empty


def test_covered_spans_and_what_they_leave_uncovered():
    # 4-hour buckets 00:00, 04:00, then 16:00 and 20:00: two runs, a hole 08:00 to 16:00.
    index = pd.DatetimeIndex(
        ["2025-01-01 00:00", "2025-01-01 04:00", "2025-01-01 16:00", "2025-01-01 20:00"], tz="UTC"
    )
    spans = lq.covered_spans(index, "4h")
    ts = pd.Timestamp
    assert spans.values.tolist() == [
        [ts("2025-01-01 00:00", tz="UTC"), ts("2025-01-01 08:00", tz="UTC")],
        [ts("2025-01-01 16:00", tz="UTC"), ts("2025-01-02 00:00", tz="UTC")],
    ]
    gaps = lq.uncovered(spans, "2024-12-31 22:00", "2025-01-02 06:00")
    assert gaps.values.tolist() == [
        [ts("2024-12-31 22:00", tz="UTC"), ts("2025-01-01 00:00", tz="UTC")],
        [ts("2025-01-01 08:00", tz="UTC"), ts("2025-01-01 16:00", tz="UTC")],
        [ts("2025-01-02 00:00", tz="UTC"), ts("2025-01-02 06:00", tz="UTC")],
    ]
    assert lq.uncovered(spans, "2025-01-01 01:00", "2025-01-01 05:00").empty
    assert lq.covered_spans(index[:0], "4h").empty
    assert len(lq.uncovered(lq.covered_spans(index[:0], "4h"), "2025-01-01", "2025-01-02")) == 1


def test_history_resampled_to_days_keeps_only_whole_days():
    # 2025-01-01: all six buckets, longs 1..6 (sum 21), shorts 1 each (6). 2025-01-02: five of
    # six (20:00 missing): not a day with fewer liquidations, a day that is missing.
    index = pd.date_range("2025-01-01", periods=11, freq="4h", tz="UTC", name="bucket_start")
    history = pd.DataFrame({"long_usd": [1.0, 2, 3, 4, 5, 6] + [10.0] * 5, "short_usd": 1.0}, index)
    history["total_usd"] = history["long_usd"] + history["short_usd"]
    daily = lq.resample_history(history, "1D")
    assert list(daily.index) == [pd.Timestamp("2025-01-01", tz="UTC")]
    assert daily.iloc[0].tolist() == [21.0, 6.0, 27.0]
    assert lq.resample_history(history, "4h") is history
    with pytest.raises(ValueError, match="whole number"):
        lq.resample_history(history, "6h")


def test_squeeze_detection_finds_one_episode():
    start = pd.Timestamp("2025-03-01", tz="UTC")
    index = pd.date_range(start, periods=12, freq="4h", name="bucket_start")
    longs = [100.0] * 12
    shorts = [100.0] * 12
    longs[6], longs[7] = 1000.0, 500.0  # longs flushed in buckets 6 and 7
    shorts[10] = 1000.0  # a short flush without a price move: not a squeeze
    buckets = pd.DataFrame({"long_usd": longs, "short_usd": shorts}, index=index)
    buckets["total_usd"] = buckets["long_usd"] + buckets["short_usd"]
    # Price observed at each bucket boundary k (k = 0..12).
    boundary = [100.0] * 7 + [95.0, 90.0] + [95.0] * 4
    price = pd.Series(boundary, index=pd.date_range(start, periods=13, freq="4h"))
    out = lq.squeezes(buckets, price, move_pct=3.0, multiple=3.0, trailing=4)
    assert len(out) == 1
    row = out.iloc[0]
    assert row["start"] == start + pd.Timedelta(hours=24)
    assert row["end"] == start + pd.Timedelta(hours=32)
    assert row["price_move_pct"] == pytest.approx(-10.0)
    assert (row["long_usd"], row["short_usd"], row["side"]) == (1500.0, 200.0, "long")
    # Bucket 8 (+5.6 %) has no flush. With multiple 6 only bucket 6 is left (1000 > 600; bucket 7's
    # trailing median is 100, and 500 < 600).
    strict = lq.squeezes(buckets, price, move_pct=3.0, multiple=6.0, trailing=4)
    assert strict[["start", "end"]].iloc[0].tolist() == [
        start + pd.Timedelta(hours=24),
        start + pd.Timedelta(hours=28),
    ]
    assert strict["price_move_pct"].iloc[0] == pytest.approx(-5.0)


def test_a_hole_in_the_history_is_not_a_run_of_zero_buckets_for_the_squeeze_median():
    # Days 0–5 have $100 of longs; days 6 and 7 are not in the data; day 8 has $250 and the price
    # falls 10 %. Read as zeros, the four days before day 8 would be 100, 100, 0, 0 (median 50,
    # and 250 > 3 × 50 would flag a squeeze); missing, the trailing window is not full: no flag.
    start = pd.Timestamp("2025-03-01", tz="UTC")
    days = [start + pd.Timedelta(days=d) for d in (0, 1, 2, 3, 4, 5, 8)]
    longs = [100.0] * 6 + [250.0]
    buckets = pd.DataFrame({"long_usd": longs, "short_usd": 0.0}, index=pd.DatetimeIndex(days))
    price = pd.Series([100.0] * 9 + [90.0], index=pd.date_range(start, periods=10, freq="1D"))
    assert lq.squeezes(buckets, price, move_pct=3.0, multiple=3.0, trailing=4, bucket="1D").empty
    # The same day with the two days present at $100: median 100, and 250 < 300: no flag
    # either; at $350 it is flagged (350 > 300), so the detector does see day 8.
    whole = buckets.reindex(pd.date_range(start, periods=9, freq="1D"), fill_value=100.0)
    whole.loc[start + pd.Timedelta(days=8), "long_usd"] = 350.0
    whole["short_usd"] = 0.0
    found = lq.squeezes(whole, price, move_pct=3.0, multiple=3.0, trailing=4, bucket="1D")
    assert found["start"].tolist() == [start + pd.Timedelta(days=8)]


def test_a_million_events_aggregate_to_the_same_total():
    # Its speed is benchmarks/liquidations.py's (< 1 s); a test only checks the arithmetic.
    rng = np.random.default_rng(0)
    n = 1_000_000
    start = pd.Timestamp("2025-01-01", tz="UTC").value
    ts = pd.to_datetime(start + rng.integers(0, 90 * 86_400_000, n) * 1_000_000, utc=True)
    events = pd.DataFrame(
        {
            "ts": ts,
            "venue": rng.choice(["binance", "bybit", "okx"], n),
            "symbol": "BTC",
            "side": rng.choice(["long", "short"], n),
            "qty": 1.0,
            "price": 1.0,
            "notional_usd": rng.uniform(1, 1e5, n),
        }
    )
    out = lq.aggregate(events, "4h")
    assert out["total_usd"].sum() == pytest.approx(events["notional_usd"].sum())
    assert len(out) == 90 * 6
