"""The supply channel: the drain calendar and the AI-debt ledger (warm), and what a full
FiscalData refresh of the auctions costs in requests.

    .venv/bin/python benchmarks/supply.py [--pack PATH] [--runs 5]

(a) `load_drain_calendar` for 8 weeks from 2026-09-01 on the pack (auctions, TGA, curated Fed
    events), warm (memoised per version of its inputs, as a running server serves it), and
    the calculation itself again with the pack's files already read. ≤ 200 ms (issue 15).
(b) `load_debt_ledger` + `load_debt_reconciliation` for the five hyperscalers, warm, on the pack
    plus a store holding filings shaped like EDGAR's (40 a year per company for ten years,
    principal parsed on four in five; synthetic, since the pack has no filings index). ≤ 200 ms.
(c) A full refresh of auctions through `fiscaldata.get_auctions` and `get_upcoming` against an
    in-process server that pages like FiscalData (`page[size]` 10,000, meta total-count and
    total-pages), with as many rows as the Treasury held: the pack's 2026 density (auctions
    April–September × 2 per year) for every year since 2015, and since 1995 (what a first
    refresh asks for, so maturities of 30-year bonds are known). The requests are counted and
    the time they need at the source's limiter (4 per second) is stated.

Writes its table under "## Supply channel" in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import requests
from common import check, parse_args, publish, row, timed

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liquidity.api import (
    compute_drain_calendar,
    load_debt_ledger,
    load_debt_reconciliation,
    load_drain_calendar,
)
from liquidity.core import catalog
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.data.store import Store
from liquidity.sources import fiscaldata

HEADING = "## Supply channel"
ASOF = "2026-09-01"


def synthetic_filings(ticker: str, seed: int) -> pd.DataFrame:
    """Ten years of EDGAR-shaped debt filings for one company (values are made up)."""
    rng = np.random.default_rng(seed)
    filed = pd.to_datetime(
        np.sort(rng.choice(pd.date_range("2016-01-01", "2025-12-31").to_numpy(), 400))
    )
    principal = rng.choice([0.5e9, 1e9, 1.5e9, 2e9, 3e9], len(filed))
    principal[rng.random(len(filed)) < 0.2] = np.nan
    forms = rng.choice(["424B2", "424B5", "8-K"], len(filed))
    return pd.DataFrame(
        {
            "accn": [f"{seed:010d}-{i:02d}-{i:06d}" for i in range(len(filed))],
            "form": forms,
            "filed": filed.astype("datetime64[us]"),
            "report_date": pd.NaT,
            "items": ["2.03,9.01" if f == "8-K" else "" for f in forms],
            "document": "doc.htm",
            "url": "https://www.sec.gov/Archives/edgar/data/1/x/doc.htm",
            "principal_usd": principal,
            "settlement_date": (filed + pd.Timedelta(days=3)).astype("datetime64[us]"),
            "parse_note": ["" if p == p else "amount not parsed: synthetic" for p in principal],
        }
    )


class PagingServer(requests.Session):
    """Answers FiscalData's auctions queries from `rows`, paged as the API pages."""

    def __init__(self, rows: list[dict]):
        super().__init__()
        self.rows, self.requests = rows, 0

    def get(self, url, params=None, **_):
        self.requests += 1
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()} | dict(params or {})
        size, number = int(query["page[size]"]), int(query["page[number]"])
        data = self.rows[(number - 1) * size : number * size]
        pages = max(1, -(-len(self.rows) // size))
        body = {
            "data": data,
            "meta": {"count": len(data), "total-count": len(self.rows), "total-pages": pages},
        }
        response = requests.Response()
        response.status_code, response._content = 200, json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        response.url = url
        return response


def auction_rows(years: int, per_year: int) -> list[dict]:
    start = dt.date(2026 - years, 1, 1)
    days = [
        start + dt.timedelta(days=int(d)) for d in np.linspace(0, 365 * years, years * per_year)
    ]
    return [
        {
            "record_date": d.isoformat(),
            "cusip": f"9127{i:05d}",
            "security_type": "Bill",
            "security_term": "13-Week",
            "auction_date": d.isoformat(),
            "issue_date": (d + dt.timedelta(days=3)).isoformat(),
            "maturity_date": (d + dt.timedelta(days=94)).isoformat(),
            "offering_amt": "80000000000",
            "total_accepted": "84000000000",
            "announcemt_date": (d - dt.timedelta(days=4)).isoformat(),
        }
        for i, d in enumerate(days)
    ]


def refresh_requests(rows: list[dict]) -> tuple[int, float]:
    """(requests, seconds) of one auctions refresh through the source's own limiter."""
    server, upcoming = PagingServer(rows), PagingServer([])

    def fetch():
        frame, made = fiscaldata.get_auctions(server, dt.date(1995, 1, 1))
        assert len(frame) == len(rows) and made == server.requests
        fiscaldata.get_upcoming(upcoming)

    seconds = timed(fetch)
    return server.requests + upcoming.requests, seconds


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__, argv)
    pack = DataPack(args.pack)
    with tempfile.TemporaryDirectory(prefix="liquidity-bench-home-") as home:
        library = Library(Store(Path(home) / "pack"), pack)
        load_drain_calendar(ASOF, 8, library=library)
        calendar_s = statistics.median(
            timed(lambda: load_drain_calendar(ASOF, 8, library=library)) for _ in range(args.runs)
        )
        asof = pd.Timestamp(ASOF)
        compute_s = statistics.median(
            timed(lambda: compute_drain_calendar(asof, 8, library)) for _ in range(args.runs)
        )
        held = Library(Store(Path(home) / "filings"), pack)
        for seed, ticker in enumerate(catalog.HYPERSCALERS):
            held.store.write(
                catalog.filings(ticker), synthetic_filings(ticker, seed), source="bench"
            )

        def ledger():
            load_debt_ledger(None, library=held)
            load_debt_reconciliation(None, library=held)

        ledger()
        ledger_s = statistics.median(timed(ledger) for _ in range(args.runs))
        filings = len(load_debt_ledger(None, library=held)[0])

    auctions = pack.read(catalog.get(catalog.AUCTIONS))
    dense = auctions["auction_date"].between("2026-04-01", "2026-09-30").sum()
    per_year = int(2 * dense)
    since_2015, took_2015 = refresh_requests(auction_rows(12, per_year))
    since_1995, took_1995 = refresh_requests(auction_rows(32, per_year))
    rate = fiscaldata.LIMITER.per_second
    section = "\n".join(
        [
            HEADING,
            "",
            f"Median of {args.runs} passes, warm. Calendar as of {ASOF}, 8 weeks, on the pack; "
            f"ledger over {filings:,} synthetic EDGAR-shaped filings (five companies, ten years) "
            "with the pack's XBRL facts.",
            "",
            "| what | target | measured | pass |",
            "|---|---|---|---|",
            row("drain calendar, 8 weeks, warm (memoised per input version)", 0.2, calendar_s),
            row("drain calendar, 8 weeks, computed again (inputs in memory)", 0.2, compute_s),
            row("AI-debt ledger + reconciliation, five companies, warm", 0.2, ledger_s),
            check(
                f"full auctions refresh since 2015 ({12 * per_year:,} rows at {per_year}/year)"
                " + upcoming",
                f"within the limiter ({rate:g}/s)",
                f"{since_2015} requests in {took_2015:.2f} s",
                since_2015 <= 10,
            ),
            check(
                f"first refresh since 1995 ({32 * per_year:,} rows) + upcoming",
                f"within the limiter ({rate:g}/s)",
                f"{since_1995} requests in {took_1995:.2f} s",
                since_1995 <= 10,
            ),
            "",
            f"Rows per year: twice the pack's auctions with auction dates 2026-04 → 2026-09 "
            f"({dense}); the Treasury held fewer auctions a year before the 6-, 8- and 17-week "
            "bills began, so the counts are an upper bound.",
        ]
    )
    publish(HEADING, section, not args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
