"""Our Liquidity balance page against a naive one that reads the CSVs and recomputes every run.

    .venv/bin/python benchmarks/naive_liquidity.py [--pack PATH] [--app-runs 3] [--no-write]

The naive page (benchmarks/naive/liquidity_page.py) is built the way common peer dashboards are:
`pandas.read_csv` of every input on every run, no caching. (It has a folder of its own because
Streamlit puts a script's folder on sys.path, where benchmarks/liquidity.py would shadow the
package.) It uses the app's own calculations and
figures with the real page's default filters, and this script first checks that both pages send
the same charts (every trace and layout equal), so the comparison is between data paths, not
between different pages. Both run in AppTest on the data pack with an empty store, each
measurement in fresh processes (median of --app-runs): cold = the first run in a new process,
warm = a rerun of the same session (a filter change that hits the cache), new session = the first
run of a second session in the same process (another visitor on a running server).

Writes its table under "## Naive liquidity page" in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from common import REPO, bench_page, check, ms, parse_args, publish

HEADING = "## Naive liquidity page"
OURS = "pages/2_liquidity.py"
NAIVE = "benchmarks/naive/liquidity_page.py"
RUNS = (("cold", "cold_s"), ("warm rerun", "warm_s"), ("new session", "session_s"))


def chart_specs(script: str) -> list[dict]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / script), default_timeout=120)
    at.run()
    if at.exception or at.error:
        raise SystemExit(f"{script} failed: {[e.value for e in [*at.exception, *at.error]]}")
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def same_charts(pack_root: Path) -> tuple[int, int]:
    """(charts equal in data and layout, charts on our page), both pages at their defaults."""
    with tempfile.TemporaryDirectory(prefix="liquidity-bench-home-") as home:
        os.environ.update(LIQUIDITY_DATA_PACK=str(pack_root), LIQUIDITY_HOME=home)
        ours, naive = chart_specs(OURS), chart_specs(NAIVE)
    equal = sum(a == b for a, b in zip(ours, naive, strict=False))
    return (equal if len(ours) == len(naive) else 0), len(ours)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__, argv)
    sys.path.insert(0, str(REPO))
    equal, charts = same_charts(args.pack)
    ours = bench_page(OURS, args.pack, args.app_runs)
    naive = bench_page(NAIVE, args.pack, args.app_runs)
    lines = [
        HEADING,
        "",
        f"Pack `{args.pack}`, empty store, the page's default filters. AppTest, median of "
        f"{args.app_runs} fresh processes. Naive = `{NAIVE}`: the same calculations and figures, "
        "but every CSV read with pandas and everything recomputed on every run, no caching; it "
        "leaves out the menu, status strip, tiles, captions and table, so it does less per run.",
        "",
        "| what | target | measured | pass |",
        "|---|---|---|---|",
        check(
            "naive page draws the same charts as ours (data and layout)",
            "all equal",
            f"{equal} of {charts}",
            equal == charts > 0,
        ),
    ]
    for label, key in RUNS:
        ratio = naive[key] / ours[key]
        lines.append(
            f"| liquidity page, {label}: ours vs naive (naive ÷ ours) | – | "
            f"{ms(ours[key])} vs {ms(naive[key])} ({ratio:.1f}×) | – |"
        )
    publish(HEADING, "\n".join(lines) + "\n", not args.no_write)
    return 0 if equal == charts > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
