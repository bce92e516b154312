"""The supply channel's commands on the reference pack: `netliq --variant daily_tga`,
`calendar` and `debt`, each checked against rows of the pack's files read by hand."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from liquidity.cli import main
from liquidity.core import catalog
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.data.store import Store

pytestmark = pytest.mark.pack


@pytest.fixture
def library(real_pack, tmp_path):
    return Library(Store(tmp_path / "home"), DataPack(real_pack))


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_netliq_daily_tga_prints_csv(library, capsys):
    code = main(
        ["netliq", "--variant", "daily_tga", "--start", "2026-08-24", "--end", "2026-08-28"],
        library=library,
    )
    out = rows(capsys.readouterr().out)
    assert code == 0
    by_day = {r["date"]: r for r in out}
    # 2026-08-26: WALCL 6,730,912 $M (fred/WALCL.csv), RRP 0.702 $B (fred/RRPONTSYD.csv) and
    # the DTS close of that day (treasury/tga_daily.csv), all in $B.
    with open(library.pack.root / "treasury" / "tga_daily.csv") as fh:
        tga = {r["date"]: float(r["close_balance_musd"]) for r in csv.DictReader(fh)}
    expected = 6_730.912 - tga["2026-08-26"] / 1000 - 0.702
    assert float(by_day["2026-08-26"]["net_liquidity_b"]) == pytest.approx(expected, abs=1e-6)
    assert by_day["2026-08-26"]["walcl_date"] == "2026-08-26"
    # 2026-08-27: WALCL carried from the Wednesday before.
    assert by_day["2026-08-27"]["walcl_date"] == "2026-08-26"


def test_calendar_lists_the_known_events_of_the_week(library, capsys):
    code = main(["calendar", "--asof", "2026-09-01", "--weeks", "1"], library=library)
    captured = capsys.readouterr()
    assert code == 0
    events = rows(captured.out)
    labels = {r["label"]: r for r in events}
    # treasury/auctions.csv: 912797RS8 (13-week, issued 2026-06-04: 94,635,153,300 accepted;
    # reopened as a 6-week bill issued 2026-07-23: 100,784,923,100) matures 2026-06-04 + 91 d
    # = 2026-09-03: 195.420 $B paid out.
    rs8 = labels["13-Week Bill 912797RS8 matures"]
    assert (rs8["date"], float(rs8["effect_busd"])) == ("2026-09-03", pytest.approx(195.420))
    # 912797WA1, 52-week, auctioned 2026-09-01 with no result record: its 52,000,000,000
    # offering settles on 2026-09-03 and drains 52 $B.
    wa1 = labels["52-Week Bill 912797WA1 settles"]
    assert float(wa1["effect_busd"]) == pytest.approx(-52.0)
    # 912797VA2's 13-week reopening (2026-09-03) was not yet announced: no amount, not zero.
    assert labels["13-Week Bill 912797VA2 settles"]["amount_busd"] == ""
    # 912797VB0: 69,645,560,100 + 100,877,305,500 + 115,124,236,400 = 285.647 $B on 2026-09-08
    # (17 weeks after 2026-05-12).
    vb0 = labels["17-Week Bill 912797VB0 matures"]
    assert (vb0["date"], float(vb0["amount_busd"])) == ("2026-09-08", pytest.approx(285.647))
    assert all("2026-09-01" < r["date"] <= "2026-09-08" for r in events)
    assert captured.err.startswith("coverage: auctions 2025-12-18 → 2026-09-30")


def test_calendar_weekly(library, capsys):
    code = main(["calendar", "--asof", "2026-09-01", "--weeks", "2", "--weekly"], library=library)
    weeks = rows(capsys.readouterr().out)
    # The window (2026-09-01, 2026-09-15] touches three Monday weeks, the first and last partly.
    assert code == 0
    assert [w["week"] for w in weeks] == ["2026-08-31", "2026-09-07", "2026-09-14"]
    # Week of 2026-09-07: VB0 285.647 (above) + 912797UF2 (13-week issued 2026-06-11, matures
    # 2026-09-10; accepted 94,724,259,000 + its 6-week reopening 101,676,424,300 = 196.401)
    # = 482.048 $B of maturities.
    assert float(weeks[1]["maturities_busd"]) == pytest.approx(482.048, abs=1e-3)


def test_debt_prints_the_xbrl_totals_when_no_filings_are_in_the_data(library, capsys):
    code = main(["debt", "GOOGL"], library=library)
    out = {r["quarter"]: r for r in rows(capsys.readouterr().out) if r["ticker"] == "GOOGL"}
    assert code == 0
    # sec/GOOGL.csv, 2025Q1: ProceedsFromDebtNetOfIssuanceCosts 4,532,000,000
    # (tests/test_funding.py works it out); no filings index in the pack.
    assert float(out["2025Q1"]["debt_issued_b"]) == pytest.approx(4.532)
    assert out["2025Q1"]["raised_b"] == "" and out["2025Q1"]["status"] == "no filings"


def test_debt_filings_without_a_filings_index_says_what_to_do(library, capsys):
    code = main(["debt", "--filings"], library=library)
    err = capsys.readouterr().err
    assert code == 2 and "no debt filings" in err and "SEC_USER_AGENT" in err


def test_debt_weekly_and_filings_from_a_store_with_filings(real_pack, tmp_path, capsys):
    store = Store(tmp_path / "held")
    held = pd.DataFrame(
        {
            "accn": ["0001326801-25-000001", "0001326801-25-000002"],
            "form": ["424B2", "8-K"],
            "filed": pd.to_datetime(["2025-10-30", "2025-11-04"]).astype("datetime64[us]"),
            "report_date": pd.NaT,
            "items": ["", "2.03,9.01"],
            "document": ["d1.htm", "d2.htm"],
            "url": ["https://www.sec.gov/Archives/edgar/data/1326801/1/d1.htm"] * 2,
            "principal_usd": [30e9, 30e9],
            "settlement_date": pd.to_datetime(["2025-11-03", None]).astype("datetime64[us]"),
            "parse_note": ["", ""],
        }
    )
    store.write(catalog.filings("META"), held, source="hand-built")
    library = Library(store, DataPack(real_pack))
    assert main(["debt", "META", "--weekly"], library=library) == 0
    weeks = rows(capsys.readouterr().out)
    # The $30B supplement settles Mon 2025-11-03; the closing 8-K (filed 2025-11-04, the same
    # principal within 10 days) is the same deal: 30 $B in that week, not 60.
    assert [(w["week"], float(w["raised_b"])) for w in weeks if w["raised_b"]] == [
        ("2025-11-03", 30.0)
    ]
    assert main(["debt", "META", "--filings"], library=library) == 0
    filings = rows(capsys.readouterr().out)
    assert [f["counted"] for f in filings] == ["True", "False"]
    assert filings[1]["note"] == "same deal as 0001326801-25-000001"
