"""Calendar-quarter capex: hand-worked cases, then the real pack (docs/SOURCES.md §1.8)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from liquidity.analytics import capex
from liquidity.core import catalog
from liquidity.core.errors import ValidationError
from liquidity.data.pack import DataPack

PPE = "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment"
PRODUCTIVE = "us-gaap:PaymentsToAcquireProductiveAssets"
HAND = "hand-compiled:Capital Expenditure"
OCF = "hand-compiled:Operating Cash Flow"
M = 1_000_000
TICKERS = ("MSFT", "GOOGL", "AMZN", "META", "ORCL")


def frame(*rows: tuple[str, str, float, str]) -> pd.DataFrame:
    """A capex frame shaped like the pack's, from (period_end, fiscal_period, value, concept)."""
    return pd.DataFrame(
        {
            "period_end": pd.to_datetime([r[0] for r in rows]),
            "fiscal_period": [r[1] for r in rows],
            "form": "",
            "value_usd": [float(r[2]) for r in rows],
            "concept": [r[3] for r in rows],
        }
    )


def q(label: str) -> pd.Period:
    return pd.Period(label, freq="Q")


def googl_2024() -> pd.DataFrame:
    return frame(
        ("2024-03-31", "CY2024Q1", 12_012 * M, PPE),
        ("2024-06-30", "CY2024Q2", 13_186 * M, PPE),
        ("2024-09-30", "CY2024Q3", 13_061 * M, PPE),
        ("2024-12-31", "CY2024", 52_535 * M, PPE),
    )


def test_q4_derived_from_annual_total_minus_three_quarters():
    out = capex.quarterly(googl_2024())
    assert isinstance(out.index, pd.PeriodIndex) and out.index.name == "quarter"
    assert list(out.index) == [q("2024Q1"), q("2024Q2"), q("2024Q3"), q("2024Q4")]
    # 52,535 - (12,012 + 13,186 + 13,061) = 14,276; the annual row itself is never a quarter
    assert out.loc[q("2024Q4"), "value_usd"] == 14_276 * M
    assert out.loc[q("2024Q4"), "source"] == "derived"
    assert out.loc[q("2024Q1"), "source"] == "sec"
    assert out["value_usd"].max() < 52_535 * M


def test_amazon_q4_derived_from_its_own_concept():
    amzn = frame(
        ("2024-03-31", "CY2024Q1", 14_925 * M, PRODUCTIVE),
        ("2024-06-30", "CY2024Q2", 17_620 * M, PRODUCTIVE),
        ("2024-09-30", "CY2024Q3", 22_620 * M, PRODUCTIVE),
        ("2024-12-31", "CY2024", 82_999 * M, PRODUCTIVE),
    )
    out = capex.quarterly(amzn)
    assert out.loc[q("2024Q4"), "value_usd"] == 27_834 * M
    assert out.loc[q("2024Q4"), "concept"] == PRODUCTIVE


def test_no_q4_derived_when_a_quarter_is_missing():
    # MSFT-style: no calendar Q2, so the annual total cannot be split and Q4 stays absent
    msft = googl_2024().drop(index=1)
    out = capex.quarterly(msft)
    assert list(out.index) == [q("2024Q1"), q("2024Q3")]


def test_sec_row_wins_over_agreeing_hand_compiled_row_and_is_not_added():
    both = frame(
        ("2024-09-30", "label:Q3 2024", 14_923 * M, HAND),
        ("2024-09-30", "CY2024Q3", 14_923 * M, PPE),
        ("2024-06-30", "label:Q2 2024", 13_873 * M, HAND),
    )
    out = capex.quarterly(both)
    assert out.loc[q("2024Q3"), "value_usd"] == 14_923 * M  # not 29,846
    assert out.loc[q("2024Q3"), "source"] == "sec"
    assert out.loc[q("2024Q3"), "concept"] == PPE
    assert out.loc[q("2024Q2"), "source"] == "hand-compiled"
    assert capex.disagreements(both).empty


def test_derived_q4_beats_hand_compiled_and_disagreement_is_reported():
    rows = googl_2024()
    hand = frame(("2024-12-31", "label:Q4 2024", 14_000 * M, HAND))
    out = capex.quarterly(pd.concat([rows, hand], ignore_index=True))
    assert out.loc[q("2024Q4"), "source"] == "derived"
    bad = capex.disagreements(pd.concat([rows, hand], ignore_index=True))
    assert list(bad.index) == [q("2024Q4")]
    assert bad.loc[q("2024Q4"), "relative_difference"] == pytest.approx(276 / 14_276)
    # 0.4 % apart is inside the default 0.5 % tolerance
    close = frame(("2024-12-31", "label:Q4 2024", 14_276 * M * 0.996, HAND))
    assert capex.disagreements(pd.concat([rows, close], ignore_index=True)).empty


def test_oracle_fiscal_quarters_labelled_by_midpoint():
    orcl = frame(
        ("2024-11-30", "label:Q3 2024", 3_970 * M, HAND),  # Sep-Nov -> Oct 16 -> Q4
        ("2025-02-28", "label:Q4 2024", 5_862 * M, HAND),  # Dec-Feb -> Jan 14 -> Q1
        ("2025-05-31", "label:Q1 2025", 9_080 * M, HAND),  # Mar-May -> Apr 16 -> Q2
    )
    out = capex.quarterly(orcl)
    assert out["value_usd"].to_dict() == {
        q("2024Q4"): 3_970 * M,
        q("2025Q1"): 5_862 * M,
        q("2025Q2"): 9_080 * M,
    }
    assert out.loc[q("2025Q2"), "period_end"] == pd.Timestamp("2025-05-31")


def test_midpoint_not_end_decides_the_quarter():
    # NVDA-style quarter Oct 28 - Jan 26 ends in Q1 but mostly lies in Q4 (SOURCES.md §1.7 rule 7)
    out = capex.quarterly(frame(("2025-01-26", "label:Q4 FY2025", 1 * M, HAND)))
    assert list(out.index) == [q("2024Q4")]


def test_missing_quarter_stays_absent():
    rows = frame(
        ("2024-03-31", "label:Q1 2024", 100 * M, HAND),
        ("2024-09-30", "label:Q3 2024", 300 * M, HAND),
    )
    out = capex.quarterly(rows)
    assert q("2024Q2") not in out.index
    assert len(out) == 2 and not out["value_usd"].isna().any()
    table = capex.group_table({"A": rows})
    assert q("2024Q2") not in table.index


def test_conflicting_duplicate_raises():
    rows = frame(
        ("2024-09-30", "CY2024Q3", 14_923 * M, PPE),
        ("2024-09-30", "CY2024Q3", 15_000 * M, PRODUCTIVE),
    )
    with pytest.raises(ValidationError, match="2024Q3"):
        capex.quarterly(rows)
    hand = frame(
        ("2024-09-30", "label:Q3 2024", 1 * M, HAND),
        ("2024-08-31", "label:Q3 2024 bis", 2 * M, HAND),  # both land in 2024Q3
    )
    with pytest.raises(ValidationError):
        capex.quarterly(hand)


def test_agreeing_duplicate_is_kept_once():
    rows = frame(
        ("2024-09-30", "CY2024Q3", 14_923 * M, PPE),
        ("2024-09-30", "CY2024Q3", 14_923 * M, PRODUCTIVE),
    )
    out = capex.quarterly(rows)
    assert len(out) == 1 and out["value_usd"].iloc[0] == 14_923 * M


def test_metric_selects_its_concept_only():
    rows = frame(
        ("2024-03-31", "label:Q1 2024", 10 * M, HAND),
        ("2024-03-31", "label:Q1 2024", 30 * M, OCF),
    )
    assert capex.quarterly(rows, "operating_cash_flow")["value_usd"].tolist() == [30 * M]
    assert capex.quarterly(rows, "buybacks").empty
    with pytest.raises(ValueError, match="unknown metric"):
        capex.quarterly(rows, "revenue")


def test_like_for_like_growth_excludes_company_new_in_later_year():
    index = pd.PeriodIndex(["2024Q1", "2025Q1"], freq="Q", name="quarter")
    # B starts reporting only in 2025: counting it would turn 10 % growth into 60 %
    table = pd.DataFrame({"A": [100.0, 110.0], "B": [np.nan, 50.0]}, index=index)
    out = capex.like_for_like_growth(table)
    assert out.loc[q("2025Q1"), "growth_pct"] == pytest.approx(10.0)
    assert out.loc[q("2025Q1"), "companies"] == "A"
    assert out.loc[q("2025Q1"), "total_usd"] == 110.0
    assert out.loc[q("2025Q1"), "base_usd"] == 100.0
    assert np.isnan(out.loc[q("2024Q1"), "growth_pct"])  # nothing four quarters earlier
    assert out.loc[q("2024Q1"), "companies"] == ""


def test_like_for_like_growth_uses_quarter_arithmetic_not_row_position():
    # 2024Q2 is missing: one row back from 2025Q1 is 2024Q1, but a 1-quarter lag must find nothing
    index = pd.PeriodIndex(["2024Q1", "2025Q1"], freq="Q", name="quarter")
    table = pd.DataFrame({"A": [100.0, 110.0]}, index=index)
    assert capex.like_for_like_growth(table, periods=1)["growth_pct"].isna().all()


def test_group_table_is_quarter_by_ticker_with_nan_gaps():
    a = frame(("2024-03-31", "label:Q1 2024", 10 * M, HAND))
    b = frame(("2024-05-31", "label:Q1 2024", 20 * M, HAND))  # ORCL-like: lands in 2024Q2
    table = capex.group_table({"A": a, "B": b})
    assert list(table.columns) == ["A", "B"]
    assert list(table.index) == [q("2024Q1"), q("2024Q2")]
    assert table.loc[q("2024Q1"), "A"] == 10 * M and np.isnan(table.loc[q("2024Q1"), "B"])
    assert table.loc[q("2024Q2"), "B"] == 20 * M and np.isnan(table.loc[q("2024Q2"), "A"])


def test_available_at_is_quarter_end_plus_lag():
    quarters = pd.PeriodIndex(["2024Q4", "2025Q1"], freq="Q")
    assert list(capex.available_at(quarters)) == [
        pd.Timestamp("2025-02-14"),
        pd.Timestamp("2025-05-15"),
    ]
    assert capex.available_at(quarters, lag_days=60)[0] == pd.Timestamp("2025-03-01")


def test_fixture_pack_msft(fixture_pack):
    msft = DataPack(fixture_pack).read(catalog.get("capex/MSFT"))
    out = capex.quarterly(msft)
    assert out["value_usd"].to_dict() == {q("2024Q3"): 14_923 * M, q("2024Q4"): 15_804 * M}
    assert set(out["source"]) == {"sec"}


@pytest.fixture
def pack_frames(real_pack) -> dict[str, pd.DataFrame]:
    pack = DataPack(real_pack)
    return {t: pack.read(catalog.get(f"capex/{t}")) for t in TICKERS}


@pytest.mark.pack
def test_real_pack_validation_numbers(pack_frames):
    msft = capex.quarterly(pack_frames["MSFT"])
    assert msft.loc[q("2024Q3"), "value_usd"] == 14_923_000_000
    assert msft.loc[q("2024Q4"), "value_usd"] == 15_804_000_000
    assert msft.loc[q("2024Q4"), "source"] == "sec"
    googl = capex.quarterly(pack_frames["GOOGL"])
    assert googl.loc[q("2024Q4"), "value_usd"] == 14_276_000_000
    assert googl.loc[q("2024Q4"), "source"] == "derived"
    amzn = capex.quarterly(pack_frames["AMZN"])
    assert amzn.loc[q("2024Q4"), "value_usd"] == 27_834_000_000


@pytest.mark.pack
def test_real_pack_every_company_has_recent_quarters(pack_frames):
    table = capex.group_table(pack_frames)
    recent = pd.period_range("2025Q1", "2026Q1", freq="Q")
    assert not table.loc[recent].isna().any().any()
    orcl = pack_frames["ORCL"]
    row = orcl[(orcl["period_end"] == "2026-05-31") & (orcl["concept"] == HAND)]
    assert len(row) == 1
    assert table.loc[q("2026Q2"), "ORCL"] == row["value_usd"].iloc[0]


@pytest.mark.pack
def test_real_pack_sources_agree(pack_frames):
    for ticker, f in pack_frames.items():
        for metric in capex.METRICS:
            assert capex.disagreements(f, metric).empty, (ticker, metric)
