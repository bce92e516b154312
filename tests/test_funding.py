"""Capex and its funding per company: SEC facts, the data pack, and the decomposition."""

import io
import math

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
NAN = float("nan")


def quarter_fact(start, end, value, accn="0001-25-000001", filed="2025-05-01"):
    return fact(start, end, value, accn, 2025, "Q1", Q, filed)


def q1(value):
    return [quarter_fact("2025-01-01", "2025-03-31", value)]


FACTS = parse_facts(
    companyfacts(
        {
            "PaymentsToAcquirePropertyPlantAndEquipment": [
                quarter_fact("2025-01-01", "2025-03-31", 80),
                quarter_fact("2024-10-01", "2024-12-31", 70, "0001-25-000000", "2025-02-01"),
            ],
            "NetCashProvidedByUsedInOperatingActivities": q1(100),
            "PaymentsForRepurchaseOfCommonStock": q1(30),
            "PaymentsOfDividends": q1(10),
            "ProceedsFromIssuanceOfLongTermDebt": q1(50),
            "RepaymentsOfLongTermDebt": q1(20),
            "ProceedsFromRepaymentsOfCommercialPaper": q1(3),
            "FinanceLeasePrincipalPayments": q1(5),
            "CashCashEquivalentsAndShortTermInvestments": [
                fact(None, "2024-12-31", 200, "0001-25-000000", 2024, "FY", "10-K", "2025-02-01"),
                fact(None, "2025-03-31", 210, "0001-25-000001", 2025, "Q1", Q, "2025-05-01"),
            ],
        }
    )
)


def values(quarters: list[str], **metrics) -> pd.DataFrame:
    """A company's quarter × metric table in USD, as `CompanyQuarters.values` holds it."""
    return pd.DataFrame(metrics, index=pd.PeriodIndex(quarters, freq="Q", name="quarter"))


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
    assert parts["debt_issued"] == 50 and parts["debt_repaid"] == -20
    assert parts["commercial_paper"] == 3
    assert parts["cash_drawdown"] == -10  # cash rose from 200 to 210: money put aside
    assert parts["buybacks"] == -30 and parts["dividends"] == -10
    assert parts["finance_leases"] == -5
    assert parts["capex"] == -80
    # 100 + 50 − 20 + 3 − 10 − 30 − 10 − 5 − 80 = −2, so 2 is left unexplained
    assert parts["other"] == pytest.approx(2)
    assert parts.sum() == pytest.approx(0)
    assert row["internal_share_pct"] == pytest.approx(75.0)  # (100 − 30 − 10) / 80


def test_a_missing_line_stays_missing_and_so_do_other_and_the_internal_share():
    # 2024Q4 holds only the balance the first change in cash needs (no capex: no row).
    company = values(
        ["2024Q4", "2025Q1", "2025Q2"],
        capex=[NAN, 80.0, 90.0],
        operating_cash_flow=[NAN, 100.0, 100.0],
        debt_issued=[NAN, 50.0, 0.0],
        debt_repaid=[NAN, 20.0, 0.0],
        commercial_paper=[NAN, 3.0, 0.0],
        cash_and_securities=[200.0, 210.0, 205.0],
        buybacks=[NAN, 30.0, 30.0],
        dividends=[NAN, 10.0, NAN],
        finance_lease_principal=[NAN, 5.0, 5.0],
    )
    out = funding.funding_decomposition(company)
    assert list(out.index.astype(str)) == ["2025Q1", "2025Q2"]
    q2 = out.loc[pd.Period("2025Q2")]
    assert math.isnan(q2["dividends"])  # not 0: the data do not say Q2's dividends
    assert math.isnan(q2["other"]) and math.isnan(q2["internal_share_pct"])
    assert q2["buybacks"] == -30 and q2["cash_drawdown"] == 5  # the lines it has stay real
    assert out.loc[pd.Period("2025Q1"), "other"] == pytest.approx(2)  # as worked above


def test_net_capex_is_missing_where_the_proceeds_are():
    company = values(["2025Q1", "2025Q2"], capex=[10.0, 12.0], capex_proceeds=[NAN, NAN])
    assert funding.with_derived(company)["net_capex"].isna().all()  # never filed is not zero
    company["capex_proceeds"] = [1.0, NAN]
    net = funding.with_derived(company)["net_capex"]
    assert net.iloc[0] == 9.0 and pd.isna(net.iloc[1])


# Two companies, lines in USD. A has every line in 2025Q1-Q2 and capex alone in 2025Q3 (B
# has no 2025Q3 at all); B lacks dividends in 2025Q2.
A = values(
    ["2024Q4", "2025Q1", "2025Q2", "2025Q3"],
    cash_and_securities=[50.0, 45.0, 45.0, 40.0],
    capex=[NAN, 10.0, 12.0, 14.0],
    operating_cash_flow=[NAN, 20.0, 20.0, 20.0],
    debt_issued=[NAN, 4.0, 0.0, 0.0],
    debt_repaid=[NAN, 1.0, 1.0, 1.0],
    commercial_paper=[NAN, 0.0, 0.0, 0.0],
    buybacks=[NAN, 12.0, 6.0, 6.0],
    dividends=[NAN, 2.0, 2.0, 2.0],
    finance_lease_principal=[NAN, 1.0, 1.0, 1.0],
)
B = values(
    ["2024Q4", "2025Q1", "2025Q2"],
    cash_and_securities=[30.0, 32.0, 31.0],
    capex=[NAN, 5.0, 6.0],
    operating_cash_flow=[NAN, 8.0, 9.0],
    debt_issued=[NAN, 0.0, 2.0],
    debt_repaid=[NAN, 0.0, 0.0],
    commercial_paper=[NAN, 1.0, 0.0],
    buybacks=[NAN, 1.0, 1.0],
    dividends=[NAN, 1.0, NAN],
    finance_lease_principal=[NAN, 0.5, 0.5],
)


def test_a_group_line_is_summed_only_where_every_company_has_it():
    parts = {"A": funding.funding_decomposition(A), "B": funding.funding_decomposition(B)}
    group = funding.group_decomposition(parts)
    q1, q2, q3 = (group.loc[pd.Period(q)] for q in ("2025Q1", "2025Q2", "2025Q3"))
    # 2025Q1, both complete. OCF 20 + 8; cash drawn (50 − 45) + (30 − 32) = 3; lines
    # 28 + 4 − 1 + 1 + 3 − 13 − 3 − 1.5 − 15 = 2.5, so other = −2.5 (A: −3, B: +0.5).
    assert q1["operating_cash_flow"] == 28 and q1["cash_drawdown"] == 3
    assert q1["other"] == pytest.approx(-2.5)
    assert q1["internal_share_pct"] == pytest.approx(80.0)  # (28 − 13 − 3) / 15
    # 2025Q2: B has no dividends, so the group has none (not A's 2) and no other.
    assert q2["operating_cash_flow"] == 29
    assert math.isnan(q2["dividends"]) and math.isnan(q2["other"])
    assert math.isnan(q2["internal_share_pct"])
    # 2025Q3: only A reports; its 20 of operating cash flow is not the group's.
    assert group.loc[pd.Period("2025Q3"), list(funding.LINES)].isna().all()
    assert (q1["companies"], q1["coverage"]) == (2, "2/2 companies")
    assert (q3["companies"], q3["panel"], q3["coverage"]) == (1, 2, "1/2 companies")


def test_the_csv_table_keeps_a_missing_line_empty_and_names_it():
    parts = {"A": funding.funding_decomposition(A), "B": funding.funding_decomposition(B)}
    table = funding.funding_table(parts)
    assert list(table.columns) == [
        "quarter",
        "ticker",
        "operating_cash_flow_usd_b",
        "debt_issued_usd_b",
        "debt_repaid_usd_b",
        "commercial_paper_usd_b",
        "cash_drawdown_usd_b",
        "buybacks_usd_b",
        "dividends_usd_b",
        "finance_leases_usd_b",
        "capex_usd_b",
        "other_usd_b",
        "internal_share_pct",
        "coverage",
    ]
    text = table.to_csv(index=False)
    back = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    row = back[(back["quarter"] == "2025Q2") & (back["ticker"] == "B")].iloc[0]
    assert row["dividends_usd_b"] == "" and row["other_usd_b"] == ""  # empty, never "0.0"
    assert row["coverage"] == "8/9 lines; missing: dividends"
    first = table[(table["quarter"] == "2025Q1") & (table["ticker"] == "A")].iloc[0]
    assert first["coverage"] == "9/9 lines"
    assert first["buybacks_usd_b"] == pytest.approx(-12e-9)  # 12 USD in billions
    assert first["other_usd_b"] == pytest.approx(-3e-9)  # A's residual, worked above


def test_missing_lines_are_named_per_company_with_their_quarters():
    parts = {"A": funding.funding_decomposition(A), "B": funding.funding_decomposition(B)}
    parts["A"].loc[pd.Period("2025Q3"), "debt_issued"] = NAN
    parts["B"]["finance_leases"] = NAN
    assert funding.missing_lines(parts) == [
        "A: debt issued (2025Q3)",
        "B: dividends (2025Q2); finance-lease principal (all quarters)",
    ]


def test_scattered_gaps_are_counted_not_listed():
    quarters = [f"2024Q{i}" for i in range(1, 5)] + ["2025Q1"]
    part = values(quarters, **{line: [1.0] * 5 for line in funding.LINES})
    part["dividends"] = [NAN, 1.0, NAN, 1.0, NAN]  # three runs of one quarter each
    assert funding.missing_lines({"X": part}) == ["X: dividends (3 of 5 quarters)"]


def test_microsoft_and_alphabet_debt_tags_and_alphabets_lease_principal():
    msft = parse_facts(
        companyfacts(
            {
                "PaymentsToAcquirePropertyPlantAndEquipment": q1(80),
                "ProceedsFromDebtMaturingInMoreThanThreeMonths": q1(40),
                "RepaymentsOfDebtMaturingInMoreThanThreeMonths": q1(15),
            }
        )
    )
    row = funding.from_sec_facts(msft, "MSFT").values.loc[pd.Period("2025Q1")]
    assert (row["debt_issued"], row["debt_repaid"]) == (40 * M, 15 * M)

    googl = parse_facts(
        companyfacts(
            {
                "ProceedsFromDebtNetOfIssuanceCosts": q1(60),
                "RepaymentsOfDebtAndCapitalLeaseObligations": [
                    quarter_fact("2025-01-01", "2025-03-31", 100),
                    quarter_fact("2024-10-01", "2024-12-31", 70, "0001-25-000000", "2025-02-01"),
                ],
                "FinanceLeasePrincipalPayments": q1(10),
            }
        )
    )
    company = funding.from_sec_facts(googl, "GOOGL")
    assert company.values.loc[pd.Period("2025Q1"), "debt_issued"] == 60 * M
    # Repayments of 100 include 10 of lease principal, drawn as its own bar: 90 is debt.
    assert company.values.loc[pd.Period("2025Q1"), "debt_repaid"] == 90 * M
    # 2024Q4 has no principal to take out, so its debt repaid is unknown, not 70.
    assert pd.isna(company.values["debt_repaid"].get(pd.Period("2024Q4")))
    prov = company.provenance.set_index(["quarter", "metric"])
    row = prov.loc[(pd.Period("2025Q1"), "debt_repaid")]
    assert row["method"] == "derived"
    assert row["tag"] == (
        "RepaymentsOfDebtAndCapitalLeaseObligations - FinanceLeasePrincipalPayments"
    )


@pytest.mark.pack
def test_real_pack_debt_of_microsoft_and_alphabet(real_pack, tmp_path):
    table = api.load_funding_table(["msft", "GOOGL"], Library(Store(tmp_path), DataPack(real_pack)))
    table = table.set_index(["ticker", "quarter"])
    msft = table.loc[("MSFT", "2024Q1")]
    # sec/MSFT.csv, read by hand (the later filing of the same quarter, same values):
    # us-gaap,ProceedsFromDebtMaturingInMoreThanThreeMonths,USD,2024-01-01,2024-03-31,
    #   6352000000,0000950170-25-061046,2025,Q3,10-Q,2025-04-30,CY2024Q1
    # us-gaap,RepaymentsOfDebtMaturingInMoreThanThreeMonths,USD,2024-01-01,2024-03-31,
    #   11589000000,0000950170-25-061046,2025,Q3,10-Q,2025-04-30,CY2024Q1
    assert msft["debt_issued_usd_b"] == pytest.approx(6.352)
    assert msft["debt_repaid_usd_b"] == pytest.approx(-11.589)
    # The pack carries no commercial-paper tag for Microsoft: named, and no residual.
    assert math.isnan(msft["commercial_paper_usd_b"]) and math.isnan(msft["other_usd_b"])
    assert msft["coverage"] == "8/9 lines; missing: commercial_paper"
    googl = table.loc[("GOOGL", "2025Q1")]
    # sec/GOOGL.csv, 2025-01-01..2025-03-31, 10-Q filed 2025-04-25: ProceedsFromDebtNetOf-
    # IssuanceCosts 4532000000; RepaymentsOfDebtAndCapitalLeaseObligations 4521000000 less
    # FinanceLeasePrincipalPayments 192000000 = 4329000000.
    assert googl["debt_issued_usd_b"] == pytest.approx(4.532)
    assert googl["debt_repaid_usd_b"] == pytest.approx(-4.329)
    assert googl["finance_leases_usd_b"] == pytest.approx(-0.192)


@pytest.mark.pack
def test_real_pack_oracle_has_no_other_where_its_lines_are_missing(real_pack, tmp_path):
    table = api.load_funding_table(["ORCL"], Library(Store(tmp_path), DataPack(real_pack)))
    row = table.set_index("quarter").loc["2025Q3"]
    # sec/ORCL.csv ends with the FY2025 10-K (2025-06-18); 2025Q3 is the pack's hand-compiled
    # capex 8,502M and OCF 8,140M. Debt, cash and dividends are not there, so neither is
    # "other" (it used to absorb them as ~$10B).
    assert row["capex_usd_b"] == pytest.approx(-8.502, abs=0.001)
    assert math.isnan(row["dividends_usd_b"]) and math.isnan(row["debt_issued_usd_b"])
    assert math.isnan(row["other_usd_b"]) and math.isnan(row["internal_share_pct"])
    assert "dividends" in row["coverage"] and "finance_leases" in row["coverage"]


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
    with pytest.raises(DataNotAvailable, match="no capex data for NVDA"):
        api.load_funding_table(["nvda"], Library(Store(tmp_path)))


def test_companies_are_memoised_until_their_files_change(fixture_pack, tmp_path):
    library = Library(Store(tmp_path), DataPack(fixture_pack))
    first = api.load_companies(["MSFT"], library)["MSFT"]
    assert api.load_companies(["MSFT"], library)["MSFT"] is first


@pytest.mark.pack
def test_cli_funding_prints_missing_lines_as_empty_fields(real_pack, tmp_path, capsys):
    # Microsoft 2024Q1 from the pack's SEC facts: debt issued $6.352B (ProceedsFromDebtMaturing
    # InMoreThanThreeMonths, 6,352,000,000), repaid $11.589B; no commercial-paper line, so that
    # field is empty and "other" cannot be computed.
    from liquidity.cli import main

    library = Library(Store(tmp_path), DataPack(real_pack))
    assert main(["funding", "msft"], library=library) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"quarter": str})
    assert list(out.columns[:4]) == [
        "quarter",
        "ticker",
        "operating_cash_flow_usd_b",
        "debt_issued_usd_b",
    ]
    row = out.set_index("quarter").loc["2024Q1"]
    assert (row["debt_issued_usd_b"], row["debt_repaid_usd_b"]) == (6.352, -11.589)
    assert math.isnan(row["commercial_paper_usd_b"]) and math.isnan(row["other_usd_b"])
    assert row["coverage"] == "8/9 lines; missing: commercial_paper"
    assert main(["funding", "ZZZZ"], library=library) == 2
