"""AppTest and CLI for the asset divergence page (real data pack, and the fixture's gaps)."""

import datetime as dt
from unittest.mock import patch

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
    assert "SNDK (2025-02-13)" in notes and "Korean won" in notes


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
        # SK hynix and Samsung prices start 2025-03-18 in the pack.
        (
            {"range": ["2021-05-31", "2023-05-10"], "memory": ["005930.KS", "000660.KS"]},
            "the memory basket has no level from the base date 2021-05-31 to 2023-05-10 "
            "(its members' prices cover 2025-03-18 → ",
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
