"""Liquidity balance benchmark: the page's calculations, its run time and its Plotly payload.

    .venv/bin/python benchmarks/liquidity.py [--pack PATH] [--runs 5] [--app-runs 3]

(a) Every series the page computes, for the full history, from a warm data pack (parsed files
    memoised): all four net-liquidity variants, weekly flows, the price of money, the ledger and
    the drain gauge. Target: under 100 ms together (median of --runs passes).
(b) The page's server-side run time via AppTest, cold and warm (targets < 2 s and < 300 ms).
(c) The page's Plotly payload with the date range set to the full history: the JSON of every
    chart it sends. Target: under 1.5 MB.

Writes its table under "## Liquidity balance" in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
from pathlib import Path

from common import bench_page, check, parse_args, publish, row, timed

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liquidity import DataPack, Library
from liquidity.analytics.net_liquidity import VARIANTS, weekly_flows
from liquidity.api import load_drain_gauge, load_ledger, load_net_liquidity, load_price_of_money

HEADING = "## Liquidity balance"
PAGE = "pages/2_liquidity.py"


def compute_all(library: Library) -> None:
    for variant in VARIANTS:
        weekly_flows(load_net_liquidity(variant=variant, library=library))
    load_price_of_money(library=library)
    load_ledger(library=library)
    load_drain_gauge(library=library)


def payload_bytes(pack_root: Path) -> int:
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory(prefix="liquidity-bench-home-") as home:
        os.environ.update(LIQUIDITY_DATA_PACK=str(pack_root), LIQUIDITY_HOME=home)
        at = AppTest.from_file(str(REPO / PAGE), default_timeout=120)
        at.query_params["range"] = ["2003-01-01", dt.date.today().isoformat()]
        at.run()
        if at.exception or at.error:
            raise SystemExit(f"{PAGE} failed: {[e.value for e in [*at.exception, *at.error]]}")
        return sum(len(c.proto.spec) for c in at.get("plotly_chart"))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__, argv)
    pack_root = args.pack

    library = Library(None, DataPack(pack_root))
    compute_all(library)  # parse the pack once: the memo is what "warm" means here
    compute_s = statistics.median(timed(lambda: compute_all(library)) for _ in range(args.runs))
    page = bench_page(PAGE, pack_root, args.app_runs)
    payload = payload_bytes(pack_root)

    section = (
        "\n".join(
            [
                HEADING,
                "",
                f"Pack `{pack_root}`. Calculations: median of {args.runs} passes on a warm pack. "
                f"Page: AppTest, median of {args.app_runs} fresh processes. Payload: every chart's "
                "JSON with the range set to 2003 → today.",
                "",
                "| what | target | measured | pass |",
                "|---|---|---|---|",
                row(
                    "all page series, full history (4 variants, flows, money, ledger, gauge)",
                    0.1,
                    compute_s,
                ),
                row("Liquidity balance page AppTest run, cold", 2.0, page["cold_s"]),
                row("Liquidity balance page AppTest run, warm", 0.3, page["warm_s"]),
                check(
                    "Plotly payload, full history",
                    "< 1.5 MB",
                    f"{payload / 1e6:.2f} MB",
                    payload < 1.5e6,
                ),
            ]
        )
        + "\n"
    )
    publish(HEADING, section, not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
