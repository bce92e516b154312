"""Capex and its funding per company: SEC facts, the data pack, and the decomposition."""

import pandas as pd
import pytest

from liquidity import api
from liquidity.analytics import funding
from liquidity.core import catalog
from liquidity.core.errors import DataNotAvailable
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.data.store import Store
from liquidity.sources.sec import parse_facts
from tests.test_xbrl import companyfacts, fact

M = 1_000_000
Q = "10-Q"


def quarter_fact(start, end, value, accn="0001-25-000001", filed="2025-05-01"):
    return fact(start, end, value, accn, 2025, "Q1", Q, filed)


FACTS = parse_facts(
    companyfacts(
        {
            "PaymentsToAcquirePropertyPlantAndEquipment": [
                quarter_fact("2025-01-01", "2025-03-31", 80),
                quarter_fact("2024-10-01", "2024-12-31", 70, "0001-25-000000", "2025-02-01"),
            ],
            "NetCashProvidedByUsedInOperatingActivities": [
                quarter_fact("2025-01-01", "2025-03-31", 100)
            ],
            "PaymentsForRepurchaseOfCommonStock": [quarter_fact("2025-01-01", "2025-03-31", 30)],
            "PaymentsOfDividends": [quarter_fact("2025-01-01", "2025-03-31", 10)],
            "ProceedsFromIssuanceOfLongTermDebt": [quarter_fact("2025-01-01", "2025-03-31", 50)],
            "RepaymentsOfLongTermDebt": [quarter_fact("2025-01-01", "2025-03-31", 20)],
            "FinanceLeasePrincipalPayments": [quarter_fact("2025-01-01", "2025-03-31", 5)],
            "CashCashEquivalentsAndShortTermInvestments": [
                fact(None, "2024-12-31", 200, "0001-25-000000", 2024, "FY", "10-K", "2025-02-01"),
                fact(None, "2025-03-31", 210, "0001-25-000001", 2025, "Q1", Q, "2025-05-01"),
            ],
        }
    )
)


def test_sec_facts_become_metrics_with_filing_provenance():
    company = funding.from_sec_facts(FACTS, "TEST")
    q1 = company.values.loc[pd.Period("2025Q1")]
    assert q1["capex"] == 80 * M and q1["operating_cash_flow"] == 100 * M
    assert q1["cash_and_securities"] == 210 * M
    prov = company.provenance.set_index(["quarter", "metric"])
    row = prov.loc[(pd.Period("2025Q1"), "capex")]
    assert (row["source"], row["method"], row["form"], row["accn"]) == (
        "SEC filing",
        "reported",
        "10-Q",
        "0001-25-000001",
    )
    assert pd.Timestamp(row["filed"]) == pd.Timestamp("2025-05-01")


def test_funding_decomposition_worked_by_hand():
    values = funding.from_sec_facts(FACTS, "TEST").values
    row = funding.funding_decomposition(values).loc[pd.Period("2025Q1")]
    parts = row.drop("internal_share_pct") / M
    assert parts["operating_cash_flow"] == 100
    assert parts["net_debt"] == 30  # 50 issued − 20 repaid
    assert parts["cash_drawdown"] == -10  # cash rose from 200 to 210: money put aside
    assert parts["shareholder_returns"] == -40  # 30 buybacks + 10 dividends
    assert parts["finance_leases"] == -5
    assert parts["capex"] == -80
    assert parts["other"] == pytest.approx(5)  # what the tracked lines do not explain
    assert parts.sum() == pytest.approx(0)
    assert row["internal_share_pct"] == pytest.approx(75.0)  # (100 − 40) / 80


def test_a_line_never_filed_counts_as_zero_but_a_gap_does_not():
    values = pd.DataFrame(
        {"capex": [10.0, 12.0], "capex_proceeds": [float("nan")] * 2},
        index=pd.PeriodIndex(["2025Q1", "2025Q2"], freq="Q"),
    )
    assert funding.with_derived(values)["net_capex"].tolist() == [10.0, 12.0]
    values["capex_proceeds"] = [1.0, float("nan")]
    net = funding.with_derived(values)["net_capex"]
    assert net.iloc[0] == 9.0 and pd.isna(net.iloc[1])


def test_sec_facts_win_and_the_pack_fills_the_rest(fixture_pack):
    pack_frame = DataPack(fixture_pack).read(catalog.get("capex/MSFT"))
    packed = funding.from_pack(pack_frame, "MSFT")
    live = funding.from_sec_facts(FACTS, "MSFT")
    both = funding.combine(live, packed)
    assert both.values.loc[pd.Period("2024Q4"), "capex"] == 70 * M  # SEC beats the pack's 15,804
    assert both.values.loc[pd.Period("2024Q3"), "capex"] == 14_923 * M  # only in the pack
    prov = both.provenance.set_index(["quarter", "metric"])["source"]
    assert prov[(pd.Period("2024Q4"), "capex")] == "SEC filing"
    assert prov[(pd.Period("2024Q3"), "capex")] == "data pack (SEC)"


def test_group_ttm_counts_companies_with_four_quarters():
    quarters = pd.PeriodIndex(["2024Q2", "2024Q3", "2024Q4", "2025Q1"], freq="Q")
    table = pd.DataFrame({"A": [1.0, 2.0, 3.0, 4.0], "B": [1.0, None, 1.0, 1.0]}, index=quarters)
    ttm = funding.group_ttm(table)
    assert ttm.loc[pd.Period("2025Q1")].tolist() == [10.0, 1]


def test_a_company_without_any_data_says_how_to_get_it(tmp_path):
    with pytest.raises(DataNotAvailable, match="refresh --only sec"):
        api.load_company("NVDA", Library(Store(tmp_path)))


def test_companies_are_memoised_until_their_files_change(fixture_pack, tmp_path):
    library = Library(Store(tmp_path), DataPack(fixture_pack))
    first = api.load_companies(["MSFT"], library)["MSFT"]
    assert api.load_companies(["MSFT"], library)["MSFT"] is first
