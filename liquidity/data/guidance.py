"""Companies' own capex guidance for a fiscal year, from a small curated CSV users can extend.

`liquidity/data/guidance.csv`: company, date_stated, fiscal_year, low_usd_b, high_usd_b, basis (what
the company's capex definition includes), source_url, note. One row per statement, so revisions
show as a path. The page draws guidance only where rows exist, next to the trailing capex.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from liquidity.core.errors import ValidationError

GUIDANCE_CSV = Path(__file__).with_name("guidance.csv")
COLUMNS = (
    "company",
    "date_stated",
    "fiscal_year",
    "low_usd_b",
    "high_usd_b",
    "basis",
    "source_url",
    "note",
)


def load_guidance(path: Path = GUIDANCE_CSV, companies=None) -> pd.DataFrame:
    """Guidance rows sorted by company and date; ValidationError names a malformed row."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValidationError("guidance", f"missing column(s) {', '.join(missing)}")
    frame["date_stated"] = pd.to_datetime(frame["date_stated"], format="%Y-%m-%d", errors="coerce")
    for col in ("fiscal_year", "low_usd_b", "high_usd_b"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    bad = frame[["date_stated", "fiscal_year", "low_usd_b", "high_usd_b"]].isna().any(axis=1)
    bad |= frame["low_usd_b"] > frame["high_usd_b"]
    if bad.any():
        raise ValidationError("guidance", f"malformed row {int(bad.to_numpy().argmax()) + 2}")
    frame["fiscal_year"] = frame["fiscal_year"].astype(int)
    if companies is not None:
        frame = frame[frame["company"].isin(list(companies))]
    return frame.sort_values(["company", "date_stated"]).reset_index(drop=True)
