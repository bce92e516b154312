"""Liquidation aggregation benchmark: one million events into 4-hour buckets.

    .venv/bin/python benchmarks/liquidations.py [--runs 5]

Synthetic events in the shape the EventStore returns (UTC timestamps over six months, three
venues, both sides); the cost depends on the shape, not the values. Target: < 1 s. Writes its
table under "## Liquidations" in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from common import publish, row, timed

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liquidity.analytics.liquidations import aggregate, window_totals

HEADING = "## Liquidations"
N = 1_000_000


def synthetic_events() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    start = pd.Timestamp("2025-05-01", tz="UTC").value
    ts = np.sort(rng.integers(start, start + 180 * 86_400 * 10**9, N))
    qty = rng.exponential(0.05, N)
    price = 100_000 + rng.normal(0, 2_000, N)
    return pd.DataFrame(
        {
            "ts": pd.to_datetime(ts, utc=True),
            "venue": rng.choice(["okx", "bybit", "binance"], N),
            "symbol": "BTC",
            "side": rng.choice(["long", "short"], N),
            "qty": qty,
            "price": price,
            "notional_usd": qty * price,
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args(argv)
    events = synthetic_events()
    now = events["ts"].max()
    buckets_s = statistics.median(timed(lambda: aggregate(events, "4h")) for _ in range(args.runs))
    venues_s = statistics.median(
        timed(lambda: aggregate(events, "4h", by_venue=True)) for _ in range(args.runs)
    )
    windows_s = statistics.median(
        timed(lambda: window_totals(events, now)) for _ in range(args.runs)
    )
    section = (
        "\n".join(
            [
                HEADING,
                "",
                f"{N:,} synthetic events over 180 days, 3 venues. Median of {args.runs} passes.",
                "",
                "| what | target | measured | pass |",
                "|---|---|---|---|",
                row("aggregate 1,000,000 events into 4-hour buckets", 1.0, buckets_s),
                row("the same, per venue", None, venues_s),
                row("window totals (1h … 7d)", None, windows_s),
            ]
        )
        + "\n"
    )
    publish(HEADING, section, not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
