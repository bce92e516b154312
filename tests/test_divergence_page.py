"""AppTest and CLI for the asset divergence page (real data pack, and the fixture's gaps)."""

import datetime as dt
from unittest.mock import patch

import pandas as pd
import pytest

from liquidity.cli import main
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.data.store import Store
from tests.apptest import chart_specs, run_page

PAGE = "pages/3_divergence.py"


def test_without_the_market_calendar_the_page_says_what_is_missing(app_env, fixture_pack):
    app_env(fixture_pack)  # the fixture pack has no ^GSPC
    at = run_page(PAGE)
    assert any("needs ^GSPC" in i.value for i in at.info)
    assert not at.error


@pytest.mark.pack
def test_defaults_on_the_real_pack(app_env, real_pack):
    app_env(real_pack)
    at = run_page(PAGE)
    assert not at.error and not at.info
    assert len(chart_specs(at)) == 6  # rebased, relative, drawdowns, betas, rolling, correlation
    periods = at.dataframe[0].value
    assert periods.index[0] == "Memory − speculative (pp)"
    gap = periods.iloc[0]
    assert gap["YTD"] == pytest.approx(
        periods.loc["Memory basket", "YTD"] - periods.loc["Speculative basket", "YTD"]
    )
    event = at.dataframe[1].value
    assert event.loc["ORCL", "day_0"] == pytest.approx(-5.40, abs=0.01)  # events.csv: -5.4%
    notes = " ".join(c.value for c in at.caption)
    # Each file's last date in the pack: CRM, NOW, ADBE and MU 2026-08-21; BTC-USD and ETH-USD
    # 2026-08-20; IGV, ARKK, GME, AMC, COIN 2026-07-31; SNDK 2026-07-02; MSTR, WDC 2026-05-29.
    # The pack has no KRW=X.
    assert (
        "Members on 2026-08-21, the last close: speculative basket 3 of 11 (CRM, NOW, ADBE); "
        "memory basket 1 of 5 (MU)." in notes
    )
    assert "▲ SNDK joins 2025-02-13 (data start)" in notes
    assert "✕ AMC, ARKK, COIN, GME, IGV leave 2026-07-31 (data end)" in notes
    assert "✕ WDC leaves 2026-05-29 (data end)" in notes
    assert "000660.KS, 005930.KS excluded: KRW=X missing, prices are in won" in notes
    leaves = [t for t in chart_specs(at)[0]["data"] if t["name"] == "members leave"]
    assert [[x[:10] for x in t["x"]] for t in leaves] == [
        ["2026-05-29", "2026-07-31", "2026-08-20"],  # speculative
        ["2026-05-29", "2026-07-02"],  # memory
    ]
    assert "AMC leaves (data end)<br>ARKK leaves (data end)" in leaves[0]["text"][1]


@pytest.mark.pack
def test_a_link_with_edited_baskets_restores_the_view(app_env, real_pack):
    app_env(real_pack)
    params = {
        "spec": ["BTC-USD", "IGV"],
        "memory": ["MU", "SNDK"],
        "relative": "spread",
        "window": "26",
        "range": ["2025-01-01", "2026-08-21"],
        "base": "2025-01-02",
        "bench": "QQQ",
        "constituents": "true",
        "event": "2026-02-05",
    }
    at = run_page(PAGE, params)
    assert not at.error
    assert at.multiselect(key="spec").value == ["BTC-USD", "IGV"]
    assert at.multiselect(key="memory").value == ["MU", "SNDK"]
    assert at.date_input(key="base").value == dt.date(2025, 1, 2)
    assert at.selectbox(key="relative").value == "spread"
    assert at.checkbox(key="constituents").value is True
    rebased = chart_specs(at)[0]
    assert {t["name"] for t in rebased["data"]} >= {
        "Speculative basket",
        "Memory basket",
        "QQQ",
        "BTC-USD",
        "SNDK",
    }
    share = at.sidebar.code[0].value
    for piece in (
        "spec=BTC-USD",
        "spec=IGV",
        "memory=SNDK",
        "relative=spread",
        "window=26",
        "bench=QQQ",
        "constituents=true",
        "event=2026-02-05",
    ):
        assert piece in share


@pytest.mark.pack
def test_unknown_and_invalid_tickers_are_reported_not_fatal(app_env, real_pack):
    app_env(real_pack)
    with patch(
        "components.cache.fetch_symbol_prices", return_value={"ZZZQ": "no data returned"}
    ) as fetch:
        at = run_page(PAGE, {"memory": ["MU", "ZZZQ", "<img src=x>"]})
    fetch.assert_called_once()  # one attempt per session, then reported
    notes = " ".join(c.value for c in at.caption)
    assert "`<img src=x>`" in notes and "`ZZZQ` has no prices" in notes
    assert not at.error and len(chart_specs(at)) >= 6


@pytest.mark.pack
def test_cli_returns_and_divergence(real_pack, tmp_path, capsys):
    library = Library(Store(tmp_path), DataPack(real_pack))
    assert (
        main(["returns", "ORCL", "NVDA", "--date", "2025-12-17", "--days", "1"], library=library)
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "ticker,first_day,day_0,day_1,cumulative"
    rows = {line.split(",")[0]: line for line in lines[1:]}
    assert rows["ORCL"].startswith("ORCL,2025-12-17,-5.40")  # ranked: ORCL fell most, last
    assert main(["divergence", "--start", "2026-08-17"], library=library) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "date,speculative,memory,market,ratio,spread_pp"
    assert lines[1] == "2026-08-17,100,100,100,100,0"
    assert main(["returns", "ORCL", "--date", "2025-12-17", "--days", "99"], library=library) == 2


@pytest.mark.pack
@pytest.mark.parametrize(
    ("params", "message"),
    [
        # SK hynix and Samsung are in won and the pack has no KRW=X.
        (
            {"range": ["2021-05-31", "2023-05-10"], "memory": ["005930.KS", "000660.KS"]},
            "each basket needs at least one ticker with prices in US dollars (005930.KS, "
            "000660.KS excluded: KRW=X missing, prices are in won)",
        ),
        # MU's prices start in 1999, but not SNDK's (2025-02-13).
        (
            {"range": ["2021-05-31", "2023-05-10"], "memory": ["SNDK"]},
            "the memory basket has no level from the base date 2021-05-31 to 2023-05-10 "
            "(its members' prices cover 2025-02-13 → 2026-07-02)",
        ),
        # The base date after the pack's last close.
        (
            {"range": ["2026-03-26", "2026-09-29"], "base": "2026-09-15"},
            "the speculative basket has no level from the base date 2026-09-15 to 2026-09-29",
        ),
    ],
)
def test_a_basket_without_prices_in_the_window_is_explained(app_env, real_pack, params, message):
    app_env(real_pack)
    at = run_page(PAGE, params)
    assert not at.error and not at.get("plotly_chart")
    assert any(message in i.value for i in at.info), [i.value for i in at.info]


@pytest.mark.pack
def test_typed_tickers_are_upper_cased_and_counted_once(app_env, real_pack):
    # "mu" and "MU" are one ticker: the basket must hold MU once, and the link must say so.
    app_env(real_pack)
    at = run_page(PAGE, {"memory": ["mu", "MU", "sndk"]})
    assert not at.error
    rebased = chart_specs(at)[0]
    assert at.sidebar.code[0].value.count("memory=MU") == 1
    assert "memory=SNDK" in at.sidebar.code[0].value
    assert "memory=mu" not in at.sidebar.code[0].value
    assert rebased["data"]


@pytest.mark.pack
def test_with_krw_x_the_korean_members_are_in_dollars(app_env, real_pack, tmp_path):
    # The real pack plus a hand-made KRW=X: 1,400 won per dollar, 1,540 from 2025-12-17.
    pack = tmp_path / "pack"
    pack.mkdir()
    for entry in real_pack.iterdir():
        if entry.name != "prices":
            (pack / entry.name).symlink_to(entry)
    (pack / "prices").mkdir()
    for file in (real_pack / "prices").iterdir():
        (pack / "prices" / file.name).symlink_to(file)
    lines = ["date,open,high,low,close,adj_close,volume"]
    for day in pd.bdate_range("2025-01-01", "2026-08-21"):
        rate = 1540.0 if day >= pd.Timestamp("2025-12-17") else 1400.0
        lines.append(f"{day:%Y-%m-%d},{rate},{rate},{rate},{rate},{rate},0")
    (pack / "prices" / "KRW=X.csv").write_text("\n".join(lines) + "\n")
    app_env(pack)
    at = run_page(PAGE, {"memory": ["MU", "000660.KS"], "event": "2025-12-17"})
    assert not at.error
    notes = " ".join(c.value for c in at.caption)
    assert "excluded" not in notes
    # SK hynix's adjusted closes start 2025-03-19 in the pack.
    assert "▲ 000660.KS joins 2025-03-19 (data start)" in notes
    assert "memory basket 2 of 2 (MU, 000660.KS)" in notes
    # 2025-12-16 → 12-17 in won: 528,935.375 → 549,893.1875, +3.96%; the won falls 10% that
    # day (1,400 → 1,540 per dollar), so in dollars 1.039623 / 1.1 − 1 = −5.49%.
    event = at.dataframe[1].value
    assert event.loc["000660.KS", "day_0"] == pytest.approx(-5.49, abs=0.01)
