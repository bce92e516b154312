"""FRED's keyed API (ALFRED) as a responder for tests/loopback.py's server, and vintage frames
written by hand.

`Alfred(rows)` serves one revision history, given as (observation date, first day, last day or
None while current, value) rows, the way FRED's XML API does (the answers fredapi reads):

- `series/observations` without `realtime_start`: each date's current value (the latest values);
- with `realtime_start` and `realtime_end`: every row whose realtime period meets the window,
  clipped to it (FRED reports realtime periods inside the window asked for), sorted by date then
  realtime_start; like FRED, at most `cap` rows (its limit, 100,000), the root element saying how
  many there are (count) and the most it sends (limit);
- `series/vintagedates`: the distinct first days, oldest first.

`base(series_id)` is added to every value, so one history serves every series at a level its
magnitude checks accept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from liquidity.core.catalog import VINTAGE_COLUMNS
from tests.loopback import Answer, Seen, ok

Row = tuple[str, str, str | None, float]
OPEN_END = "9999-12-31"
FRED_LIMIT = 100_000  # rows per series/observations answer


@dataclass
class Alfred:
    rows: list[Row]
    cap: int | None = None
    base: Callable[[str], float] = lambda series_id: 0.0

    def __call__(self, seen: Seen) -> Answer:
        if seen.url.endswith("/series/vintagedates"):
            days = sorted({first for _, first, _, _ in self.rows})
            tags = "".join(f"<vintage_date>{day}</vintage_date>" for day in days)
            return ok(f"<vintage_dates>{tags}</vintage_dates>", "text/xml")
        offset = self.base(seen.query["series_id"])
        if "realtime_start" not in seen.query:
            current = [(date, value) for date, _, last, value in self.rows if last is None]
            tags = [f'date="{date}" value="{value + offset}"' for date, value in current]
        else:
            tags = [
                f'realtime_start="{first}" realtime_end="{last}" date="{date}" '
                f'value="{value + offset}"'
                for date, first, last, value in self.window(seen)
            ]
        limit = self.cap or FRED_LIMIT
        body = "".join(f"<observation {tag}/>" for tag in tags[:limit])
        root = f'<observations count="{len(tags)}" offset="0" limit="{limit}">'
        return ok(f"{root}{body}</observations>", "text/xml")

    def window(self, seen: Seen) -> list[Row]:
        """Every row meeting a window request, clipped to it and sorted (before the limit)."""
        start, end = seen.query["realtime_start"], seen.query["realtime_end"]
        rows = []
        for date, first, last, value in self.rows:
            last = last or OPEN_END
            if first <= end and last >= start:  # ISO dates compare as text
                rows.append((date, max(first, start), min(last, end), value))
        return sorted(rows)


def vintage_frame(rows: list[Row]) -> pd.DataFrame:
    """The vintage frame of hand-written rows (date, realtime_start, realtime_end or None,
    value), in the dtypes the source and the store use."""
    frame = pd.DataFrame(rows, columns=list(VINTAGE_COLUMNS))
    for column in ("date", "realtime_start", "realtime_end"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    frame["value"] = frame["value"].astype("float64")
    return frame
