"""Quarterization of SEC XBRL facts (SOURCES.md §1.7) on hand-made companyconcept/companyfacts
payloads, checked against the validation numbers of SOURCES.md §1.8."""

from __future__ import annotations

import pandas as pd
import pytest

from liquidity.analytics import capex, xbrl
from liquidity.sources.sec import parse_facts

PPE = "PaymentsToAcquirePropertyPlantAndEquipment"
PRODUCTIVE = "PaymentsToAcquireProductiveAssets"
CASH = "CashAndCashEquivalentsAtCarryingValue"
CASH_RESTRICTED = "CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents"
M = 1_000_000


def fact(start, end, millions, accn, fy, fp, form, filed, frame=None) -> dict:
    """One fact as the SEC API writes it (whole USD; `start` omitted for instants)."""
    out = {"end": end, "val": int(round(millions * M)), "accn": accn, "fy": fy, "fp": fp}
    out |= {"form": form, "filed": filed}
    if start is not None:
        out = {"start": start, **out}
    if frame is not None:
        out["frame"] = frame
    return out


def concept(tag: str, facts: list[dict], unit: str = "USD") -> dict:
    """A companyconcept payload (SOURCES.md §1.3)."""
    return {
        "cik": 1,
        "taxonomy": "us-gaap",
        "tag": tag,
        "label": tag,
        "entityName": "Test Corp",
        "units": {unit: facts},
    }


def companyfacts(concepts: dict[str, list[dict]]) -> dict:
    """A companyfacts payload with a dei block that must never leak into the results."""
    shares = fact(None, "2024-04-20", 7_430, "dei-1", 2024, "Q3", "10-Q", "2024-04-25")
    return {
        "cik": 1,
        "entityName": "Test Corp",
        "facts": {
            "dei": {"EntityCommonStockSharesOutstanding": {"units": {"shares": [shares]}}},
            "us-gaap": {
                tag: {"label": tag, "description": "", "units": {"USD": items}}
                for tag, items in concepts.items()
            },
        },
    }


def millions(frame: pd.DataFrame) -> dict[str, float]:
    return {str(q): round(v / M, 3) for q, v in frame["value_usd"].items()}


# --- (a) MSFT: June fiscal year, fiscal Q4 only inside the 10-K ------------------------------

MSFT_Q1 = "0000950170-24-118967"
MSFT_Q2 = "0000950170-25-010491"
MSFT_Q3 = "0000950170-25-061046"
MSFT_K = "0000950170-25-100235"
MSFT_K_PRIOR = "0000950170-24-087843"
MSFT_FACTS = [
    # 10-K FY2024 (filed 2024-07-30): the prior fiscal year and its comparative.
    fact("2022-07-01", "2023-06-30", 28_107, MSFT_K_PRIOR, 2024, "FY", "10-K", "2024-07-30"),
    fact("2023-07-01", "2024-06-30", 44_477, MSFT_K_PRIOR, 2024, "FY", "10-K", "2024-07-30"),
    # 10-Q FQ1 FY2025: 3M and its prior-year comparative.
    fact("2023-07-01", "2023-09-30", 9_917, MSFT_Q1, 2025, "Q1", "10-Q", "2024-10-30"),
    fact("2024-07-01", "2024-09-30", 14_923, MSFT_Q1, 2025, "Q1", "10-Q", "2024-10-30"),
    # 10-Q FQ2: 3M and 6M YTD, both years.
    fact("2023-10-01", "2023-12-31", 9_735, MSFT_Q2, 2025, "Q2", "10-Q", "2025-01-29"),
    fact("2024-10-01", "2024-12-31", 15_804, MSFT_Q2, 2025, "Q2", "10-Q", "2025-01-29"),
    fact("2023-07-01", "2023-12-31", 19_652, MSFT_Q2, 2025, "Q2", "10-Q", "2025-01-29"),
    fact("2024-07-01", "2024-12-31", 30_727, MSFT_Q2, 2025, "Q2", "10-Q", "2025-01-29"),
    # 10-Q FQ3: 3M and 9M YTD, both years.
    fact("2024-01-01", "2024-03-31", 10_952, MSFT_Q3, 2025, "Q3", "10-Q", "2025-04-30"),
    fact("2025-01-01", "2025-03-31", 16_745, MSFT_Q3, 2025, "Q3", "10-Q", "2025-04-30"),
    fact("2023-07-01", "2024-03-31", 30_604, MSFT_Q3, 2025, "Q3", "10-Q", "2025-04-30"),
    fact("2024-07-01", "2025-03-31", 47_472, MSFT_Q3, 2025, "Q3", "10-Q", "2025-04-30"),
    # 10-K FY2025: the fiscal year plus comparatives stamped fy=2025.
    fact("2023-07-01", "2024-06-30", 44_477, MSFT_K, 2025, "FY", "10-K", "2025-07-30"),
    fact("2024-07-01", "2025-06-30", 64_551, MSFT_K, 2025, "FY", "10-K", "2025-07-30"),
]


def test_msft_fiscal_q4_is_fy_minus_9m_and_labelled_calendar_q2():
    out = xbrl.quarterize(parse_facts(concept(PPE, MSFT_FACTS)), [PPE])

    assert millions(out) == {
        "2023Q3": 9_917,
        "2023Q4": 9_735,
        "2024Q1": 10_952,
        "2024Q2": 13_873,  # FY2024 44,477 - 9M 30,604
        "2024Q3": 14_923,
        "2024Q4": 15_804,
        "2025Q1": 16_745,
        "2025Q2": 17_079,  # SOURCES.md §1.8: FY2025 64,551 - 9M 47,472
    }
    q4 = out.loc[pd.Period("2025Q2")]
    assert q4["method"] == "derived"
    assert (q4["start"], q4["end"], q4["days"]) == (
        pd.Timestamp("2025-04-01"),
        pd.Timestamp("2025-06-30"),
        91,
    )
    assert (q4["form"], q4["accn"], q4["derived_from"]) == ("10-K", MSFT_K, MSFT_Q3)
    assert q4["filed"] == pd.Timestamp("2025-07-30")
    assert q4["tag"] == PPE
    # The 3-month columns win over 6M - 3M / 9M - 6M differences.
    direct = out[out["method"] == "direct"]
    direct_quarters = ["2023Q3", "2023Q4", "2024Q1", "2024Q3", "2024Q4", "2025Q1"]
    assert list(direct.index.astype(str)) == direct_quarters
    assert direct["derived_from"].isna().all()
    assert (direct["days"].between(90, 92)).all()


def test_output_shape():
    out = xbrl.quarterize(parse_facts(concept(PPE, MSFT_FACTS)), [PPE])

    assert isinstance(out.index, pd.PeriodIndex)
    assert out.index.freqstr.startswith("Q") and out.index.name == "quarter"
    assert out.index.is_monotonic_increasing and out.index.is_unique
    assert list(out.columns) == list(xbrl.QUARTER_COLUMNS)
    assert out["value_usd"].dtype == "float64"
    assert out["days"].dtype == "int64"
    assert out["derived_from"].iloc[0] is None


# --- (b) GOOGL: 10-Qs carry only YTD cash flows ----------------------------------------------

GOOGL_FACTS = [
    fact("2024-01-01", "2024-03-31", 12_012, "g-q1", 2024, "Q1", "10-Q", "2024-04-26"),
    fact("2024-01-01", "2024-06-30", 25_198, "g-q2", 2024, "Q2", "10-Q", "2024-07-24"),
    fact("2024-01-01", "2024-09-30", 38_259, "g-q3", 2024, "Q3", "10-Q", "2024-10-30"),
    fact("2024-01-01", "2024-12-31", 52_535, "g-k", 2024, "FY", "10-K", "2025-02-05"),
]


def test_googl_ytd_only_10qs_give_all_four_quarters():
    out = xbrl.quarterize(parse_facts(concept(PPE, GOOGL_FACTS)), [PPE])

    assert millions(out) == {"2024Q1": 12_012, "2024Q2": 13_186, "2024Q3": 13_061, "2024Q4": 14_276}
    assert list(out["method"]) == ["direct", "derived", "derived", "derived"]
    assert list(out["accn"]) == ["g-q1", "g-q2", "g-q3", "g-k"]
    assert list(out["derived_from"]) == [None, "g-q1", "g-q2", "g-q3"]
    assert list(out["start"].dt.strftime("%m-%d")) == ["01-01", "04-01", "07-01", "10-01"]
    assert out["value_usd"].sum() == 52_535 * M


# --- (c) AMZN: trailing-twelve-month columns in 10-Qs ----------------------------------------

AMZN_FACTS = [
    fact("2024-01-01", "2024-03-31", 14_925, "a-q1", 2024, "Q1", "10-Q", "2024-05-01"),
    fact("2023-04-01", "2024-03-31", 50_000, "a-q1", 2024, "Q1", "10-Q", "2024-05-01"),  # TTM
    fact("2024-04-01", "2024-06-30", 17_620, "a-q2", 2024, "Q2", "10-Q", "2024-08-02"),
    fact("2024-01-01", "2024-06-30", 32_545, "a-q2", 2024, "Q2", "10-Q", "2024-08-02"),
    fact("2023-07-01", "2024-06-30", 56_000, "a-q2", 2024, "Q2", "10-Q", "2024-08-02"),  # TTM
    fact("2024-07-01", "2024-09-30", 22_620, "a-q3", 2024, "Q3", "10-Q", "2024-11-01"),
    fact("2024-01-01", "2024-09-30", 55_165, "a-q3", 2024, "Q3", "10-Q", "2024-11-01"),
    fact("2023-10-01", "2024-09-30", 69_000, "a-q3", 2024, "Q3", "10-Q", "2024-11-01"),  # TTM
    fact("2024-01-01", "2024-12-31", 82_999, "a-k", 2024, "FY", "10-K", "2025-02-07"),
    # A 10-Q column spanning exactly calendar 2024 and filed after the 10-K: left in, it would
    # replace the fiscal year (latest filed wins) and Q4 would come out as 93,000 - 55,165.
    fact("2024-01-01", "2024-12-31", 93_000, "a-q1-25", 2025, "Q1", "10-Q", "2025-05-02"),
    # A TTM column that starts where the 2024 Q2 3M column starts: never part of that chain.
    fact("2024-04-01", "2025-03-31", 95_000, "a-q1-25", 2025, "Q1", "10-Q", "2025-05-02"),
]


def test_amzn_ttm_columns_in_10qs_are_ignored():
    out = xbrl.quarterize(parse_facts(concept(PRODUCTIVE, AMZN_FACTS)), [PRODUCTIVE])

    assert millions(out) == {"2024Q1": 14_925, "2024Q2": 17_620, "2024Q3": 22_620, "2024Q4": 27_834}
    q4 = out.loc[pd.Period("2024Q4")]
    assert (q4["method"], q4["accn"], q4["derived_from"]) == ("derived", "a-k", "a-q3")
    assert "a-q1-25" not in set(out["accn"]) | set(out["derived_from"].dropna())


def test_a_ttm_column_never_stands_in_for_a_missing_fiscal_year():
    without_10k = [f for f in AMZN_FACTS if f["form"] != "10-K"]
    out = xbrl.quarterize(parse_facts(concept(PRODUCTIVE, without_10k)), [PRODUCTIVE])

    assert millions(out) == {"2024Q1": 14_925, "2024Q2": 17_620, "2024Q3": 22_620}


def test_annual_length_facts_from_annual_forms_are_kept():
    facts = [
        fact("2024-01-01", "2024-09-30", 30, "k-q3", 2024, "Q3", "10-Q", "2024-11-01"),
        fact("2024-01-01", "2024-12-31", 45, "k-ka", 2024, "FY", "10-K/A", "2025-03-01"),
    ]
    out = xbrl.quarterize(parse_facts(concept(PPE, facts)), [PPE])

    assert millions(out) == {"2024Q4": 15}
    assert out["form"].iloc[0] == "10-K/A"


# --- (d) restatement: latest filed wins ------------------------------------------------------


def test_restated_value_latest_filed_wins_with_its_accn():
    restated = [
        # Q1 2024 as first reported, then restated as a comparative in the Q1 2025 10-Q.
        fact("2024-01-01", "2024-03-31", 12_100, "g-q1-25", 2025, "Q1", "10-Q", "2025-04-25"),
        # FY2024 restated in the FY2025 10-K (comparative stamped fy=2025).
        fact("2024-01-01", "2024-12-31", 52_600, "g-k-25", 2025, "FY", "10-K", "2026-02-04"),
    ]
    out = xbrl.quarterize(parse_facts(concept(PPE, GOOGL_FACTS + restated)), [PPE])

    q1 = out.loc[pd.Period("2024Q1")]
    assert (q1["value_usd"], q1["accn"]) == (12_100 * M, "g-q1-25")
    assert q1["filed"] == pd.Timestamp("2025-04-25")
    q2 = out.loc[pd.Period("2024Q2")]  # 6M as filed - restated 3M
    assert (q2["value_usd"], q2["derived_from"]) == (13_098 * M, "g-q1-25")
    q4 = out.loc[pd.Period("2024Q4")]
    assert (q4["value_usd"], q4["accn"], q4["filed"]) == (
        14_341 * M,
        "g-k-25",
        pd.Timestamp("2026-02-04"),
    )


def test_restatement_order_in_payload_does_not_matter():
    late = fact("2024-01-01", "2024-03-31", 12_100, "late", 2025, "Q1", "10-Q", "2025-04-25")
    early = fact("2024-01-01", "2024-03-31", 12_012, "early", 2024, "Q1", "10-Q", "2024-04-26")
    for order in ([late, early], [early, late]):
        out = xbrl.quarterize(parse_facts(concept(PPE, order)), [PPE])
        assert (out["value_usd"].iloc[0], out["accn"].iloc[0]) == (12_100 * M, "late")


# --- (e) tag switch --------------------------------------------------------------------------

OLD_TAG_2016 = [
    fact("2016-01-01", "2016-03-31", 1_420, "o-q1", 2016, "Q1", "10-Q", "2016-04-29"),
    fact("2016-01-01", "2016-06-30", 3_100, "o-q2", 2016, "Q2", "10-Q", "2016-07-29"),
    fact("2016-01-01", "2016-09-30", 4_980, "o-q3", 2016, "Q3", "10-Q", "2016-10-28"),
    fact("2016-01-01", "2016-12-31", 7_804, "o-k", 2016, "FY", "10-K", "2017-02-10"),
    # Still filed under the old tag in a 2017 10-Q (and later than the new tag's fact): the
    # priority order decides, not the filing date.
    fact("2017-01-01", "2017-03-31", 9_999, "o-late", 2017, "Q1", "10-Q", "2017-05-01"),
]
NEW_TAG_2017 = [
    fact("2017-01-01", "2017-03-31", 2_689, "n-q1", 2017, "Q1", "10-Q", "2017-04-28"),
    fact("2017-01-01", "2017-06-30", 5_859, "n-q2", 2017, "Q2", "10-Q", "2017-07-28"),
    fact("2017-01-01", "2017-09-30", 8_612, "n-q3", 2017, "Q3", "10-Q", "2017-10-27"),
    fact("2017-01-01", "2017-12-31", 11_955, "n-k", 2017, "FY", "10-K", "2018-02-02"),
]


def test_tag_switch_gives_one_continuous_series_with_the_tag_recorded():
    payload = companyfacts({PPE: OLD_TAG_2016, PRODUCTIVE: NEW_TAG_2017})
    out = xbrl.quarterize(parse_facts(payload), [PRODUCTIVE, PPE])

    assert millions(out) == {
        "2016Q1": 1_420,
        "2016Q2": 1_680,
        "2016Q3": 1_880,
        "2016Q4": 2_824,
        "2017Q1": 2_689,
        "2017Q2": 3_170,
        "2017Q3": 2_753,
        "2017Q4": 3_343,
    }
    assert list(out.index) == list(pd.period_range("2016Q1", "2017Q4", freq="Q"))
    assert list(out["tag"]) == [PPE] * 4 + [PRODUCTIVE] * 4


def test_tag_priority_follows_the_tags_argument():
    payload = companyfacts({PPE: OLD_TAG_2016, PRODUCTIVE: NEW_TAG_2017})
    out = xbrl.quarterize(parse_facts(payload), [PPE, PRODUCTIVE])

    q1 = out.loc[pd.Period("2017Q1")]
    assert (q1["value_usd"], q1["tag"], q1["accn"]) == (9_999 * M, PPE, "o-late")
    # 6M under the new tag minus 3M under the old one: both tags named, later first.
    q2 = out.loc[pd.Period("2017Q2")]
    assert (q2["value_usd"], q2["tag"]) == ((5_859 - 9_999) * M, f"{PRODUCTIVE} - {PPE}")


def test_tags_not_listed_are_ignored():
    payload = companyfacts({PPE: OLD_TAG_2016, PRODUCTIVE: NEW_TAG_2017})
    out = xbrl.quarterize(parse_facts(payload), [PRODUCTIVE])

    assert list(out.index.astype(str)) == ["2017Q1", "2017Q2", "2017Q3", "2017Q4"]
    assert out.loc[pd.Period("2017Q1"), "value_usd"] == 2_689 * M


# --- (f) a missing YTD step is never bridged -------------------------------------------------


def test_missing_6m_leaves_q2_and_q3_absent_but_q4_is_derived():
    facts = [f for f in GOOGL_FACTS if f["accn"] != "g-q2"]
    out = xbrl.quarterize(parse_facts(concept(PPE, facts)), [PPE])

    assert millions(out) == {"2024Q1": 12_012, "2024Q4": 14_276}
    assert pd.Period("2024Q2") not in out.index
    assert pd.Period("2024Q3") not in out.index
    assert (out["value_usd"] != 0).all()


# --- (g) ORCL: May fiscal year labelled by midpoint ------------------------------------------


def test_orcl_may_fiscal_year_labelled_by_calendar_midpoint():
    facts = [
        fact("2024-06-01", "2024-08-31", 2_303, "o-fq1", 2025, "Q1", "10-Q", "2024-09-10"),
        fact("2024-09-01", "2024-11-30", 3_998, "o-fq2", 2025, "Q2", "10-Q", "2024-12-10"),
        fact("2024-06-01", "2024-11-30", 6_301, "o-fq2", 2025, "Q2", "10-Q", "2024-12-10"),
        fact("2024-12-01", "2025-02-28", 5_862, "o-fq3", 2025, "Q3", "10-Q", "2025-03-11"),
        fact("2024-06-01", "2025-02-28", 12_163, "o-fq3", 2025, "Q3", "10-Q", "2025-03-11"),
        fact("2024-06-01", "2025-05-31", 21_215, "o-k", 2025, "FY", "10-K", "2025-06-18"),
    ]
    out = xbrl.quarterize(parse_facts(concept(PPE, facts)), [PPE])

    assert millions(out) == {"2024Q3": 2_303, "2024Q4": 3_998, "2025Q1": 5_862, "2025Q2": 9_052}
    assert list(out["end"].dt.strftime("%Y-%m-%d")) == [
        "2024-08-31",
        "2024-11-30",
        "2025-02-28",
        "2025-05-31",
    ]
    q4 = out.loc[pd.Period("2025Q2")]
    assert (q4["start"], q4["method"], q4["days"]) == (pd.Timestamp("2025-03-01"), "derived", 92)


@pytest.mark.parametrize(
    ("start", "end", "quarter"),
    [
        ("2025-04-01", "2025-06-30", "2025Q2"),  # MSFT fiscal Q4
        ("2024-06-01", "2024-08-31", "2024Q3"),  # ORCL fiscal Q1
        ("2024-10-28", "2025-01-26", "2024Q4"),  # NVDA fiscal Q4
        ("2022-09-25", "2022-12-31", "2022Q4"),  # AAPL 14-week fiscal Q1
    ],
)
def test_calendar_quarter_uses_the_midpoint(start, end, quarter):
    assert xbrl.calendar_quarter(pd.Timestamp(start), pd.Timestamp(end)) == pd.Period(quarter)


def test_two_fiscal_quarters_in_one_calendar_quarter_keep_the_later_end():
    facts = [
        fact("2024-10-01", "2024-12-31", 10, "early", 2024, "Q3", "10-Q", "2025-01-30"),
        fact("2024-11-01", "2025-01-31", 20, "later", 2024, "Q4", "10-KT", "2025-03-30"),
    ]
    out = xbrl.quarterize(parse_facts(concept(PPE, facts)), [PPE])

    assert millions(out) == {"2024Q4": 20}
    assert out["accn"].iloc[0] == "later"


# --- (h) comparatives: fy/fp stamps of later filings never duplicate a period ----------------


def test_comparatives_with_other_fy_fp_stamps_do_not_duplicate():
    comparatives = [
        # The same 2024 periods repeated by 2025 filings, stamped with their own fy/fp.
        fact("2024-01-01", "2024-03-31", 12_012, "g-q1-25", 2025, "Q1", "10-Q", "2025-04-25"),
        fact("2024-01-01", "2024-06-30", 25_198, "g-q2-25", 2025, "Q2", "10-Q", "2025-07-24"),
        fact("2024-01-01", "2024-09-30", 38_259, "g-q3-25", 2025, "Q3", "10-Q", "2025-10-30"),
        fact("2024-01-01", "2024-12-31", 52_535, "g-k-25", 2025, "FY", "10-K", "2026-02-04"),
        fact("2024-01-01", "2024-12-31", 52_535, "g-k-26", 2026, "FY", "10-K", "2027-02-03"),
    ]
    out = xbrl.quarterize(parse_facts(concept(PPE, GOOGL_FACTS + comparatives)), [PPE])

    assert out.index.is_unique and len(out) == 4
    assert millions(out) == {"2024Q1": 12_012, "2024Q2": 13_186, "2024Q3": 13_061, "2024Q4": 14_276}
    assert list(out["accn"]) == ["g-q1-25", "g-q2-25", "g-q3-25", "g-k-26"]


def test_non_periodic_forms_and_other_units_are_ignored():
    facts = [
        *GOOGL_FACTS,
        fact("2025-01-01", "2025-03-31", 17_197, "g-8k", 2025, "Q1", "8-K", "2025-04-24"),
        fact("2025-01-01", "2025-03-31", 17_197, "g-s1", 2025, "Q1", "S-1", "2025-04-24"),
    ]
    payload = concept(PPE, facts)
    payload["units"]["EUR"] = [
        fact("2025-04-01", "2025-06-30", 1, "g-eur", 2025, "Q2", "10-Q", "2025-07-24")
    ]
    out = xbrl.quarterize(parse_facts(payload), [PPE])

    assert list(out.index.astype(str)) == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]


def test_nothing_to_quarterize_gives_an_empty_frame_of_the_same_shape():
    out = xbrl.quarterize(parse_facts(concept(PPE, GOOGL_FACTS)), [PRODUCTIVE])

    assert out.empty and list(out.columns) == list(xbrl.QUARTER_COLUMNS)
    assert isinstance(out.index, pd.PeriodIndex) and out.index.name == "quarter"
    assert out["value_usd"].dtype == "float64"


def test_bad_tags_are_refused():
    facts = parse_facts(concept(PPE, GOOGL_FACTS))
    with pytest.raises(TypeError, match="not the string"):
        xbrl.quarterize(facts, PPE)
    with pytest.raises(ValueError, match="empty"):
        xbrl.balances(facts, [])
    with pytest.raises(ValueError, match="val"):
        xbrl.quarterize(facts.drop(columns="val"), [PPE])


# --- (i) balances from instant facts ---------------------------------------------------------


def test_balances_from_instant_facts():
    cash = [
        fact(None, "2023-12-31", 24_048, "c-k23", 2023, "FY", "10-K", "2024-02-02"),
        fact(None, "2023-12-31", 24_048, "c-q1", 2024, "Q1", "10-Q", "2024-04-26"),  # comparative
        fact(None, "2024-02-15", 99_999, "c-q1", 2024, "Q1", "10-Q", "2024-04-26"),  # mid-quarter
        fact(None, "2024-03-31", 24_493, "c-q1", 2024, "Q1", "10-Q", "2024-04-26"),
        fact(None, "2024-06-30", 27_227, "c-q2", 2024, "Q2", "10-Q", "2024-07-24"),
        fact(None, "2024-06-30", 27_300, "c-q2a", 2024, "Q2", "10-Q/A", "2024-09-01"),  # restated
        fact(None, "2024-09-30", 1, "c-8k", 2024, "Q3", "8-K", "2024-10-29"),  # not periodic
        # A duration fact of the same tag is not a balance.
        fact("2024-01-01", "2024-03-31", 5, "c-q1", 2024, "Q1", "10-Q", "2024-04-26"),
    ]
    restricted = [
        fact(None, "2024-06-30", 28_000, "c-q2", 2024, "Q2", "10-Q", "2024-07-24"),
        fact(None, "2024-12-31", 23_466, "c-k24", 2024, "FY", "10-K", "2025-02-05"),
    ]
    payload = companyfacts({CASH: cash, CASH_RESTRICTED: restricted})
    out = xbrl.balances(parse_facts(payload), [CASH, CASH_RESTRICTED])

    assert list(out.columns) == list(xbrl.BALANCE_COLUMNS)
    assert isinstance(out.index, pd.PeriodIndex) and out.index.name == "quarter"
    assert millions(out) == {
        "2023Q4": 24_048,
        "2024Q1": 24_493,
        "2024Q2": 27_300,
        "2024Q4": 23_466,
    }
    assert list(out["tag"]) == [CASH, CASH, CASH, CASH_RESTRICTED]
    assert list(out["accn"]) == ["c-q1", "c-q1", "c-q2a", "c-k24"]
    assert out.loc[pd.Period("2024Q2"), "form"] == "10-Q/A"
    assert out.loc[pd.Period("2024Q1"), "end"] == pd.Timestamp("2024-03-31")


def test_quarterize_ignores_instant_facts():
    cash = [fact(None, "2024-03-31", 24_493, "c-q1", 2024, "Q1", "10-Q", "2024-04-26")]
    out = xbrl.quarterize(parse_facts(concept(CASH, cash)), [CASH])

    assert out.empty


# --- (j) ttm needs four consecutive calendar quarters ----------------------------------------


def test_ttm_requires_four_consecutive_quarters():
    quarters = ["2022Q4", "2023Q1", "2023Q2", "2023Q3", "2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    quarters += ["2025Q1"]
    values = pd.Series(
        [1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0, 40.0, 50.0],
        index=pd.PeriodIndex(quarters, freq="Q", name="quarter"),
        name="value_usd",
    )
    out = xbrl.ttm(values)

    # 2024Q1..Q3 have four rows behind them but not four quarters (2023Q4 is missing).
    assert out.to_dict() == {
        pd.Period("2023Q3"): 10.0,
        pd.Period("2024Q4"): 100.0,
        pd.Period("2025Q1"): 140.0,
    }
    assert out.name == "value_usd" and out.index.name == "quarter"


def test_ttm_treats_nan_as_missing_and_sorts():
    index = pd.PeriodIndex(["2024Q4", "2024Q1", "2024Q2", "2024Q3", "2025Q1"], freq="Q")
    out = xbrl.ttm(pd.Series([4.0, 1.0, None, 3.0, 5.0], index=index))

    assert out.empty


def test_ttm_of_quarterized_msft_is_the_fiscal_year():
    out = xbrl.quarterize(parse_facts(concept(PPE, MSFT_FACTS)), [PPE])
    total = xbrl.ttm(out["value_usd"])

    assert total.loc[pd.Period("2024Q2")] == 44_477 * M
    assert total.loc[pd.Period("2025Q2")] == 64_551 * M
    assert list(total.index.astype(str)) == ["2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2"]


def test_ttm_refuses_a_non_quarterly_index():
    with pytest.raises(TypeError):
        xbrl.ttm(pd.Series([1.0], index=pd.DatetimeIndex(["2024-03-31"])))
    with pytest.raises(ValueError, match="duplicates"):
        xbrl.ttm(pd.Series([1.0, 2.0], index=pd.PeriodIndex(["2024Q1", "2024Q1"], freq="Q")))


# -- versions: what was public on a day -------------------------------------------------------
# A calendar-year filer. Q1 2024 is first filed 2024-04-25 at 100M and restated to 110M in the
# 10-Q of 2024-10-24 (a comparative column with a new value); Q2 comes only as a 6-month YTD
# fact (230M, filed 2024-07-25), so Q2 = 230 - 100 = 130M until the restatement, then
# 230 - 110 = 120M (the YTD fact itself is unchanged). Q3 is filed late, on 2024-12-20, more
# than 45 days after its end.
RESTATED = [
    fact("2024-01-01", "2024-03-31", 100, "q1", 2024, "Q1", "10-Q", "2024-04-25"),
    fact("2024-01-01", "2024-06-30", 230, "q2", 2024, "Q2", "10-Q", "2024-07-25"),
    fact("2024-01-01", "2024-03-31", 110, "q2b", 2024, "Q2", "10-Q", "2024-10-24"),
    fact("2024-07-01", "2024-09-30", 90, "q3", 2024, "Q3", "10-Q", "2024-12-20"),
]


def test_versions_keep_each_value_with_the_filing_that_made_it_public():
    facts = parse_facts(concept(PPE, RESTATED))
    versions = xbrl.versions(facts, [PPE])
    got = [(str(r.quarter), f"{r.known:%Y-%m-%d}", r.value_usd / M) for r in versions.itertuples()]
    assert got == [
        ("2024Q1", "2024-04-25", 100.0),
        ("2024Q1", "2024-10-24", 110.0),
        ("2024Q2", "2024-07-25", 130.0),
        ("2024Q2", "2024-10-24", 120.0),
        ("2024Q3", "2024-12-20", 90.0),
    ]


@pytest.mark.parametrize(
    ("asof", "expected"),
    [
        ("2024-04-24", {}),  # the day before the first 10-Q: nothing public
        ("2024-09-30", {"2024Q1": 100.0, "2024Q2": 130.0}),  # restatement not yet filed
        # Q3 ended 2024-09-30; end + 45 days is 2024-11-14, but its 10-Q came on 2024-12-20.
        ("2024-11-20", {"2024Q1": 110.0, "2024Q2": 120.0}),
        ("2024-12-20", {"2024Q1": 110.0, "2024Q2": 120.0, "2024Q3": 90.0}),
    ],
)
def test_a_quarter_as_of_a_day_is_the_value_of_the_filings_made_by_then(asof, expected):
    versions = xbrl.versions(parse_facts(concept(PPE, RESTATED)), [PPE])
    table = capex.as_known(versions.assign(ticker="X", basis=capex.FILED), asof)
    got = {str(q): v / M for q, v in table["X"].dropna().items()} if not table.empty else {}
    assert got == expected


def test_versions_end_where_quarterize_ends():
    # The last version of each quarter is today's value: nothing dropped or invented.
    facts = parse_facts(concept(PPE, RESTATED))
    last = xbrl.versions(facts, [PPE]).groupby("quarter")["value_usd"].last()
    assert millions(last.to_frame()) == millions(xbrl.quarterize(facts, [PPE]))
