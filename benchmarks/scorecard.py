"""Thesis scorecard benchmark on the data pack.

    .venv/bin/python benchmarks/scorecard.py [--pack PATH] [--runs 5] [--app-runs 3]

(a) The scorecard with its intervals (block bootstrap, HAC) and sparklines at the latest H.4.1,
    warm (the pack read once). ≤ 1 s (issue 13; 500 ms before the intervals).
(b) Its history: 24 month-ends, every curated event and the as-of date, warm. ≤ 5 s.
(c) The placebo: every claim at the 12 quarter-ends of 2017–2019, warm. – (measured)
(d) The Overview (scorecard, tiles and chart) via AppTest in fresh processes, cold. < 2.5 s.

Writes its table under "## Scorecard" in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from common import bench_page, parse_args, publish, row, timed

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liquidity.api import load_scorecard_history, load_scorecard_placebo, load_scorecard_trends
from liquidity.data.events import load_events
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.data.store import Store

HEADING = "## Scorecard"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__, argv)
    with tempfile.TemporaryDirectory(prefix="liquidity-bench-home-") as home:
        library = Library(Store(Path(home)), DataPack(args.pack))
        # What the Overview's cards call: the verdicts and each card's sparkline.
        first_s = timed(lambda: load_scorecard_trends(library=library))
        warm_s = statistics.median(
            timed(lambda: load_scorecard_trends(library=library)) for _ in range(args.runs)
        )
        extra = tuple(load_events()["date"])
        history_s = statistics.median(
            timed(lambda: load_scorecard_history(library=library, extra=extra))
            for _ in range(args.runs)
        )
        placebo_s = statistics.median(
            timed(lambda: load_scorecard_placebo(library=library)) for _ in range(args.runs)
        )
    page = bench_page("app.py", args.pack, args.app_runs)
    section = (
        "\n".join(
            [
                HEADING,
                "",
                f"Data pack `{args.pack}`, empty store. Median of {args.runs} passes; Overview: "
                f"AppTest, median of {args.app_runs} fresh processes (the history expander "
                "closed, as a visitor first sees it).",
                "",
                "| what | target | measured | pass |",
                "|---|---|---|---|",
                row("scorecard + sparklines, first call (reads the pack)", None, first_s),
                row("scorecard + intervals + sparklines at the latest H.4.1, warm", 1.0, warm_s),
                row(
                    f"scorecard history: 24 month-ends + {len(extra)} events + as-of, warm",
                    5.0,
                    history_s,
                ),
                row(
                    "placebo: every claim at the 12 quarter-ends of 2017–2019, warm",
                    None,
                    placebo_s,
                ),
                row("Overview AppTest run, cold", 2.5, page["cold_s"]),
                row("Overview AppTest run, warm", 0.3, page["warm_s"]),
            ]
        )
        + "\n"
    )
    publish(HEADING, section, not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
