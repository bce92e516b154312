"""The forward drain calendar on hand-built frames. Every expected date and amount is worked out
by hand in the comment beside it (day counts spelled out, amounts in $ billions = dollars / 1e9);
none is computed with the code under test. The last test replays the real data pack."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pandas as pd
import pytest

from liquidity.analytics import drain_calendar as dc
from liquidity.core.catalog import AUCTION_COLUMNS, FILING_COLUMNS
from liquidity.core.errors import ValidationError
from liquidity.data.balance_sheet import BALANCE_SHEET_CSV, load_balance_sheet

T = pd.Timestamp
NAT = pd.NaT
NO_FED = pd.DataFrame(columns=list(dc.BALANCE_SHEET_COLUMNS))


def auction(
    auction_date,
    issue_date,
    term,
    cusip,
    *,
    offering=None,
    total=None,
    status=None,
    maturity=None,
    announced=None,
    kind=None,
):
    if status is None:
        status = "auctioned" if total is not None else "announced" if offering else "upcoming"
    return {
        "auction_date": T(auction_date),
        "issue_date": T(issue_date),
        "maturity_date": T(maturity) if maturity else NAT,
        "announcement_date": T(announced) if announced else NAT,
        "security_type": kind or ("Bill" if term.endswith("Week") else "Note"),
        "security_term": term,
        "cusip": cusip,
        "offering_amt_usd": math.nan if offering is None else float(offering),
        "total_accepted_usd": math.nan if total is None else float(total),
        "status": status,
        "source": f"hand:{cusip}",
    }


def auctions(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(AUCTION_COLUMNS))


def cal(rows, asof, weeks, **kwargs):
    kwargs.setdefault("balance_sheet", NO_FED)
    return dc.calendar(rows, asof=asof, weeks=weeks, **kwargs)


def gap(rows, asof, weeks):
    """The maturity coverage text of (asof, asof + 7·weeks], as a caller passes it on."""
    return dc.maturity_gap(rows, asof, T(asof) + pd.Timedelta(days=7 * weeks))


def of_kind(frame, kind):
    return frame[frame["kind"] == kind].reset_index(drop=True)


def by_cusip(frame, cusip):
    hits = frame[frame["label"].str.contains(cusip, regex=False)]
    assert len(hits) == 1, hits
    return hits.iloc[0]


# --- window and as-of -------------------------------------------------------------------------


def test_window_excludes_asof_and_includes_its_last_day():
    # As of Thu 2026-03-05 with 1 week the window is (03-05, 03-12].
    rows = auctions(
        auction("2026-03-03", "2026-03-05", "4-Week", "ON_ASOF", offering=80e9, total=80e9),
        auction("2026-03-05", "2026-03-10", "4-Week", "INSIDE", offering=90e9, total=95e9),
        auction(
            "2026-03-10", "2026-03-12", "8-Week", "ON_END", offering=85e9, announced="2026-03-04"
        ),
        auction(
            "2026-03-11", "2026-03-13", "8-Week", "AFTER", offering=85e9, announced="2026-03-04"
        ),
    )
    frame = of_kind(cal(rows, "2026-03-05", 1), "settlement")
    assert list(frame["date"]) == [T("2026-03-10"), T("2026-03-12")]
    assert list(frame["label"]) == ["4-Week Bill INSIDE settles", "8-Week Bill ON_END settles"]
    # INSIDE was auctioned on the as-of day: its total, 95e9 → 95; ON_END only announced: 85.
    assert list(frame["amount_busd"]) == pytest.approx([95.0, 85.0])
    assert list(frame["effect_busd"]) == pytest.approx([-95.0, -85.0])
    assert list(frame["week"]) == [T("2026-03-09"), T("2026-03-09")]  # Tue and Thu: Monday 9th
    assert list(frame["known_since"]) == [T("2026-03-05"), T("2026-03-04")]


def test_announcement_after_asof_is_hidden_and_a_replay_sees_the_offering():
    rows = auctions(
        # Announced the day after the as-of date: not known yet.
        auction(
            "2026-03-09", "2026-03-12", "13-Week", "LATE_ANN", offering=70e9, announced="2026-03-06"
        ),
        # No announcement date: known only from its auction date (03-09), after the as-of date.
        auction("2026-03-09", "2026-03-12", "26-Week", "NO_ANN", offering=60e9, total=61e9),
        # Announced before; the data hold the later result (55e9), which a replay must not see.
        auction(
            "2026-03-09",
            "2026-03-12",
            "6-Week",
            "REPLAY",
            offering=50e9,
            total=55e9,
            announced="2026-03-02",
        ),
    )
    before = of_kind(cal(rows, "2026-03-05", 2), "settlement")
    assert len(before) == 1
    row = before.iloc[0]
    assert "REPLAY" in row["label"]
    assert row["amount_busd"] == pytest.approx(50.0)  # the offering, 50e9
    assert row["note"].startswith("offering")
    # As of the auction day the result is known: 55e9 → 55; the other two rows are known too
    # (LATE_ANN's offering 70, NO_ANN's total 61).
    after = of_kind(cal(rows, "2026-03-09", 1), "settlement")
    assert by_cusip(after, "REPLAY")["amount_busd"] == pytest.approx(55.0)
    assert by_cusip(after, "NO_ANN")["amount_busd"] == pytest.approx(61.0)
    assert by_cusip(after, "LATE_ANN")["amount_busd"] == pytest.approx(70.0)


def test_a_missing_offering_stays_nan_and_counts_as_unknown():
    rows = auctions(
        auction(
            "2026-03-05",
            "2026-03-10",
            "4-Week",
            "NOOFFER",
            status="upcoming",
            announced="2026-02-26",
        ),
    )
    frame = cal(rows, "2026-03-01", 2)
    row = by_cusip(of_kind(frame, "settlement"), "NOOFFER")
    assert math.isnan(row["amount_busd"]) and math.isnan(row["effect_busd"])
    assert row["note"] == "offering not yet announced"
    weeks = dc.weekly(frame, asof="2026-03-01", weeks=2, maturity_gap=gap(rows, "2026-03-01", 2))
    second = weeks.iloc[1]  # the week of Monday 2026-03-09
    assert (second["n_settlements"], second["n_settlements_sized"]) == (1, 0)
    assert second["n_unknown_amounts"] == 1
    assert math.isnan(second["settlements_busd"])  # never 0
    value, text = dc.net_cash_raised(
        frame, asof="2026-03-01", weeks=2, maturity_gap=gap(rows, "2026-03-01", 2)
    )
    assert math.isnan(value)
    assert text.startswith("0 of 1 settlements sized; no net: the first settlement, 2026-03-10")


def test_repeated_copies_of_one_auction_count_once():
    rows = auctions(
        auction("2026-03-05", "2026-03-10", "4-Week", "DUP", offering=90e9),
        auction("2026-03-05", "2026-03-10", "4-Week", "DUP", offering=90e9, total=93e9),
    )
    frame = of_kind(cal(rows, "2026-03-05", 1), "settlement")
    assert len(frame) == 1
    assert frame["amount_busd"].iloc[0] == pytest.approx(93.0)  # the copy with the result


# --- maturities -------------------------------------------------------------------------------


def test_bill_maturity_by_term_and_notes_not_guessed():
    rows = auctions(
        # 2025-12-04 + 91 days: 27 to Dec 31, +31 Jan, +28 Feb, +5 → 2026-03-05.
        auction("2025-12-01", "2025-12-04", "13-Week", "B13", total=90e9),
        # 52-week bill: 364 days, the same weekday (Thu 2025-03-06 → Thu 2026-03-05).
        auction("2025-03-04", "2025-03-06", "52-Week", "B52", total=40e9),
        # 2026-02-10 + 28 days → 2026-03-10.
        auction("2026-02-05", "2026-02-10", "4-Week", "B04", total=100e9),
        # A 42-day CMB: 2026-02-03 + 42 (25 to Feb 28, +17) → 2026-03-17.
        auction("2026-02-02", "2026-02-03", "42-Day", "CMB42", total=30e9, kind="CMB"),
        # A note with its maturity date given, and one without (not guessed).
        auction("2023-03-14", "2023-03-15", "3-Year", "N3", total=46e9, maturity="2026-03-15"),
        auction("2016-02-10", "2016-02-16", "10-Year", "N10", total=24e9),
    )
    typed = dc.auction_frame(rows)
    assert list(dc.maturity_dates(typed)) == [
        T("2026-03-05"),
        T("2026-03-05"),
        T("2026-03-10"),
        T("2026-03-17"),
        T("2026-03-15"),
        NAT,
    ]
    full = cal(rows, "2026-03-01", 3)  # window (03-01, 03-22]
    frame = of_kind(full, "maturity")
    assert [(d, a) for d, a in zip(frame["date"], frame["amount_busd"], strict=True)] == [
        (T("2026-03-05"), pytest.approx(90.0)),  # B13 (labels sort B13 before B52)
        (T("2026-03-05"), pytest.approx(40.0)),  # B52
        (T("2026-03-10"), pytest.approx(100.0)),
        (T("2026-03-15"), pytest.approx(46.0)),
        (T("2026-03-17"), pytest.approx(30.0)),
    ]
    assert (frame["effect_busd"] > 0).all()  # the Treasury pays holders: reserves added
    # The undated 10-year note issued 2016-02-16 could mature by 2026-02-16 + a month's slack.
    assert "1 note/bond issue(s) without a maturity date could mature" in gap(rows, "2026-03-01", 3)


def test_a_maturing_cusip_sums_its_reopening():
    rows = auctions(
        # 26-week bill: 2025-09-04 + 182 days (26 to Sep 30, +31 +30 +31 +31 +28, +5) → 03-05;
        # its 13-week reopening 2025-12-04 + 91 → 03-05 too. 80e9 + 90e9 → 170.
        auction("2025-09-02", "2025-09-04", "26-Week", "RE", total=80e9),
        auction("2025-12-01", "2025-12-04", "13-Week", "RE", total=90e9),
        # The same, but the reopening has no result in the data: unknown, not 80.
        auction("2025-09-02", "2025-09-04", "26-Week", "PARTIAL", total=80e9),
        auction(
            "2025-12-01",
            "2025-12-04",
            "13-Week",
            "PARTIAL",
            offering=90e9,
            status="auctioned(no result record)",
        ),
    )
    full = cal(rows, "2026-03-01", 1)
    frame = of_kind(full, "maturity")
    whole = by_cusip(frame, "RE ")
    assert whole["date"] == T("2026-03-05")
    assert whole["amount_busd"] == pytest.approx(170.0)
    assert whole["known_since"] == T("2025-09-02")
    assert whole["label"] == "26-Week Bill RE matures"
    assert whole["note"] == "total accepted summed over the auctions of 2025-09-02, 2025-12-01"
    partial = by_cusip(frame, "PARTIAL")
    assert math.isnan(partial["amount_busd"])
    assert partial["note"] == "total accepted not in the data for the 2025-12-01 auction"
    week = dc.weekly(full, asof="2026-03-01", weeks=1, maturity_gap=gap(rows, "2026-03-01", 1))
    assert (week["n_maturities"].iloc[0], week["n_maturities_sized"].iloc[0]) == (2, 1)
    assert week["maturities_busd"].iloc[0] == pytest.approx(170.0)


def test_a_reopening_auctioned_after_asof_is_left_out_of_the_maturity():
    rows = auctions(
        # 8-week bill 2026-02-10 + 56 days (18 to Feb 28, +31, +7) → 2026-04-07, total 75e9;
        # its 4-week reopening (announced 03-03, auctioned 03-05) 2026-03-10 + 28 → 04-07.
        auction("2026-02-05", "2026-02-10", "8-Week", "RO", total=75e9),
        auction("2026-03-05", "2026-03-10", "4-Week", "RO", offering=80e9, announced="2026-03-03"),
    )
    frame = cal(rows, "2026-03-04", 5)  # window (03-04, 04-08]
    maturity = by_cusip(of_kind(frame, "maturity"), "RO")
    assert maturity["date"] == T("2026-04-07")
    assert maturity["amount_busd"] == pytest.approx(75.0)
    assert "reopening auctioned 2026-03-05 (after the as-of date) not included" in maturity["note"]
    settlement = by_cusip(of_kind(frame, "settlement"), "RO")
    assert settlement["amount_busd"] == pytest.approx(80.0)  # the reopening's offering


# --- tax dates and the TGA reference ----------------------------------------------------------


@pytest.mark.parametrize(
    "nominal, moved",
    [
        ((2026, 1, 15), "2026-01-15"),  # a Thursday: stays
        ((2022, 1, 15), "2022-01-18"),  # Saturday; Monday 17th is MLK day (3rd Monday)
        ((2024, 9, 15), "2024-09-16"),  # Sunday → Monday
        ((2024, 1, 15), "2024-01-16"),  # Monday and MLK day (Jan 1, 8, 15) → Tuesday
        ((2022, 4, 15), "2022-04-18"),  # Friday, DC Emancipation Day observed (16th a Saturday)
        ((2023, 4, 15), "2023-04-18"),  # Saturday; Monday 17th is Emancipation Day observed
        ((2026, 4, 15), "2026-04-15"),  # a Wednesday: stays
    ],
)
def test_tax_days_move_off_weekends_and_holidays(nominal, moved):
    assert dc.tax_day(*nominal) == T(moved)


def test_tax_rows_in_the_window_with_the_moved_date():
    frame = cal(auctions(), "2022-01-10", 1)  # window (01-10, 01-17]: Jan 15 moves to 01-18
    assert of_kind(frame, "tax").empty
    frame = cal(auctions(), "2022-01-11", 1)  # window (01-11, 01-18]
    tax = of_kind(frame, "tax")
    assert list(tax["date"]) == [T("2022-01-18")]
    row = tax.iloc[0]
    assert math.isnan(row["amount_busd"]) and math.isnan(row["effect_busd"])
    assert pd.isna(row["known_since"])
    assert row["note"].startswith(
        "size not in the data; due 2022-01-15 (Saturday), moved to the next business day, "
        "2022-01-18; no TGA reference (no TGA series given)"
    )
    # Apr 15 2026 (a Wednesday) carries three items: individual and corporate estimated tax and
    # the filing deadline; Jun 15 2026 (a Monday) two; Dec 15 2026 (a Tuesday) one.
    for asof, day, items in [
        ("2026-04-14", "2026-04-15", 3),
        ("2026-06-08", "2026-06-15", 2),
        ("2026-12-14", "2026-12-15", 1),
    ]:
        tax = of_kind(cal(auctions(), asof, 1), "tax")
        assert list(tax["date"]) == [T(day)]
        assert tax["label"].iloc[0].count(";") == items - 1
    assert "filing deadline" in of_kind(cal(auctions(), "2026-04-14", 1), "tax")["label"].iloc[0]


def test_the_tga_reference_is_last_years_change_on_the_same_tax_date():
    # Tax day Tue 2026-09-15; a year earlier the date was Mon 2025-09-15, the previous federal
    # business day Fri 2025-09-12: (780,500 − 700,000) $M = +80.5 $B.
    tga = pd.Series(
        [650_000.0, 700_000.0, 780_500.0],
        index=pd.to_datetime(["2025-09-11", "2025-09-12", "2025-09-15"]),
    )
    row = of_kind(cal(auctions(), "2026-09-08", 2, tga=tga), "tax").iloc[0]
    assert row["date"] == T("2026-09-15")
    assert row["ref_tga_change_busd"] == pytest.approx(80.5)
    assert math.isnan(row["amount_busd"]) and math.isnan(row["effect_busd"])  # not a forecast
    assert (
        "reference, not a forecast: the TGA changed +$80.5B on 2025-09-15 (close vs 2025-09-12)"
        in row["note"]
    )
    lacking = of_kind(cal(auctions(), "2026-09-08", 2, tga=tga.drop(T("2025-09-12"))), "tax")
    assert math.isnan(lacking["ref_tga_change_busd"].iloc[0])
    assert "the series lacks 2025-09-15 or 2025-09-12" in lacking["note"].iloc[0]
    # Across a holiday: 2024's Jan 15 tax day is Tue 01-16; a year earlier Jan 15 2023 (Sunday)
    # moved past MLK day (Mon 16th) to Tue 2023-01-17, compared with Fri 2023-01-13:
    # (345,300 − 400,000) $M = −54.7 $B.
    tga = pd.Series([400_000.0, 345_300.0], index=pd.to_datetime(["2023-01-13", "2023-01-17"]))
    row = of_kind(cal(auctions(), "2024-01-12", 1, tga=tga), "tax").iloc[0]
    assert row["date"] == T("2024-01-16")
    assert row["ref_tga_change_busd"] == pytest.approx(-54.7)
    assert "changed -$54.7B on 2023-01-17 (close vs 2023-01-13)" in row["note"]


# --- Fed balance-sheet events -----------------------------------------------------------------


def write_csv(tmp_path, lines) -> Path:
    path = tmp_path / "balance_sheet.csv"
    header = "announced,effective,label,monthly_change_busd,source_url,detail"
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


URL = "https://www.federalreserve.gov/newsevents/pressreleases/monetary20990101a.htm"


def test_balance_sheet_events_appear_once_announced(tmp_path):
    sheet = load_balance_sheet(
        write_csv(
            tmp_path,
            [
                f"2026-03-18,2026-04-01,Cap change,-5,{URL},a cap",
                f"2026-02-01,2026-03-10,Purchases begin,,{URL},",
            ],
        )
    )
    assert list(sheet["label"]) == ["Purchases begin", "Cap change"]  # sorted by effective
    assert math.isnan(sheet["monthly_change_busd"].iloc[0])  # empty stays NaN, not 0
    # As of 03-05 (window to 04-02): the cap change is not announced yet; purchases are.
    fed = of_kind(cal(auctions(), "2026-03-05", 4, balance_sheet=sheet), "fed")
    assert list(fed["label"]) == ["Purchases begin"]
    assert fed["known_since"].iloc[0] == T("2026-02-01")
    assert fed["note"].iloc[0].startswith("pace not in the curated file")
    # As of 03-20 (window to 04-03): the cap change (effective 04-01) shows; purchases began
    # before the window and are not repeated.
    frame = cal(auctions(), "2026-03-20", 2, balance_sheet=sheet)
    fed = of_kind(frame, "fed")
    assert list(fed["label"]) == ["Cap change"]
    assert math.isnan(fed["amount_busd"].iloc[0]) and math.isnan(fed["effect_busd"].iloc[0])
    assert fed["note"].iloc[0].startswith("pace -$5.0B/month from 2026-04-01")
    assert fed["source"].iloc[0] == URL
    weeks = dc.weekly(frame, asof="2026-03-20", weeks=2, maturity_gap="")
    assert list(weeks["fed_events"]) == [0, 0, 1]  # weeks of 03-16, 03-23, 03-30
    assert weeks["n_unknown_amounts"].sum() == 0  # a pace is not an unknown amount


@pytest.mark.parametrize(
    "line, problem",
    [
        (f"2026-04-02,2026-04-01,Late,-5,{URL},", "announced after effective in row 3"),
        (f"2026-4-1,2026-04-01,Bad date,-5,{URL},", "malformed announced date"),
        (f"2026-03-01,2026-04-01,Bad number,about 5,{URL},", "malformed monthly_change_busd"),
        ("2026-03-01,2026-04-01,No source,-5,https://example.com/,", "source_url is not a Fed"),
        (f"2026-03-01,2026-04-01,,-5,{URL},", "empty label"),
    ],
)
def test_load_balance_sheet_names_a_malformed_row(tmp_path, line, problem):
    good = f"2024-05-01,2024-06-01,Good,-25,{URL},fine"
    with pytest.raises(ValidationError, match=problem):
        load_balance_sheet(write_csv(tmp_path, [good, line]))


def test_load_balance_sheet_requires_its_columns(tmp_path):
    path = tmp_path / "bs.csv"
    path.write_text("announced,effective,label\n2024-05-01,2024-06-01,x\n")
    with pytest.raises(ValidationError, match="missing column"):
        load_balance_sheet(path)


def test_the_shipped_balance_sheet_file():
    sheet = load_balance_sheet(BALANCE_SHEET_CSV)
    rows = {
        (a.strftime("%Y-%m-%d"), e.strftime("%Y-%m-%d")): c
        for a, e, c in zip(
            sheet["announced"], sheet["effective"], sheet["monthly_change_busd"], strict=True
        )
    }
    assert rows[("2024-05-01", "2024-06-01")] == -25  # Treasury cap $60B → $25B
    assert rows[("2025-03-19", "2025-04-01")] == -5  # $25B → $5B
    assert rows[("2025-10-29", "2025-12-01")] == 0  # runoff ends: holdings flat
    assert rows[("2025-12-10", "2025-12-12")] == 40  # reserve-management bill purchases
    assert (
        sheet["source_url"]
        .str.startswith(("https://www.federalreserve.gov/", "https://www.newyorkfed.org/"))
        .all()
    )


# --- weekly totals and the tile ---------------------------------------------------------------

# As of Sunday 2026-03-01, two weeks: (03-01, 03-15] = the weeks of Monday 03-02 and 03-09.
SCENARIO = auctions(
    # A: auctioned before the as-of date, result known: 90e9 → settles 03-03.
    auction("2026-02-26", "2026-03-03", "4-Week", "AAA", offering=85e9, total=90e9),
    # B: announced, auctioned 03-02 (after the as-of date): its offering, 85e9.
    auction(
        "2026-03-02",
        "2026-03-03",
        "8-Week",
        "BBB",
        offering=85e9,
        total=86e9,
        announced="2026-02-26",
    ),
    # C: 17-week bill 2025-11-04 + 119 days (26 to Nov 30, +31 +31 +28, +3) → 03-03, 70e9.
    auction("2025-10-30", "2025-11-04", "17-Week", "CCC", total=70e9),
    # D: 4-week bill 2026-02-10 + 28 → 03-10, 100e9.
    auction("2026-02-05", "2026-02-10", "4-Week", "DDD", total=100e9),
    # E: announced without an offering, settles 03-10: unknown.
    auction("2026-03-05", "2026-03-10", "4-Week", "EEE", status="upcoming", announced="2026-02-26"),
    # F: 13-week bill 2025-12-04 + 91 → Thu 03-05, 50e9: no settlement known that day.
    auction("2025-12-01", "2025-12-04", "13-Week", "FFF", total=50e9),
)
GAP = (
    # Auctions held by 03-01: 2025-10-30, 2025-12-01, 2026-02-05, 2026-02-26; the week of
    # 02-23 follows two empty weeks, so the data are complete at most from 02-26; the window
    # ends 03-15, within 364 days of it, so bills are missing too.
    "maturities of bills, notes and bonds issued before 2026-02-26 are not in the data "
    "(the data's first auction is 2025-10-30, with weeks missing until then), "
    "so the net overstates the drain"
)


def test_calendar_frame_shape_and_order():
    frame = cal(SCENARIO, "2026-03-01", 2)
    assert list(frame.columns) == dc.CALENDAR_COLUMNS
    # 03-03: maturity C, settlements A and B; 03-05: maturity F; 03-10: maturity D, settlement E.
    assert [
        (d.strftime("%m-%d"), k) for d, k in zip(frame["date"], frame["kind"], strict=True)
    ] == [
        ("03-03", "maturity"),
        ("03-03", "settlement"),
        ("03-03", "settlement"),
        ("03-05", "maturity"),
        ("03-10", "maturity"),
        ("03-10", "settlement"),
    ]
    assert gap(SCENARIO, "2026-03-01", 2) == GAP


def test_weekly_sums_net_and_coverage():
    frame = cal(SCENARIO, "2026-03-01", 3)
    weeks = dc.weekly(
        frame, asof="2026-03-01", weeks=3, maturity_gap=gap(SCENARIO, "2026-03-01", 3)
    )
    assert list(weeks.columns) == dc.WEEKLY_COLUMNS
    assert list(weeks["week"]) == [T("2026-03-02"), T("2026-03-09"), T("2026-03-16")]
    first, second, third = (weeks.iloc[i] for i in range(3))
    # Week 1: settlements A 90 + B 85 = 175; maturities C 70 + F 50 = 120; the net stops the day
    # before E's unsized settlement (03-09), so it covers the whole week, and F's day (03-05)
    # has no known settlement: 175 − 70 = 105.
    assert (first["n_settlements"], first["n_settlements_sized"]) == (2, 2)
    assert first["settlements_busd"] == pytest.approx(175.0)
    assert (first["n_maturities"], first["n_maturities_sized"]) == (2, 2)
    assert first["maturities_busd"] == pytest.approx(120.0)
    assert first["net_cash_raised_busd"] == pytest.approx(105.0)
    assert first["net_through"] == T("2026-03-08")
    assert (first["n_events"], first["n_unknown_amounts"]) == (4, 0)
    assert "1 maturity(ies) on days without a known settlement not netted" in first["coverage"]
    assert first["coverage"].startswith("2 of 2 settlements sized; 2 of 2 maturities sized")
    assert GAP in first["coverage"]
    # Week 2: E unsized, D 100 matures: no sized settlement by 03-09, so no net.
    assert (second["n_settlements"], second["n_settlements_sized"]) == (1, 0)
    assert math.isnan(second["settlements_busd"])
    assert second["maturities_busd"] == pytest.approx(100.0)
    assert math.isnan(second["net_cash_raised_busd"]) and pd.isna(second["net_through"])
    assert second["n_unknown_amounts"] == 1
    assert second["coverage"].startswith(
        "0 of 1 settlements sized; 1 of 1 maturities sized; "
        "no net this week: no sized settlement by 2026-03-09"
    )
    # Week 3: nothing in the data. Sums NaN, not 0; counts 0.
    assert (third["n_events"], third["n_settlements"], third["n_maturities"]) == (0, 0, 0)
    assert math.isnan(third["settlements_busd"]) and math.isnan(third["maturities_busd"])
    assert math.isnan(third["net_cash_raised_busd"])
    assert third["coverage"].startswith(
        "no settlement known yet; no maturity in the data; no net this week: the net stops at "
        "2026-03-09 (the settlement of 2026-03-10 is not sized)"
    )


def test_net_cash_raised_tile():
    frame = cal(SCENARIO, "2026-03-01", 4)
    value, text = dc.net_cash_raised(
        frame, asof="2026-03-01", weeks=2, maturity_gap=gap(SCENARIO, "2026-03-01", 2)
    )
    # Settlements A 90 + B 85 through 03-09, less C 70 (F's day has no settlement; D on 03-10
    # is after the net's last day): 105.
    assert value == pytest.approx(105.0)
    assert text == (
        "2 of 3 settlements sized; net through 2026-03-09 (the settlement of 2026-03-10 is not "
        "sized), later maturities not netted; 1 of 1 maturities to then sized; "
        "1 maturity(ies) on days without a known settlement not netted; " + GAP
    )
    # One week, (03-01, 03-08]: A and B are all the settlements, the last on 03-03.
    value, text = dc.net_cash_raised(
        frame, asof="2026-03-01", weeks=1, maturity_gap=gap(SCENARIO, "2026-03-01", 1)
    )
    assert value == pytest.approx(105.0)
    assert text.startswith(
        "2 of 2 settlements sized; net through 2026-03-03 (the last known settlement), later "
        "maturities not netted; 1 of 1 maturities to then sized"
    )


def test_the_maturity_gap_names_the_first_auction_when_the_data_have_no_gap():
    # One bill auction every week from Thu 2025-12-18 to Thu 2026-01-29 (7 weeks).
    thursdays = pd.date_range("2025-12-18", "2026-01-29", freq="7D")
    rows = auctions(
        *(
            auction(d, d + pd.Timedelta(days=5), "4-Week", f"W{i}", total=10e9)
            for i, d in enumerate(thursdays)
        )
    )
    assert gap(rows, "2026-02-01", 2) == (
        "maturities of bills, notes and bonds issued before 2025-12-18 are not in the data, "
        "so the net overstates the drain"
    )
    # A year on, every bill issued before 2025-12-18 has matured: only notes and bonds.
    assert gap(rows, "2026-12-20", 1) == (
        "maturities of notes and bonds issued before 2025-12-18 are not in the data, "
        "so the net overstates the drain"
    )


# --- bond deals -------------------------------------------------------------------------------


def filing(ticker, accn, form, filed, principal=None, settled=None, note=""):
    row = dict.fromkeys(FILING_COLUMNS, "")
    row.update(
        ticker=ticker,
        accn=accn,
        form=form,
        filed=T(filed),
        report_date=NAT,
        url=f"https://www.sec.gov/Archives/edgar/data/1/{accn}/doc.htm",
        principal_usd=math.nan if principal is None else float(principal),
        settlement_date=T(settled) if settled else NAT,
        parse_note=note,
    )
    return row


def test_bond_deals_are_duration_supply_not_reserves():
    filings = pd.DataFrame(
        [
            # META: preliminary and final supplement of one $30B deal settling 03-03.
            filing("META", "m-1", "424B5", "2026-02-24", 30e9, "2026-03-03"),
            filing("META", "m-2", "424B2", "2026-02-25", 30e9, "2026-03-03"),
            # Filed after the as-of date: not known yet.
            filing("MSFT", "s-1", "424B2", "2026-03-02", 20e9, "2026-03-05"),
            # Principal not parsed: listed, unsized.
            filing(
                "GOOGL", "g-1", "424B2", "2026-02-26", None, "2026-03-10", "amount not parsed: x"
            ),
            # No settlement date: dated by its filing, before the window, so never in it.
            filing("ORCL", "o-1", "424B5", "2026-02-27", 18e9),
            # An 8-K is not a bond settlement here.
            filing("AMZN", "a-1", "8-K", "2026-02-20", 15e9, "2026-03-04"),
        ],
        columns=["ticker", *FILING_COLUMNS],
    )
    frame = cal(auctions(), "2026-03-01", 2, filings=filings)
    bonds = of_kind(frame, "bond")
    assert list(bonds["date"]) == [T("2026-03-03"), T("2026-03-10")]
    assert bonds["amount_busd"].iloc[0] == pytest.approx(30.0)  # counted once
    assert "same deal as m-2" in bonds["note"].iloc[0]
    assert math.isnan(bonds["amount_busd"].iloc[1])
    assert "amount not parsed: x" in bonds["note"].iloc[1]
    assert bonds["effect_busd"].isna().all()
    assert bonds["note"].str.contains("moves deposits, not reserves").all()
    weeks = dc.weekly(frame, asof="2026-03-01", weeks=2, maturity_gap="")
    assert weeks["bond_supply_busd"].iloc[0] == pytest.approx(30.0)
    assert (weeks["n_bonds"].iloc[1], weeks["n_bonds_sized"].iloc[1]) == (1, 0)
    assert math.isnan(weeks["bond_supply_busd"].iloc[1])
    assert weeks["net_cash_raised_busd"].isna().all()  # bonds never enter the reserves net


# --- arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize("weeks", [0, 9, -1, 2.5, True, "4", None])
def test_weeks_out_of_range(weeks):
    with pytest.raises(ValueError, match="weeks must be"):
        cal(SCENARIO, "2026-03-01", weeks)


def test_weekly_and_tile_check_their_window():
    frame = cal(SCENARIO, "2026-03-01", 2)
    for weeks in (0, 9):
        with pytest.raises(ValueError, match="weeks must be"):
            dc.weekly(frame, asof="2026-03-01", weeks=weeks, maturity_gap=GAP)
        with pytest.raises(ValueError, match="weeks must be"):
            dc.net_cash_raised(frame, asof="2026-03-01", weeks=weeks, maturity_gap=GAP)
    with pytest.raises(ValueError, match="asof must be a date"):
        dc.net_cash_raised(frame, asof=None, weeks=1, maturity_gap=GAP)
    with pytest.raises(ValueError, match="missing column"):
        dc.calendar(SCENARIO.drop(columns="cusip"), asof="2026-03-01", weeks=1, balance_sheet=None)


def test_weekly_and_tile_ignore_rows_outside_their_window():
    # A four-week calendar read over its first two weeks gives what a two-week one gives: the
    # rows after 03-15 are ignored (the caller builds the tile's four weeks and shows fewer).
    wide, narrow = cal(SCENARIO, "2026-03-01", 4), cal(SCENARIO, "2026-03-01", 2)
    pd.testing.assert_frame_equal(
        dc.weekly(wide, asof="2026-03-01", weeks=2, maturity_gap=GAP),
        dc.weekly(narrow, asof="2026-03-01", weeks=2, maturity_gap=GAP),
    )
    assert dc.net_cash_raised(
        wide, asof="2026-03-01", weeks=2, maturity_gap=GAP
    ) == dc.net_cash_raised(narrow, asof="2026-03-01", weeks=2, maturity_gap=GAP)


# --- the real data pack -----------------------------------------------------------------------


def pack_auctions() -> Path:
    value = os.environ.get("LIQUIDITY_DATA_PACK", "").strip()
    path = Path(value) / "treasury" / "auctions.csv" if value else None
    if path is None or not path.is_file():
        pytest.skip("set LIQUIDITY_DATA_PACK to a folder with treasury/auctions.csv")
    return path


@pytest.mark.pack
def test_real_pack_as_of_2026_09_01():
    path = pack_auctions()
    raw = pd.read_csv(path, dtype={"cusip": str})
    tga_path = path.parent / "tga_daily.csv"
    tga = (
        pd.read_csv(tga_path, index_col="date", parse_dates=["date"])["close_balance_musd"]
        if tga_path.is_file()
        else None
    )
    frame = dc.calendar(
        raw, asof="2026-09-01", weeks=4, balance_sheet=load_balance_sheet(), tga=tga
    )
    # The pack has no announcement dates, so a row is known from its auction date. The rows
    # auctioned by 2026-09-01 that settle in (09-01, 09-29] are, read off the CSV by hand, the
    # four bills issued 2026-09-03 (auctioned 08-31 and 09-01).
    settle = of_kind(frame, "settlement")
    assert sorted(c for label in settle["label"] for c in label.split() if c.startswith("912")) == [
        "912797UK1",
        "912797VA2",
        "912797WA1",
        "912797WD5",
    ]
    assert set(settle["date"]) == {T("2026-09-03")}

    def csv_row(cusip, auction_date):
        rows = raw[(raw["cusip"] == cusip) & (raw["auction_date"] == auction_date)]
        assert len(rows) == 1
        return rows.iloc[0]

    # 912797WA1, the 52-week bill auctioned 09-01 (CSV line 198): no result record, offering
    # 52,000,000,000 → 52.
    assert csv_row("912797WA1", "2026-09-01")["offering_amt_usd"] == 52_000_000_000
    assert by_cusip(settle, "912797WA1")["amount_busd"] == pytest.approx(52.0)
    # 912797VA2, the 13-week reopening auctioned 08-31 (line 196): offering blank ("upcoming").
    assert pd.isna(csv_row("912797VA2", "2026-08-31")["offering_amt_usd"])
    va2 = by_cusip(settle, "912797VA2")
    assert math.isnan(va2["amount_busd"]) and va2["note"] == "offering not yet announced"
    # 912797RS8 matures 09-03: 13-week issued 06-04 (+91) and its 6-week reopening issued 07-23
    # (+42). CSV totals 94,635,153,300 + 100,784,923,100 = 195,420,076,400 → 195.4200764.
    rs8 = raw[raw["cusip"] == "912797RS8"]
    assert sorted(rs8["total_accepted_usd"]) == [94_635_153_300, 100_784_923_100]
    maturity = by_cusip(of_kind(frame, "maturity"), "912797RS8")
    assert maturity["date"] == T("2026-09-03")
    assert maturity["amount_busd"] == pytest.approx(195.4200764)
    # 912797VE4 matures 09-29, but its 4-week reopening auctioned 08-27 has no result: unknown.
    assert math.isnan(by_cusip(of_kind(frame, "maturity"), "912797VE4")["amount_busd"])
    # The tax day 2026-09-15 and its reference, the TGA on 2025-09-15 less 2025-09-12.
    tax = of_kind(frame, "tax")
    assert list(tax["date"]) == [T("2026-09-15")]
    if tga is not None:
        # tga_daily.csv: 2025-09-12 707,770 and 2025-09-15 857,709 ($M): +149.939 $B.
        assert (tga[T("2025-09-12")], tga[T("2025-09-15")]) == (707_770, 857_709)
        assert tax["ref_tga_change_busd"].iloc[0] == pytest.approx(149.939)
    # Only one of the four 09-03 settlements is sized, so there is no honest net yet.
    value, text = dc.net_cash_raised(
        frame, asof="2026-09-01", weeks=4, maturity_gap=gap(raw, "2026-09-01", 4)
    )
    assert math.isnan(value)
    assert text.startswith("1 of 4 settlements sized; no net: the first settlement, 2026-09-03")
