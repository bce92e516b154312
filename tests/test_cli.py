import subprocess
import sys

import pandas as pd
import pytest

from liquidity.cli import main
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.data.store import Store
from tests.conftest import REPO


@pytest.fixture
def library(fixture_pack, tmp_path):
    return Library(Store(tmp_path / "home"), DataPack(fixture_pack))


def run(capsys, library, *argv):
    try:
        code = main(list(argv), library=library)
    except SystemExit as exc:  # argparse rejects before main's body runs
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_series_in_billions(capsys, library):
    code, out, _ = run(
        capsys,
        library,
        "series",
        "WALCL",
        "--start",
        "2025-01-08",
        "--end",
        "2025-01-22",
        "--unit",
        "B",
    )
    assert code == 0
    assert out.splitlines() == [
        "date,value",
        "2025-01-08,6810",
        "2025-01-15,6820",
        "2025-01-22,6830",
    ]


def test_series_in_native_units_drops_missing_days(capsys, library):
    code, out, _ = run(capsys, library, "series", "dgs10")
    assert code == 0
    assert out.splitlines()[1:] == [
        "2025-01-06,4.5",
        "2025-01-07,4.55",
        "2025-02-04,4.62",
        "2025-02-05,4.6",
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["series", "NOPE"], "unknown FRED series 'NOPE'"),
        (["series", "WALCL", "--start", "2025-02-30"], "malformed start date"),
        (["series", "WALCL", "--start", "2025-02-01", "--end", "2025-01-01"], "before start"),
        (["series", "DGS10", "--unit", "B"], "dollar series only"),
        (["series", "WALCL", "--start", "2030-01-01"], "no WALCL observations"),
        (["prices", "MU", "ZZZZ"], "prices/ZZZZ (ZZZZ) is not in"),
        (["prices", "MU", "$$$"], "is not a ticker"),
        (["prices", "MU", "--field", "bid"], "invalid choice"),
        (["refresh", "--only", "fred,bloomberg"], "unknown source 'bloomberg'"),
        (["series", "M2SL"], "not in the data pack"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(capsys, library, argv, message):
    code, out, err = run(capsys, library, *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_prices_and_returns(capsys, library):
    code, out, _ = run(
        capsys, library, "prices", "MU", "BTC-USD", "--start", "2025-01-08", "--end", "2025-01-09"
    )
    assert code == 0
    assert out.splitlines() == ["date,MU,BTC-USD", "2025-01-08,100,100000", "2025-01-09,101,99000"]
    code, out, _ = run(capsys, library, "prices", "MU", "--field", "close", "--returns")
    # 101 -> 102 -> 91: +0.990099 %, then -10.784314 %
    assert out.splitlines() == ["date,MU", "2025-01-09,0.990099", "2025-02-05,-10.784314"]


def test_status_lists_every_dataset(capsys, library):
    code, out, _ = run(capsys, library, "status", "--csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "id,source,unit,first,last,rows,retrieved_at,stale,stale_since,note"
    walcl = next(line for line in lines if line.startswith("fred/WALCL,"))
    # Weekly, last Wednesday 2025-02-05: the next one was due 10 days later.
    assert walcl.startswith("fred/WALCL,pack,USD_M,2025-01-01,2025-02-05,6,,yes,2025-02-15,")
    assert any(line.startswith("fred/M2SL,-,USD_B,,,0,,yes,,") for line in lines)


def test_status_dates_a_failed_refresh_from_the_last_good_fetch(capsys, library):
    import liquidity as lq
    from liquidity.core import catalog

    today = pd.Timestamp.now(tz="UTC").normalize().tz_localize(None)
    current = pd.DataFrame(
        {"value": [6_700_000.0, 6_700_100.0]},
        index=pd.DatetimeIndex([today - pd.Timedelta(days=7), today], name="date").as_unit("us"),
    )
    fetched = pd.Timestamp.now(tz="UTC") - pd.Timedelta(days=1)
    library.store.write(catalog.get("fred/WALCL"), current, source="t", retrieved_at=fetched)
    library.store.record_attempt("fred/WALCL", False, "could not reach fred.stlouisfed.org")
    table = lq.status(library).set_index("id")
    walcl = table.loc["fred/WALCL"]
    assert walcl["fetch_failed"] and walcl["stale"]
    assert walcl["stale_since"] == fetched.tz_localize(None).normalize()  # the last good fetch
    assert not table.loc["fred/DGS10", "fetch_failed"]
    assert pd.isna(table.loc["fred/M2SL", "stale_since"])  # no copy at all: nothing to date
    code, out, _ = run(capsys, library, "status", "--csv")
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("fred/WALCL,"))
    assert line.startswith(f"fred/WALCL,live,USD_M,{today - pd.Timedelta(days=7):%Y-%m-%d},")
    assert f",yes,{fetched:%Y-%m-%d},failed " in line


def test_import_and_export_pack(capsys, fixture_pack, tmp_path):
    library = Library(Store(tmp_path / "home"))
    code, out, _ = run(capsys, library, "import-pack", str(fixture_pack))
    assert code == 0 and out.startswith("imported 12 datasets")
    code, out, _ = run(capsys, library, "export-pack", str(tmp_path / "out"))
    assert code == 0 and (tmp_path / "out" / "prices" / "MU.csv").exists()
    code, _, err = run(capsys, library, "import-pack", str(tmp_path / "missing"))
    assert code == 2 and "no data pack at" in err


def test_refresh_offline_reports_and_exits_1(capsys, tmp_path, monkeypatch):
    from liquidity.sources import fred, http

    monkeypatch.setattr(fred, "LIMITER", http.RateLimiter(1e9))
    library = Library(Store(tmp_path / "home"))
    code, out, err = run(capsys, library, "refresh", "--only", "fred")
    assert code == 1
    assert "could not reach fred.stlouisfed.org" in out
    assert "kept their last good data" in err


def test_module_entry_point_help():
    result = subprocess.run(
        [sys.executable, "-m", "liquidity", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    for command in ("status", "refresh", "series", "prices", "import-pack", "export-pack"):
        assert command in result.stdout


def test_netliq_prints_each_variant(capsys, library):
    code, out, _ = run(capsys, library, "netliq", "--start", "2025-01-01", "--end", "2025-01-08")
    assert code == 0
    assert out.splitlines() == [
        "date,walcl_b,tga_b,rrp_b,net_liquidity_b",
        "2025-01-01,6800,800,150,5850",
        "2025-01-08,6810,810,130.5,5869.5",
    ]
    code, out, _ = run(capsys, library, "netliq", "--variant", "reserves", "--end", "2025-01-08")
    assert out.splitlines() == [
        "date,reserves_b,net_liquidity_b",
        "2025-01-01,3200,3200",
        "2025-01-08,3250,3250",
    ]


def test_drain_without_enough_history_says_so(capsys, library):
    code, _, err = run(capsys, library, "drain")
    assert code == 2 and "no drain-gauge values" in err


def test_capex_prints_calendar_quarters_with_provenance(capsys, library):
    code, out, _ = run(capsys, library, "capex", "MSFT", "--start", "2024Q4")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "calendar_quarter,ticker,capex_usd,source,method,tag,form,accn,filed"
    assert lines[1].startswith("2024Q4,MSFT,15804000000,data pack (SEC),reported,us-gaap:")
    code, _, err = run(capsys, library, "capex", "--start", "2025Q5")
    assert code == 2 and "malformed quarter" in err
    code, _, err = run(capsys, library, "capex", "MSFT", "--start", "2025Q2", "--end", "2025Q1")
    assert code == 2 and "before start quarter" in err
