"""Capex benchmark: quarterizing SEC facts, and what a live SEC refresh asks of the SEC.

    .venv/bin/python benchmarks/capex.py [--runs 5]

(a) Five companies × ten fiscal years of companyfacts-shaped facts for every tracked tag, built
    here in the shape the SEC serves (10-Q three-month and year-to-date columns, 10-K years, each
    period repeated as a comparative in the next year's filings, quarter-end balances). Times
    `funding.from_sec_facts` for all five (every metric, with provenance). Target: < 200 ms.
(b) The capex page's server run time on the data pack via AppTest (cold < 2 s, warm < 300 ms).
(c) A `refresh --only sec` of the default set against a counting fake session: requests per
    company and per concept, and the request rate allowed by the limiter (SEC limit: 10/s).

Synthetic facts are used because the data pack has no raw XBRL; their shape, not their values,
decides the cost. Writes its table under "## Hyperscaler capex" in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import bench_page, check, parse_args, publish, row, timed

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


from liquidity.analytics import funding, xbrl
from liquidity.core import catalog
from liquidity.data.store import Store
from liquidity.ingest.refresh import Seams, refresh
from liquidity.sources import sec

HEADING = "## Hyperscaler capex"
YEARS = range(2016, 2026)
FLOW_TAGS = [t for tags in funding.FLOW_TAGS.values() for t in tags[:1]]
BALANCE_TAGS = [*funding.COMBINED_CASH, *funding.CASH, *funding.SECURITIES[:1]]


def _fact(start, end, value, year, form, filed, n):
    out = {
        "end": end,
        "val": value,
        "accn": f"0000000000-{year % 100:02d}-{n:06d}",
        "fy": year,
        "fp": "FY" if form == "10-K" else "Q",
        "form": form,
        "filed": filed,
    }
    return {"start": start, **out} if start else out


def company_facts() -> dict:
    """One company's companyfacts payload: every tracked tag, ten years, with comparatives."""
    tags = {}
    for t, tag in enumerate(FLOW_TAGS):
        items = []
        for year in YEARS:
            ends = [f"{year}-03-31", f"{year}-06-30", f"{year}-09-30", f"{year}-12-31"]
            q = [1e9 * (t + 1) * (1 + 0.1 * i) for i in range(4)]
            for filing in (year, year + 1):  # as filed, then as a comparative a year later
                filed = f"{filing + 1 if filing > year else year}-02-01"
                items.append(_fact(f"{year}-01-01", ends[0], q[0], filing, "10-Q", filed, 1))
                for i in (1, 2):
                    items.append(
                        _fact(ends[i - 1][:8] + "01", ends[i], q[i], filing, "10-Q", filed, 2 + i)
                    )
                    items.append(
                        _fact(
                            f"{year}-01-01", ends[i], sum(q[: i + 1]), filing, "10-Q", filed, 5 + i
                        )
                    )
                items.append(_fact(f"{year}-01-01", ends[3], sum(q), filing, "10-K", filed, 9))
        tags[tag] = {"units": {"USD": items}}
    for tag in BALANCE_TAGS:
        tags[tag] = {
            "units": {
                "USD": [
                    _fact(None, f"{year}-{m}", 5e10, year, "10-Q", f"{year + 1}-02-01", 10)
                    for year in YEARS
                    for m in ("03-31", "06-30", "09-30", "12-31")
                ]
            }
        }
    return {"cik": 1, "entityName": "Synthetic", "facts": {"us-gaap": tags}}


class CountingSession:
    """Answers every GET with the payload and notes when each request was made."""

    def __init__(self, payload):
        self.payload, self.times = payload, []

    def get(self, url, **kwargs):
        from tests.fakes import make_response

        self.times.append(time.monotonic())
        return make_response(200, self.payload)

    def busiest_second(self) -> int:
        """The most requests that fell within any one second."""
        return max(sum(1 for u in self.times if t <= u < t + 1.0) for t in self.times)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__, argv)
    payload = company_facts()
    facts = sec.parse_facts(payload, tags=funding.TRACKED_TAGS)
    tickers = list(catalog.HYPERSCALERS)

    def capex_tables():
        for ticker in tickers:
            xbrl.quarterize(facts, funding.CAPEX_TAGS.get(ticker, funding.FLOW_TAGS["capex"]))

    def every_metric():
        for ticker in tickers:
            funding.from_sec_facts(facts, ticker)

    every_metric()
    capex_s = statistics.median(timed(capex_tables) for _ in range(args.runs))
    metrics_s = statistics.median(timed(every_metric) for _ in range(args.runs))

    session = CountingSession(payload)
    with tempfile.TemporaryDirectory() as home:
        refresh(
            Store(home),
            ("sec",),
            seams=Seams(sec_session=session),
            environ={"SEC_USER_AGENT": "Bench bench@example.com"},
        )
    page = bench_page("pages/1_capex.py", args.pack, args.app_runs)
    per_company = len(session.times) / len(tickers)
    busiest = session.busiest_second()
    allowed = len(funding.TRACKED_TAGS)
    section = (
        "\n".join(
            [
                HEADING,
                "",
                f"{len(facts):,} synthetic facts per company ({len(FLOW_TAGS)} flow and "
                f"{len(BALANCE_TAGS)} balance tags, {len(YEARS)} years, each period filed twice). "
                f"Median of {args.runs} passes.",
                "",
                "| what | target | measured | pass |",
                "|---|---|---|---|",
                row(
                    "quarterly capex table, five companies × ten years, from cached facts",
                    0.2,
                    capex_s,
                ),
                row(
                    "every funding metric with provenance, five companies (memoised per filing "
                    "version)",
                    None,
                    metrics_s,
                ),
                row("capex page AppTest run on the data pack, cold", 2.0, page["cold_s"]),
                row("capex page AppTest run on the data pack, warm", 0.3, page["warm_s"]),
                check(
                    "SEC requests per company in a refresh (at most one per concept)",
                    f"≤ {allowed}",
                    f"{per_company:g}",
                    per_company <= allowed,
                ),
                check(
                    "SEC requests in the busiest second of a refresh (limiter: 8/s)",
                    "≤ 10",
                    str(busiest),
                    busiest <= 10,
                ),
            ]
        )
        + "\n"
    )
    publish(HEADING, section, not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
