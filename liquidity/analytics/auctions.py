"""Treasury auction rows turned into cash flows: what settles when, and what matures when.

A settlement (the issue date) moves the buyers' cash into the Treasury's account; a maturity pays
it back out. Amounts: the total accepted where the auction's result is known (it includes the
Fed's own add-on, which the Fed also redeems, so the SOMA part nets out against maturities
measured the same way), else the announced offering, else unknown (NaN, never 0).

Maturity dates are `drain_calendar.maturity_dates`: as given, else a bill's exact term; notes and
bonds without a maturity date are not guessed. A security's maturing amount is the total
accepted over its original auction and every reopening (one CUSIP).
"""

from __future__ import annotations

import pandas as pd

from liquidity.analytics.drain_calendar import maturity_dates

FLOW_COLUMNS = ["date", "amount_usd", "cusip", "security_type", "security_term", "status"]


def settlements(auctions: pd.DataFrame) -> pd.DataFrame:
    """One row per auction with an issue date: date (settlement), amount_usd, and the
    security's identity (FLOW_COLUMNS)."""
    rows = auctions[auctions["issue_date"].notna()]
    amount = rows["total_accepted_usd"].where(
        rows["total_accepted_usd"].notna(), rows["offering_amt_usd"]
    )
    out = rows.assign(date=rows["issue_date"], amount_usd=amount)
    return out[FLOW_COLUMNS].sort_values("date", kind="stable", ignore_index=True)


def maturities(auctions: pd.DataFrame) -> pd.DataFrame:
    """One row per security (CUSIP) with a known maturity date: date, amount_usd (the total
    accepted over its auctions; NaN when any of them has no result), FLOW_COLUMNS."""
    frame = auctions.assign(matures=maturity_dates(auctions))
    frame = frame[frame["matures"].notna() & frame["cusip"].ne("")]
    if frame.empty:
        return pd.DataFrame(columns=FLOW_COLUMNS)
    grouped = frame.groupby("cusip", sort=False)
    out = pd.DataFrame(
        {
            "date": grouped["matures"].max(),
            # min_count = the number of auctions: one reopening without a result leaves the
            # security's maturing amount unknown, not understated.
            "amount_usd": grouped["total_accepted_usd"].agg(lambda s: s.sum(min_count=len(s))),
            "security_type": grouped["security_type"].first(),
            "security_term": grouped["security_term"].first(),
            "status": "matures",
        }
    )
    out = out.reset_index()
    return out[FLOW_COLUMNS].sort_values("date", kind="stable", ignore_index=True)
