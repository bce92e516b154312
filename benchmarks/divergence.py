"""Asset divergence benchmark: basket arithmetic, rolling regressions and the page.

    .venv/bin/python benchmarks/divergence.py [--pack PATH] [--runs 5] [--app-runs 3]

(a) 30 tickers × 10 years of daily prices (a random walk built here: the cost depends on the
    shape, not the values): baskets, rebasing, both relative lines and drawdowns. < 150 ms.
(b) Rolling 52-week regressions with Newey-West errors on three factors for the 30 series,
    over ten years of weekly returns. < 1 s.
(c) The divergence page on the data pack via AppTest, cold and warm (warm target < 400 ms).

Writes its table under "## Asset divergence" in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from common import bench_page, parse_args, publish, row, timed

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liquidity.analytics import divergence

HEADING = "## Asset divergence"
TICKERS = [f"T{i:02d}" for i in range(30)]


def synthetic_prices() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    days = pd.bdate_range("2016-01-04", periods=2520, name="date")
    steps = rng.normal(0.0003, 0.02, (len(days), len(TICKERS)))
    return pd.DataFrame(100 * np.exp(np.cumsum(steps, axis=0)), index=days, columns=TICKERS)


def arithmetic(prices: pd.DataFrame) -> None:
    returns = divergence.daily_returns(prices)
    a = divergence.level(divergence.basket_returns(returns, TICKERS[:15]))
    b = divergence.level(divergence.basket_returns(returns, TICKERS[15:]))
    levels = pd.concat([a.rename("A"), b.rename("B"), prices], axis=1)
    base = prices.index[250]
    divergence.rebase(levels, base)
    divergence.relative(a, b, base, "ratio")
    divergence.relative(a, b, base, "spread")
    divergence.drawdown(levels)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__, argv)
    prices = synthetic_prices()
    arithmetic_s = statistics.median(timed(lambda: arithmetic(prices)) for _ in range(args.runs))

    weekly = divergence.weekly_returns(prices)
    rng = np.random.default_rng(2)
    factors = pd.DataFrame(
        rng.normal(size=(len(weekly), 3)),
        index=weekly.index,
        columns=["d_net_liquidity_b", "d_real_yield", "market"],
    )

    def rolling_all():
        for ticker in TICKERS:
            divergence.rolling_sensitivity(weekly[ticker], factors, 52)

    rolling_s = statistics.median(timed(rolling_all) for _ in range(args.runs))
    page = bench_page("pages/3_divergence.py", args.pack, args.app_runs)
    section = (
        "\n".join(
            [
                HEADING,
                "",
                f"{len(TICKERS)} synthetic tickers × {len(prices):,} trading days; "
                f"{len(weekly)} weeks for the regressions. Median of {args.runs} passes; page: "
                f"AppTest on the data pack, median of {args.app_runs} fresh processes.",
                "",
                "| what | target | measured | pass |",
                "|---|---|---|---|",
                row(
                    "baskets, rebasing, ratio and spread lines, drawdowns (30 × 10 years)",
                    0.15,
                    arithmetic_s,
                ),
                row("rolling 52-week HAC regressions, 3 factors, 30 series", 1.0, rolling_s),
                row("divergence page AppTest run, cold", None, page["cold_s"]),
                row("divergence page AppTest run, warm", 0.4, page["warm_s"]),
            ]
        )
        + "\n"
    )
    publish(HEADING, section, not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
