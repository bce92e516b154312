"""Federal Reserve balance-sheet events (QT cap changes, end of runoff, reserve-management bill
purchases) from a small curated CSV users can extend, for the forward drain calendar.

`liquidity/data/balance_sheet.csv`: announced, effective (YYYY-MM-DD; announced ≤ effective),
label, monthly_change_busd, source_url (the Federal Reserve or New York Fed statement), detail.
monthly_change_busd is the statement's monthly amount for what the label names, in $ billions per
month, signed as the effect on reserves (a redemption cap as −cap, purchases as +amount, the end
of runoff as 0); it is empty where the statement gives no number, never a guess.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from liquidity.core.calendar import DAY_PATTERN
from liquidity.core.errors import ValidationError

BALANCE_SHEET_CSV = Path(__file__).with_name("balance_sheet.csv")
COLUMNS = ("announced", "effective", "label", "monthly_change_busd", "source_url", "detail")
URL_PREFIXES = ("https://www.federalreserve.gov/", "https://www.newyorkfed.org/")


def load_balance_sheet(path: Path = BALANCE_SHEET_CSV) -> pd.DataFrame:
    """The events sorted by effective then announced date (COLUMNS; dates as Timestamps,
    monthly_change_busd float, NaN where empty). ValidationError names a malformed row."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValidationError("balance_sheet", f"missing column(s) {', '.join(missing)}")
    frame = frame[list(COLUMNS)].apply(lambda col: col.str.strip())
    for col in ("announced", "effective"):
        text = frame[col].where(frame[col].str.fullmatch(DAY_PATTERN.pattern), "")
        frame[col] = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    change = frame["monthly_change_busd"]
    frame["monthly_change_busd"] = pd.to_numeric(change, errors="coerce").astype("float64")
    problems = [
        (frame["announced"].isna(), "malformed announced date (use YYYY-MM-DD)"),
        (frame["effective"].isna(), "malformed effective date (use YYYY-MM-DD)"),
        (frame["announced"] > frame["effective"], "announced after effective"),
        (frame["label"].eq(""), "empty label"),
        (change.ne("") & frame["monthly_change_busd"].isna(), "malformed monthly_change_busd"),
        (~frame["source_url"].str.startswith(URL_PREFIXES), "source_url is not a Fed URL"),
    ]
    for bad, problem in problems:
        if bad.any():
            row = int(bad.to_numpy().argmax()) + 2  # the header is line 1
            raise ValidationError("balance_sheet", f"{problem} in row {row}")
    return frame.sort_values(["effective", "announced"], kind="stable").reset_index(drop=True)
