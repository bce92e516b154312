"""FRED vintages: replaying from them, and what they cost (disk, requests, reading time).

    .venv/bin/python benchmarks/vintages.py [--pack PATH] [--runs 5]

(a) One weekly series with 20 years of vintages (every vintage revising the 4 weeks before),
    stored, loaded as of a date, warm (the store read once). ≤ 50 ms (issue 14).
(b) The scorecard as of a date on vintages against the same scorecard on revised data cut at
    the date, warm: the pack alone, and the pack with a store holding vintages of the nine
    VINTAGE_SERIES (each observation published the day after its date at the pack's value,
    one in ten revised the week after: shaped like FRED's, the values are the pack's).
    Within 2× (issue 14).
(c) The cost table below.

Writes its tables under "## FRED vintages" in benchmarks/RESULTS.md.

Synthetic revision histories shaped like FRED's series (values a random walk at the series'
level, seeded), each turned into the vintage frame by `fred.merge_vintages` (as a fetch stitches
its answers) and written through `Store.write` (Parquet, zstd, as a refresh writes it) and
`frames.write_csv` (as export-pack writes it):

- weekly, H.4.1-like (WALCL, WDTGAL): 20 years of Wednesdays, each published the next day, one
  vintage in ten also revising the week before;
- weekly, revised: the same, every vintage revising the previous 4 weeks;
- monthly, M2-like: 20 years, each release revising the 3 months before, and once a year a
  benchmark revision of the whole history;
- daily, RRP-like: 20 years of business days, never revised;
- weekly, NFCI-like: weekly since 1971, a vintage every week for 15 years revising all of it.

Requests: `fred.get_vintages` asks once when the answer fits FRED's 100,000 rows; a longer
history is cut (one request), needs the vintage dates (one) and is asked in pieces of at most
50,000 rows (tests/test_source_fred.py counts them on a loopback server). A refresh asks once
per series. Reading: fredapi's time to read one 100,000-row answer through the project's client,
measured here, scaled by the rows. Nothing touches the network.
"""

from __future__ import annotations

import io
import math
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from common import parse_args, publish, row, timed

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liquidity.api import load_scorecard, load_series
from liquidity.core import catalog
from liquidity.data.frames import write_csv
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.data.store import Store
from liquidity.sources import fred, http

HEADING = "## FRED vintages"
ASOF = "2025-06-30"

FRED_LIMIT = 100_000
WEEK = pd.Timedelta(days=7)


def history(dates, publish, revisions, level: float, seed: int) -> pd.DataFrame:
    """Vintage rows: each date first published at `publish[i]`, plus (date, day) revisions."""
    rng = np.random.default_rng(seed)
    first = pd.DataFrame({"date": dates, "realtime_start": publish})
    again = pd.DataFrame(revisions, columns=["date", "realtime_start"])
    rows = pd.concat([first, again], ignore_index=True)
    rows["value"] = level * (1 + rng.normal(0, 0.01, len(rows)).cumsum() / 100)
    for column in ("date", "realtime_start"):
        rows[column] = pd.to_datetime(rows[column]).astype("datetime64[us]")
    return fred.merge_vintages(rows.assign(realtime_end=pd.NaT))


def weekly(revised_weeks: int, every: int) -> pd.DataFrame:
    dates = pd.date_range("2006-08-30", periods=20 * 52, freq="7D")
    revisions = [
        (dates[i - k], dates[i] + pd.Timedelta(days=1))
        for i in range(len(dates))
        if i % every == 0
        for k in range(1, revised_weeks + 1)
        if i >= k
    ]
    return history(dates, dates + pd.Timedelta(days=1), revisions, 7e6, seed=1)


def monthly() -> pd.DataFrame:
    dates = pd.date_range("2006-09-01", periods=240, freq="MS")
    publish = dates + pd.Timedelta(days=55)
    revisions = [(dates[i - k], publish[i]) for i in range(len(dates)) for k in (1, 2, 3) if i >= k]
    benchmarks = [
        (date, publish[i] + pd.Timedelta(days=1))
        for i in range(11, len(dates), 12)
        for date in dates[: i - 3]
    ]
    return history(dates, publish, revisions + benchmarks, 2e4, seed=2)


def daily() -> pd.DataFrame:
    dates = pd.bdate_range("2006-08-31", periods=20 * 261)
    return history(dates, dates + pd.Timedelta(days=1), [], 500.0, seed=3)


def nfci_like() -> pd.DataFrame:
    dates = pd.date_range("1971-01-08", "2026-08-21", freq="7D")
    vintages = pd.date_range("2011-05-25", "2026-08-26", freq="7D")
    known = np.searchsorted(dates.to_numpy(), (vintages - pd.Timedelta(days=5)).to_numpy())
    first_seen = dict.fromkeys(dates)
    revisions = []
    for day, count in zip(vintages, known, strict=True):
        for date in dates[:count]:
            if first_seen[date] is None:
                first_seen[date] = day
            else:
                revisions.append((date, day))
    seen = [d for d in dates if first_seen[d] is not None]
    return history(seen, [first_seen[d] for d in seen], revisions, 1.0, seed=4)


@dataclass(frozen=True)
class Canned(fred.Opener):
    """An Opener answering every request with one recorded body (no socket)."""

    body: bytes = b""

    def open(self, url: str) -> io.BytesIO:
        return io.BytesIO(self.body)


def read_rate() -> float:
    """Rows a second fredapi reads through the project's client (one 100,000-row answer)."""
    rows = "".join(
        f'<observation realtime_start="20{10 + i % 15}-0{1 + i % 9}-1{i % 10}" '
        f'date="{1900 + i // 400}-01-01" value="{i}.25"/>'
        for i in range(FRED_LIMIT)
    )
    body = f'<observations count="{FRED_LIMIT}" offset="0" limit="{FRED_LIMIT}">{rows}'
    opener = Canned(limiter=http.RateLimiter(1e9), body=(body + "</observations>").encode())
    request = fred.VintageRequest("WALCL", None)
    began = time.perf_counter()
    fred.fetch_vintages(opener, request, "key")
    return FRED_LIMIT / (time.perf_counter() - began)


def requests_first_fetch(rows: int) -> str:
    if rows <= FRED_LIMIT:
        return "1"
    return f"≥ {2 + math.ceil(rows / (FRED_LIMIT // 2))}"


def from_pack(series: pd.Series, seed: int) -> pd.DataFrame:
    """Vintages of a real series: each value published the day after its date, one in ten
    revised (by 0.1%) a week later."""
    series = series.dropna()
    dates = series.index
    publish = dates + pd.Timedelta(days=1)
    revised = np.random.default_rng(seed).random(len(dates)) < 0.1
    first = pd.DataFrame({"date": dates, "realtime_start": publish, "value": series.to_numpy()})
    again = first[revised].assign(
        realtime_start=lambda f: f["realtime_start"] + WEEK, value=lambda f: f["value"] * 1.001
    )
    rows = pd.concat([first, again], ignore_index=True)
    for column in ("date", "realtime_start"):
        rows[column] = pd.to_datetime(rows[column]).astype("datetime64[us]")
    return fred.merge_vintages(rows.assign(realtime_end=pd.NaT))


def cost_table() -> list[str]:
    rate = read_rate()
    profiles = {
        "weekly, H.4.1-like (20 y)": ("WALCL", weekly(revised_weeks=1, every=10)),
        "weekly, 4 weeks revised (20 y)": ("WALCL", weekly(revised_weeks=4, every=1)),
        "monthly, M2-like (20 y)": ("M2SL", monthly()),
        "daily, RRP-like (20 y)": ("RRPONTSYD", daily()),
        "weekly, NFCI-like (15 y of vintages; not stored by refresh)": ("NFCI", nfci_like()),
    }
    lines = [
        "| history | rows | Parquet (store) | CSV (pack) | requests, first fetch | "
        "requests, refresh | fredapi reading, first fetch |",
        "|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="liquidity-vintages-") as home:
        store = Store(Path(home))
        for name, (series_id, frame) in profiles.items():
            dataset = catalog.vintages(series_id)
            entry = store.write(dataset, frame, source="synthetic")
            parquet = store._object_path(entry.sha256).stat().st_size
            csv = len(write_csv(frame, dataset).encode())
            lines.append(
                f"| {name} | {len(frame):,} | {parquet / 1e3:,.0f} kB | {csv / 1e3:,.0f} kB | "
                f"{requests_first_fetch(len(frame))} | 1 | {len(frame) / rate:,.1f} s |"
            )
    lines.append(f"\nfredapi reads {rate:,.0f} rows/s through the project's client here.")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__, argv)
    with tempfile.TemporaryDirectory(prefix="liquidity-bench-home-") as home:
        store = Store(Path(home) / "series")
        frame = weekly(revised_weeks=4, every=1)
        store.write(catalog.vintages("WALCL"), frame, source="synthetic")
        library = Library(store, None)
        load_series("WALCL", asof=ASOF, library=library)
        series_s = statistics.median(
            timed(lambda: load_series("WALCL", asof=ASOF, library=library))
            for _ in range(args.runs)
        )

        pack = DataPack(args.pack)
        cut = Library(Store(Path(home) / "cut"), pack)
        held = Library(Store(Path(home) / "vintages"), pack)
        for seed, series_id in enumerate(catalog.VINTAGE_SERIES):
            values = cut.load(catalog.fred(series_id).key)[0]["value"]
            held.store.write(catalog.vintages(series_id), from_pack(values, seed), source="bench")
        basis = load_scorecard(ASOF, library=held)["basis"]
        assert basis.str.contains("FRED vintages").any(), "the scorecard did not read vintages"
        timings = {"cut": [], "held": []}
        for lib in (cut, held):
            load_scorecard(ASOF, library=lib)
        for _ in range(args.runs):  # alternated, so the machine's noise hits both alike
            for name, lib in (("cut", cut), ("held", held)):
                timings[name].append(timed(lambda lib=lib: load_scorecard(ASOF, library=lib)))
    cut_s, held_s = (statistics.median(timings[k]) for k in ("cut", "held"))
    ratio = held_s / cut_s
    section = "\n".join(
        [
            HEADING,
            "",
            f"Median of {args.runs} passes, warm; the two scorecards alternated. As of {ASOF}.",
            "",
            "| what | target | measured | pass |",
            "|---|---|---|---|",
            row(
                f"one weekly series as of a date from 20 years of vintages ({len(frame):,} rows)",
                0.05,
                series_s,
            ),
            row("scorecard as of a date, revised data cut at the date", None, cut_s),
            row("scorecard as of a date on vintages of the nine series", None, held_s),
            f"| scorecard on vintages ÷ cut at the date | ≤ 2× | {ratio:.2f}× | "
            f"{'yes' if ratio <= 2 else '**no**'} |",
            "",
            "What vintages cost (synthetic histories shaped like FRED's, stitched by "
            "`fred.merge_vintages`, written by `Store.write` and `write_csv`):",
            "",
            *cost_table(),
        ]
    )
    publish(HEADING, section + "\n", not args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
