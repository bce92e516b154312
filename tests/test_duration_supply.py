"""Treasury auction flows and duration supply per quarter, on hand-built auctions; every
expected number is added up by hand in the comment beside it."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from liquidity.analytics import auctions, duration_supply
from liquidity.core.catalog import AUCTION_COLUMNS

T = pd.Timestamp


def auction(auction_date, issue, type_, term, cusip, offering, accepted=None, maturity=None):
    row = dict.fromkeys(AUCTION_COLUMNS)
    row.update(
        auction_date=T(auction_date),
        issue_date=T(issue),
        maturity_date=T(maturity) if maturity else pd.NaT,
        announcement_date=pd.NaT,
        security_type=type_,
        security_term=term,
        cusip=cusip,
        offering_amt_usd=float(offering) if offering is not None else float("nan"),
        total_accepted_usd=float(accepted) if accepted is not None else float("nan"),
        status="auctioned" if accepted is not None else "announced",
        source="hand-built",
    )
    return row


AUCTIONS = pd.DataFrame(
    [
        # A 4-week bill issued Tue 2026-04-07 matures 28 days later, Tue 2026-05-05.
        auction("2026-04-02", "2026-04-07", "Bill", "4-Week", "B1", 80e9, 82e9),
        # A 26-week bill and its 13-week reopening: one CUSIP, one maturity (2026-10-01), the
        # amounts add up: 70 + 75 = 145 $B.
        auction("2026-03-30", "2026-04-02", "Bill", "26-Week", "B2", 68e9, 70e9),
        auction("2026-06-29", "2026-07-02", "Bill", "13-Week", "B2", 74e9, 75e9),
        # A note with its maturity date given.
        auction("2026-04-27", "2026-04-30", "Note", "2-Year", "N1", 69e9, 69.5e9, "2028-04-30"),
        # A note without a maturity date: not guessed.
        auction("2026-05-12", "2026-05-15", "Note", "10-Year", "N2", 42e9, 42.1e9),
        # Announced, not yet auctioned: the offering stands in for the amount.
        auction("2026-06-30", "2026-07-07", "Bill", "6-Week", "B3", 90e9),
    ]
)


def test_settlements_use_the_result_where_known_else_the_offering():
    flows = auctions.settlements(AUCTIONS).set_index("cusip")
    assert flows.loc["N1", "amount_usd"] == 69.5e9
    assert flows.loc["B3", "amount_usd"] == 90e9  # announced: the offering
    assert flows.loc["N2", "date"] == T("2026-05-15")


def test_maturities_by_exact_bill_terms_and_given_dates_only():
    flows = auctions.maturities(AUCTIONS).set_index("cusip")
    assert flows.loc["B1", "date"] == T("2026-05-05")
    # B2: issued 2026-04-02 for 26 weeks → 2026-10-01; the reopening (2026-07-02 + 13 weeks =
    # 2026-10-01) matures the same day, and the amounts sum: 70 + 75 = 145 $B.
    assert flows.loc["B2", "date"] == T("2026-10-01")
    assert flows.loc["B2", "amount_usd"] == pytest.approx(145e9)
    assert flows.loc["N1", "date"] == T("2028-04-30")
    assert "N2" not in flows.index  # a note without a maturity date is not guessed
    # B3 (6 weeks from 2026-07-07 = 2026-08-18) has no result yet: its amount is unknown.
    assert flows.loc["B3", "date"] == T("2026-08-18")
    assert math.isnan(flows.loc["B3", "amount_usd"])


def quarterly(**overrides):
    arguments = dict(
        settlements=auctions.settlements(AUCTIONS),
        maturities=auctions.maturities(AUCTIONS),
        auctions_from=T("1990-01-02"),
        auctions_to=T("2026-12-31"),
        debt_issued=pd.DataFrame(
            {"AMZN": [10e9, 15e9], "META": [0.0, 30e9]},
            index=pd.PeriodIndex(["2026Q2", "2026Q3"], freq="Q"),
        ),
        reserves_m=pd.Series(
            [3_000_000.0, 2_950_000.0, 2_900_000.0],
            index=pd.to_datetime(["2026-03-25", "2026-06-24", "2026-09-30"]),
        ),
        net_liquidity_b=pd.Series(
            [5_800.0, 5_750.0, 5_760.0],
            index=pd.to_datetime(["2026-03-25", "2026-06-24", "2026-09-30"]),
        ),
    )
    arguments.update(overrides)
    return duration_supply.quarterly(**arguments)


def test_quarterly_supply_worked_by_hand():
    table = quarterly()
    q2, q3 = table.loc[pd.Period("2026Q2", "Q")], table.loc[pd.Period("2026Q3", "Q")]
    # 2026Q2 settlements: B1 82 + B2 70 + N1 69.5 + N2 42.1 = 263.6 $B; maturities: B1 82.
    assert q2["treasury_settled_b"] == pytest.approx(263.6)
    assert q2["treasury_matured_b"] == pytest.approx(82.0)
    assert q2["treasury_net_b"] == pytest.approx(181.6)
    # Hyperscalers 10 + 0 = 10 $B; supply 191.6; reserves 2,950 − 3,000 = −50 $B.
    assert q2["hyperscaler_b"] == pytest.approx(10.0)
    assert q2["supply_b"] == pytest.approx(191.6)
    assert q2["d_reserves_b"] == pytest.approx(-50.0)
    assert q2["d_net_liquidity_b"] == pytest.approx(-50.0)
    # 2026Q3: settlements B2 75 + B3 90 (offering) = 165; maturities: B3 unknown (NaN) → the
    # sum of known ones is empty (NaN, not 0), and the net is not shown.
    assert q3["treasury_settled_b"] == pytest.approx(165.0)
    assert math.isnan(q3["treasury_matured_b"])


def test_the_net_is_missing_where_the_data_cannot_give_both_sides():
    table = quarterly(auctions_from=T("2025-12-18"), auctions_to=T("2026-09-30"))
    q2 = table.loc[pd.Period("2026Q2", "Q")]
    assert math.isnan(q2["treasury_net_b"]) and math.isnan(q2["supply_b"])
    assert "maturities of securities issued before 2025-12-18" in q2["treasury_note"]
    q4 = quarterly(auctions_to=T("2026-11-30")).loc[pd.Period("2026Q4", "Q")]
    assert "not the whole quarter" in q4["treasury_note"]


def test_hyperscaler_debt_needs_every_company():
    debt = pd.DataFrame(
        {"AMZN": [10e9], "META": [float("nan")]}, index=pd.PeriodIndex(["2026Q2"], freq="Q")
    )
    row = quarterly(debt_issued=debt).loc[pd.Period("2026Q2", "Q")]
    assert row["companies"] == 1 and row["hyperscalers"] == 2
    assert math.isnan(row["hyperscaler_b"]) and math.isnan(row["supply_b"])


def test_an_unsized_maturity_leaves_the_net_missing():
    row = quarterly().loc[pd.Period("2026Q3", "Q")]
    assert row["treasury_unsized"] == 1
    assert math.isnan(row["treasury_net_b"])
    assert row["treasury_note"] == "1 settlements or maturities of unknown size"


def test_a_quarter_where_nothing_matures_repays_zero():
    # 2026Q1 has no settlement and no maturity of the data: nothing settled is NaN, not 0.
    q1 = quarterly().loc[pd.Period("2026Q1", "Q")]
    assert math.isnan(q1["treasury_settled_b"]) and math.isnan(q1["treasury_net_b"])
