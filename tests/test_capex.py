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


def quarters(*labels: str) -> pd.PeriodIndex:
    return pd.PeriodIndex(list(labels), freq="Q", name="quarter")


def test_panel_growth_one_early_reporter_is_not_the_group():
    # D reports its fiscal quarter a month early, so in 2025Q3 it is alone. Base 2024Q3:
    # A 40 + B 30 + C 20 + D 10 = 100, of which D holds 10 / 100 = 10 % < 80 %: uncovered.
    # The one-company number it must not give: D's 15 / 10 − 1 = +50 %.
    table = pd.DataFrame(
        {
            "A": [40.0, 40.0, 44.0, np.nan],
            "B": [30.0, 30.0, 33.0, np.nan],
            "C": [20.0, 20.0, 22.0, np.nan],
            "D": [10.0, 10.0, 11.0, 15.0],
        },
        index=quarters("2024Q2", "2024Q3", "2025Q2", "2025Q3"),
    )
    out = capex.panel_growth(table)
    late = out.loc[q("2025Q3")]
    assert np.isnan(late["growth_pct"]) and not late["covered"]
    assert late["base_share"] == pytest.approx(0.10)
    assert late["companies"] == "D" and late["missing"] == "A,B,C"
    # 2025Q2: everyone reports both quarters, (44+33+22+11) / (40+30+20+10) − 1 = +10 %.
    full = out.loc[q("2025Q2")]
    assert full["covered"] and full["base_share"] == pytest.approx(1.0)
    assert full["growth_pct"] == pytest.approx(10.0)
    assert full["companies"] == "A,B,C,D" and full["missing"] == ""


def test_panel_growth_acceleration_uses_one_panel_for_now_and_a_year_earlier():
    # C starts in 2024Q3, so growth now (2025Q3 vs 2024Q3) could use A, B, C but growth a year
    # earlier (2024Q3 vs 2023Q3) only A, B. The acceleration must use A, B for both:
    #   now  (121 + 75) / (110 + 50) − 1 = 196/160 − 1 = 22.5 %
    #   then (110 + 50) / (100 + 50) − 1 = 160/150 − 1 = 6.667 %   → +15.833 pp.
    # Mixing panels would give 31.111 − 6.667 = +24.444 pp, with growth now
    # (121 + 75 + 40) / (110 + 50 + 20) − 1 = 236/180 − 1 = 31.111 %.
    # A, B hold (110 + 50) / 180 = 88.9 % of 2024Q3's capex and 100 % of 2023Q3's: covered.
    table = pd.DataFrame(
        {"A": [100.0, 110.0, 121.0], "B": [50.0, 50.0, 75.0], "C": [np.nan, 20.0, 40.0]},
        index=quarters("2023Q3", "2024Q3", "2025Q3"),
    )
    row = capex.panel_growth(table).loc[q("2025Q3")]
    assert row["growth_pct"] == pytest.approx(236 / 180 * 100 - 100)
    assert row["companies"] == "A,B,C"
    assert row["accel_companies"] == "A,B" and row["accel_covered"]
    assert row["accel_share"] == pytest.approx(160 / 180)
    assert row["accel_now_pct"] == pytest.approx(22.5)
    assert row["accel_then_pct"] == pytest.approx(20 / 3)
    assert row["accel_pp"] == pytest.approx(22.5 - 20 / 3)


def test_panel_growth_acceleration_uncovered_when_the_common_panel_is_too_small():
    # As above but C spends 100 in 2024Q3: A, B hold 160 / 260 = 61.5 % of it, under 80 %.
    # Growth now still covers all three: (121 + 75 + 130) / 260 − 1 = +25.385 %.
    table = pd.DataFrame(
        {"A": [100.0, 110.0, 121.0], "B": [50.0, 50.0, 75.0], "C": [np.nan, 100.0, 130.0]},
        index=quarters("2023Q3", "2024Q3", "2025Q3"),
    )
    row = capex.panel_growth(table).loc[q("2025Q3")]
    assert row["covered"] and row["growth_pct"] == pytest.approx(326 / 260 * 100 - 100)
    assert row["accel_share"] == pytest.approx(160 / 260) and not row["accel_covered"]
    assert np.isnan(row["accel_pp"]) and np.isnan(row["accel_now_pct"])


def test_panel_growth_unknown_weight_is_not_weighed_as_zero():
    # A reports 2024Q1 and 2024Q3 but not 2024Q2 (a gap inside its series): its 2024Q2 weight
    # is unknown, so B's 100 % of the capex that IS known is no coverage at all.
    table = pd.DataFrame(
        {"A": [100.0, np.nan, 100.0, 100.0], "B": [10.0, 10.0, 10.0, 11.0]},
        index=quarters("2024Q1", "2024Q2", "2024Q3", "2025Q2"),
    )
    out = capex.panel_growth(table)
    row = out.loc[q("2025Q2")]
    assert np.isnan(row["base_share"]) and not row["covered"] and np.isnan(row["growth_pct"])
    assert row["companies"] == "B" and row["missing"] == "A"
    # 2024Q4 - 2025Q1 are rows although nobody reports them: missing, not skipped.
    assert q("2024Q4") in out.index and not out.loc[q("2024Q4"), "covered"]


def test_panel_growth_counts_exactly_the_minimum_share():
    # A holds 80 of 100 in the base quarter and reports now; B has not yet: 80 % is enough.
    table = pd.DataFrame(
        {"A": [80.0, 88.0], "B": [20.0, np.nan]}, index=quarters("2024Q1", "2025Q1")
    )
    row = capex.panel_growth(table).loc[q("2025Q1")]
    assert row["covered"] and row["growth_pct"] == pytest.approx(10.0)  # 88 / 80 − 1
    assert not capex.panel_growth(table, min_share=0.81).loc[q("2025Q1"), "covered"]


def test_panel_growth_company_not_yet_tracked_is_outside_the_panel():
    # B's series begins in 2025Q1: its 2024Q1 capex is not in the data, so it is not part of
    # that quarter's panel (A holds 100 % of it); it is named as missing all the same.
    table = pd.DataFrame(
        {"A": [100.0, 110.0], "B": [np.nan, 50.0]}, index=quarters("2024Q1", "2025Q1")
    )
    row = capex.panel_growth(table).loc[q("2025Q1")]
    assert row["covered"] and row["growth_pct"] == pytest.approx(10.0)
    assert row["missing"] == "B"


@pytest.mark.pack
def test_panel_growth_on_the_real_pack_leaves_oracle_alone_uncovered(pack_frames):
    # The pack's 2026Q2 holds only ORCL (its fiscal quarter ending May 2026). Base 2025Q2 in
    # $B from the five companies' rows: MSFT 17.08, GOOGL 22.45, AMZN 32.18, META 16.54,
    # ORCL 9.08; ORCL's share 9.08 / 97.33 = 9.3 %.
    out = capex.panel_growth(capex.group_table(pack_frames))
    last = out.iloc[-1]
    assert out.index[-1] == q("2026Q2") and last["companies"] == "ORCL"
    assert not last["covered"] and np.isnan(last["growth_pct"])
    assert last["base_share"] == pytest.approx(9.08 / 97.33, abs=0.002)


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
