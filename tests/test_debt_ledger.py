"""The AI-debt ledger on hand-built filings: which filings count, and the reconciliation with
XBRL's quarterly totals. Every expected number is added up by hand in the comment beside it."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from liquidity.analytics import debt_ledger
from liquidity.core.catalog import FILING_COLUMNS

NAT = pd.NaT


def filing(ticker, accn, form, filed, principal=None, settled=None, note=""):
    row = dict.fromkeys(FILING_COLUMNS, "")
    row.update(
        ticker=ticker,
        accn=accn,
        form=form,
        filed=pd.Timestamp(filed),
        report_date=NAT,
        items="2.03,9.01" if form.startswith("8-K") else "",
        url=f"https://www.sec.gov/Archives/edgar/data/1/{accn}/doc.htm",
        principal_usd=float("nan") if principal is None else float(principal),
        settlement_date=pd.Timestamp(settled) if settled else NAT,
        parse_note=note,
    )
    return row


FILINGS = pd.DataFrame(
    [
        # META: a $30B deal; its preliminary and final supplements state the same principal,
        # and the closing 8-K item 2.03 follows five days later.
        filing("META", "m-1", "424B5", "2025-10-30", 30e9, "2025-11-03"),
        filing("META", "m-2", "424B2", "2025-10-31", 30e9, "2025-11-03"),
        filing("META", "m-3", "8-K", "2025-11-04", 30e9),
        # ORCL: an 8-K item 2.03 on its own (a term loan): counted.
        filing("ORCL", "o-1", "8-K", "2025-09-25", 18e9),
        # ORCL: a supplement whose cover could not be read: listed, not counted, not zero.
        filing("ORCL", "o-2", "424B2", "2025-12-08", None, note="amount not parsed: no cover"),
        # GOOGL: two different deals in one quarter.
        filing("GOOGL", "g-1", "424B2", "2025-11-03", 17.5e9, "2025-11-06"),
        filing("GOOGL", "g-2", "424B2", "2025-12-15", 7.5e9),
    ]
)


def test_one_deal_is_counted_once_and_unparsed_filings_stay_listed():
    ledger = debt_ledger.ledger(FILINGS).set_index("accn")
    assert list(ledger.columns) == [c for c in debt_ledger.LEDGER_COLUMNS if c != "accn"]
    counted = ledger.index[ledger["counted"]].tolist()
    assert sorted(counted) == ["g-1", "g-2", "m-1", "o-1"]
    assert ledger.loc["m-2", "note"] == "same deal as m-1"
    assert ledger.loc["m-3", "note"] == "same deal as m-1"
    assert math.isnan(ledger.loc["o-2", "principal_b"])
    assert ledger.loc["o-2", "note"] == "amount not parsed: no cover"
    # The settlement date decides the quarter and week; without one, the filing date does.
    assert ledger.loc["m-1", "settled"] == pd.Timestamp("2025-11-03")
    assert ledger.loc["m-1", "week"] == pd.Timestamp("2025-11-03")  # a Monday
    assert ledger.loc["g-2", "settled"] == pd.Timestamp("2025-12-15")
    assert str(ledger.loc["o-1", "quarter"]) == "2025Q3"


def test_quarterly_totals_by_company():
    quarters = debt_ledger.quarterly(debt_ledger.ledger(FILINGS)).set_index(["quarter", "ticker"])
    q4 = pd.Period("2025Q4", "Q")
    # GOOGL: 17.5 + 7.5 = 25.0 $B from two filings; META: 30 $B counted once out of 3 filings.
    assert quarters.loc[(q4, "GOOGL"), "raised_b"] == pytest.approx(25.0)
    assert quarters.loc[(q4, "META"), ["filings", "unparsed"]].tolist() == [3, 0]
    assert quarters.loc[(q4, "META"), "raised_b"] == pytest.approx(30.0)
    # ORCL 2025Q4 has only the unparsed supplement: no sum (NaN), one unparsed filing.
    assert math.isnan(quarters.loc[(q4, "ORCL"), "raised_b"])
    assert quarters.loc[(q4, "ORCL"), "unparsed"] == 1


def test_weekly_totals():
    weeks = debt_ledger.weekly(debt_ledger.ledger(FILINGS)).set_index(["week", "ticker"])
    # GOOGL g-1 settles Thu 2025-11-06: the week of Mon 2025-11-03, 17.5 $B.
    assert weeks.loc[(pd.Timestamp("2025-11-03"), "GOOGL"), "raised_b"] == pytest.approx(17.5)


def quarters_table(**columns):
    index = pd.PeriodIndex(["2025Q3", "2025Q4"], freq="Q", name="quarter")
    return pd.DataFrame(columns, index=index)


def test_reconciliation_with_xbrl():
    xbrl = {
        # GOOGL reports 25.4 $B issued in 2025Q4: 0.4 $B off the filings' 25.0, within 5%.
        "GOOGL": quarters_table(
            debt_issued=[0.0, 25.4e9], debt_repaid=[1e9, 0.0], commercial_paper=[None, None]
        ),
        # META reports 28 $B issued: 2 $B below the 30 $B deal, more than 0.5 $B and 5% (1.4).
        "META": quarters_table(debt_issued=[0.0, 28e9], debt_repaid=[0.0, 0.0]),
    }
    table = debt_ledger.reconcile(debt_ledger.ledger(FILINGS), xbrl)
    table = table.set_index(["quarter", "ticker"])
    q3, q4 = pd.Period("2025Q3", "Q"), pd.Period("2025Q4", "Q")
    assert table.loc[(q4, "GOOGL"), "status"] == "reconciles"
    assert table.loc[(q4, "GOOGL"), "difference_b"] == pytest.approx(0.4)
    assert table.loc[(q4, "META"), "status"] == "differs"
    assert table.loc[(q4, "META"), "difference_b"] == pytest.approx(-2.0)
    assert table.loc[(q4, "ORCL"), "status"] == "no XBRL total"
    assert table.loc[(q3, "GOOGL"), "status"] == "no filings"  # 0 issued, no filing: fine
    assert math.isnan(table.loc[(q4, "META"), "commercial_paper_b"])  # not filed: not zero


def test_a_quarter_with_an_unparsed_filing_is_incomplete_not_reconciled():
    xbrl = {"ORCL": quarters_table(debt_issued=[18e9, 5e9])}
    table = debt_ledger.reconcile(debt_ledger.ledger(FILINGS), xbrl).set_index(
        ["quarter", "ticker"]
    )
    assert table.loc[(pd.Period("2025Q4", "Q"), "ORCL"), "status"] == "filings incomplete"
    # 2025Q3: the 18 $B 8-K equals XBRL's 18 $B.
    assert table.loc[(pd.Period("2025Q3", "Q"), "ORCL"), "status"] == "reconciles"


def test_no_filings_at_all_gives_empty_tables():
    empty = debt_ledger.ledger(pd.DataFrame())
    assert empty.empty and list(empty.columns) == debt_ledger.LEDGER_COLUMNS
    assert debt_ledger.quarterly(empty).empty
