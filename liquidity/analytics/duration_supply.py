"""Duration supply against reserves, per calendar quarter, in $ billions.

The thesis's channel: the Treasury's net borrowing and the hyperscalers' new debt are absorbed
by the private sector, and the cash that buys them leaves the pool (reserves, net liquidity).
Per quarter:

- treasury_settled_b: cash raised at auction settlements (total accepted where the result is
  known, else the offering), with `treasury_unsized` the settlements and maturities of unknown
  size;
- treasury_matured_b: securities repaid at maturity that the auction data know of;
- treasury_net_b: settled − matured, shown only where the data give both for the whole quarter:
  the auctions reach back far enough that no security maturing in the quarter predates them
  (MAX_TERM, the 30-year bond), the quarter lies inside the auction data's span, and every
  settlement is sized. Otherwise it is missing and `treasury_note` says why;
- hyperscaler_b: XBRL's debt issued summed over the companies that report the quarter
  (`companies`, with `hyperscalers` the number asked for); missing unless every one does;
- supply_b = treasury_net_b + hyperscaler_b (missing if either is);
- d_reserves_b, d_net_liquidity_b: the change from the last Wednesday of the quarter before to
  the last Wednesday of this one (WRESBAL, Wednesday net liquidity).

What is included: marketable securities sold at auction (bills, notes, bonds, TIPS, FRNs, cash
management bills), at settlement. Not included: buybacks, non-marketable debt (savings bonds,
state and local series), and the Fed's own rollover add-ons where only the offering is known.
"""

from __future__ import annotations

import pandas as pd

from liquidity.core import units

MAX_TERM = pd.DateOffset(years=30)  # the longest marketable security outstanding
COLUMNS = [
    "treasury_settled_b",
    "treasury_unsized",
    "treasury_matured_b",
    "treasury_net_b",
    "treasury_note",
    "hyperscaler_b",
    "companies",
    "hyperscalers",
    "supply_b",
    "d_reserves_b",
    "d_net_liquidity_b",
]


def quarterly(
    settlements: pd.DataFrame,
    maturities: pd.DataFrame,
    *,
    auctions_from: pd.Timestamp | None,
    auctions_to: pd.Timestamp | None,
    debt_issued: pd.DataFrame,
    reserves_m: pd.Series,
    net_liquidity_b: pd.Series,
) -> pd.DataFrame:
    """Per quarter (COLUMNS).

    `settlements` and `maturities` have columns date and amount_usd (NaN when unknown);
    `auctions_from`/`auctions_to` are the first and last auction dates of the data;
    `debt_issued` is quarter × ticker in USD (NaN where a company did not report);
    `reserves_m` is WRESBAL by Wednesday ($ millions); `net_liquidity_b` by Wednesday.
    """
    settled = _by_quarter(settlements)
    matured = _by_quarter(maturities)
    issued = debt_issued.copy()
    issued.index = pd.PeriodIndex(issued.index, freq="Q")
    quarters = settled.index.union(matured.index).union(issued.index)
    quarters = quarters.union(_quarter_ends(reserves_m).index)
    if quarters.empty:
        return pd.DataFrame(columns=COLUMNS, index=pd.PeriodIndex([], freq="Q", name="quarter"))
    quarters = pd.period_range(quarters.min(), quarters.max(), freq="Q", name="quarter")
    out = pd.DataFrame(index=quarters)
    out["treasury_settled_b"] = settled["sum_b"].reindex(quarters)
    unsized = settled["unsized"].reindex(quarters).fillna(0) + matured["unsized"].reindex(
        quarters
    ).fillna(0)
    out["treasury_unsized"] = unsized.astype(int)
    out["treasury_matured_b"] = matured["sum_b"].reindex(quarters)
    notes = [_treasury_note(q, out.loc[q], auctions_from, auctions_to) for q in quarters]
    out["treasury_note"] = notes
    # A quarter in which no known security matures repays nothing: a true zero, since the
    # note above already requires the data to hold every security that could mature in it.
    repaid = out["treasury_matured_b"].where(_has_maturities(matured, quarters), 0.0)  # true zero
    net = out["treasury_settled_b"] - repaid
    out["treasury_net_b"] = net.where([note == "" for note in notes])
    issued = issued.reindex(quarters)
    out["hyperscaler_b"] = units.convert(issued.sum(axis=1, min_count=1), "USD", "USD_B")
    out["companies"] = issued.notna().sum(axis=1).astype(int)
    out["hyperscalers"] = issued.shape[1]
    out.loc[out["companies"] < out["hyperscalers"], "hyperscaler_b"] = float("nan")
    out["supply_b"] = out["treasury_net_b"] + out["hyperscaler_b"]
    reserves = units.convert(_quarter_ends(reserves_m), "USD_M", "USD_B")
    out["d_reserves_b"] = reserves.diff().reindex(quarters)
    out["d_net_liquidity_b"] = _quarter_ends(net_liquidity_b).diff().reindex(quarters)
    return out[COLUMNS]


def _has_maturities(matured: pd.DataFrame, quarters: pd.PeriodIndex) -> pd.Series:
    """Whether any security of the data matures in each quarter."""
    return pd.Series(quarters.isin(matured.index), index=quarters)


def _by_quarter(flows: pd.DataFrame) -> pd.DataFrame:
    if flows is None or flows.empty:
        return pd.DataFrame(columns=["sum_b", "unsized"], index=pd.PeriodIndex([], freq="Q"))
    quarter = pd.PeriodIndex(flows["date"], freq="Q")
    grouped = flows.assign(unsized=flows["amount_usd"].isna()).groupby(quarter)
    return pd.DataFrame(
        {
            "sum_b": units.convert(grouped["amount_usd"].sum(min_count=1), "USD", "USD_B"),
            "unsized": grouped["unsized"].sum(),
        }
    )


def _treasury_note(quarter, row, auctions_from, auctions_to) -> str:
    """Why the quarter's net Treasury cash raised is not known ("" when it is)."""
    if auctions_from is None or auctions_to is None:
        return "no auction data"
    start, end = quarter.start_time, quarter.end_time.normalize()
    if start < auctions_from or end > auctions_to:
        return (
            f"the auction data cover {auctions_from:%Y-%m-%d} → {auctions_to:%Y-%m-%d}, "
            "not the whole quarter"
        )
    if auctions_from > start - MAX_TERM:
        return (
            f"maturities of securities issued before {auctions_from:%Y-%m-%d} are not in the "
            "data (a 30-year bond maturing now was auctioned 30 years ago)"
        )
    if row["treasury_unsized"]:
        return f"{int(row['treasury_unsized'])} settlements or maturities of unknown size"
    return ""


def _quarter_ends(weekly: pd.Series) -> pd.Series:
    """The last observation of each calendar quarter."""
    values = weekly.dropna()
    if values.empty:
        return pd.Series(dtype="float64", index=pd.PeriodIndex([], freq="Q"))
    return values.groupby(pd.PeriodIndex(values.index, freq="Q")).last()
