"""AppTest: every page renders on the fixture pack, the real pack and with no data at all."""

import datetime as dt
import shutil

import pytest

from components.scorecard import card_basis
from liquidity.analytics.scorecard import CLAIMS
from liquidity.api import load_scorecard
from liquidity.core.catalog import CATALOG
from liquidity.data.events import load_events
from tests.apptest import chart_specs
from tests.apptest import run_page as run

OVERVIEW = "app.py"
DATA = "pages/5_data.py"


def captions(at):
    return [c.value for c in at.caption]


def test_overview_tiles_match_hand_worked_numbers(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run(OVERVIEW)
    tiles = {m.label: (m.value, m.delta) for m in at.metric}
    assert tiles["Fed net liquidity"] == ("$5.98 T", "+110 $B in 4 wk")  # 5980 − 5869.5
    assert tiles["10y Treasury"] == ("4.60 %", "+5 bp in 4 wk")
    assert tiles["HY spread"] == ("3.25 %", "+25 bp in 4 wk")
    assert tiles["Bitcoin"] == ("$110.0k", "+10.0 % in 4 wk")
    assert tiles["Micron"] == ("$90.00", "-10.0 % in 4 wk")
    assert "as of Wed 2025-02-05" in captions(at)
    assert not at.error


def test_overview_chart_has_units_and_all_components(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run(OVERVIEW, {"range": ["2024-12-01", "2025-03-01"]})
    (spec,) = chart_specs(at)
    assert {t["name"] for t in spec["data"]} == {
        "Fed assets (WALCL)",
        "Treasury account (WDTGAL)",
        "Reverse repo (RRPONTSYD)",
        "Net liquidity",
    }
    assert spec["layout"]["yaxis"]["title"]["text"] == "$ billions"
    template = spec["layout"]["template"]["layout"]
    assert template["hovermode"] == "x unified"
    assert template["colorway"][0] == "#000001"  # Streamlit's placeholders: theme colours apply
    assert at.date_input(key="range").value == (dt.date(2024, 12, 1), dt.date(2025, 3, 1))
    share = at.sidebar.code[0].value
    assert share.endswith("?range=2024-12-01&range=2025-03-01&placebo=false&asof=2025-02-06")


def test_invalid_and_unknown_link_parameters_are_ignored_with_a_notice(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run(OVERVIEW, {"range": ["not-a-date", "2025-01-01"], "junk": "<script>x</script>"})
    notice = next(c for c in captions(at) if "Ignored invalid link parameter" in c)
    assert "range=not-a-date" in notice and "junk=" in notice
    assert "junk" not in at.query_params
    assert at.metric  # the page still renders with the default range


def test_reversed_range_is_swapped_with_a_notice(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run(OVERVIEW, {"range": ["2025-03-01", "2024-12-01"]})
    assert any("reversed" in c for c in captions(at))
    share = at.sidebar.code[0].value
    assert share.endswith("?range=2024-12-01&range=2025-03-01&placebo=false&asof=2025-02-06")


def test_no_data_at_all_explains_what_to_do(app_env):
    app_env(None)
    at = run(OVERVIEW)
    (info,) = at.info
    assert "LIQUIDITY_DATA_PACK" in info.value and "python -m liquidity refresh" in info.value
    assert not at.get("plotly_chart") and not at.metric
    at = run(DATA)
    assert at.dataframe  # the catalog is still listed
    assert any("python -m liquidity refresh" in i.value for i in at.info)


def test_data_page_lists_the_catalog_and_previews_a_dataset(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run(DATA)
    table = at.dataframe[0].value
    assert len(table) == len(CATALOG)
    walcl = table.set_index("dataset").loc["fred/WALCL"]
    assert walcl["origin"] == "pack" and walcl["rows"] == 6 and walcl["unit"] == "$ millions"
    (spec,) = chart_specs(at)
    assert spec["layout"]["yaxis"]["title"]["text"] == "WALCL ($ trillions)"
    assert {m.label: m.value for m in at.metric}["Datasets with data"] == f"12 / {len(CATALOG)}"


def test_data_page_deep_link_restores_every_filter(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run(
        DATA,
        {
            "kinds": ["fred", "prices"],
            "dataset": "prices/MU",
            "range": ["2025-01-01", "2025-02-28"],
        },
    )
    assert at.multiselect(key="kinds").value == ["fred", "prices"]
    assert at.selectbox(key="dataset").value == "prices/MU"
    assert set(at.dataframe[0].value["dataset"].str.split("/").str[0]) == {"fred", "prices"}
    (spec,) = chart_specs(at)
    assert spec["data"][0]["name"] == "MU adjusted close"
    share = at.sidebar.code[0].value
    assert "kinds=fred&kinds=prices&dataset=prices%2FMU&range=2025-01-01&range=2025-02-28" in share


def test_a_broken_pack_file_is_reported_not_raised(app_env, fixture_pack, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(fixture_pack, pack)
    (pack / "fred" / "DGS10.csv").write_text("date,value\n2025-01-02,4.5\n2025-01-02,4.6\n")
    app_env(pack)
    at = run(DATA)
    assert {m.label: m.value for m in at.metric}["Unreadable"] == "1"
    row = at.dataframe[0].value.set_index("dataset").loc["fred/DGS10"]
    assert row["origin"] == "error" and "duplicated date" in row["note"]
    overview = run(OVERVIEW)  # the 10-year tile needs DGS10: a message, not a traceback
    assert any("duplicated date" in e.value for e in overview.error)


def test_refresh_button_offline_says_so_and_keeps_data(app_env, fixture_pack, monkeypatch):
    from liquidity.sources import fred, http

    monkeypatch.setattr(fred, "LIMITER", http.RateLimiter(1e9))
    app_env(fixture_pack)
    at = run(DATA)
    at.multiselect(key="refresh_sources").set_value(["fred"])
    at.button[0].click()
    at.run()
    assert not at.exception
    assert any("could not be reached" in w.value for w in at.warning)
    assert {m.label: m.value for m in at.metric}["Datasets with data"] == f"12 / {len(CATALOG)}"


@pytest.mark.pack
def test_pages_render_on_the_real_data_pack(app_env, real_pack):
    import liquidity

    app_env(real_pack)
    at = run(OVERVIEW)
    assert not at.error
    net = liquidity.load_net_liquidity()["net_liquidity_b"].dropna()
    tile = {m.label: m.value for m in at.metric}["Fed net liquidity"]
    assert tile == f"${net.iloc[-1] / 1000:,.2f} T"
    assert chart_specs(at)
    data = run(DATA)
    assert not data.error and chart_specs(data)
    assert {m.label: m.value for m in data.metric}["Unreadable"] == "0"


def scorecard_cards(at) -> dict[str, str]:
    """Claim title → verdict badge text, read from the markdown the grid writes."""
    texts = [m.value for m in at.markdown]
    return {
        texts[i].strip("*"): texts[i + 1]
        for i in range(len(texts) - 1)
        if "-badge[" in texts[i + 1]
    }


def evidence_links(at) -> list[str]:
    return [
        m.value.split("](")[1].split(")")[0]
        for m in at.markdown
        if m.value.startswith("[See the evidence](")
    ]


def test_overview_scorecard_on_fixture_pack_is_inconclusive_not_invented(app_env, fixture_pack):
    # The mini pack has a few weeks of data: every claim must say so instead of guessing.
    app_env(fixture_pack)
    at = run(OVERVIEW)
    cards = scorecard_cards(at)
    assert list(cards) == list(CLAIMS.values())
    assert set(cards.values()) == {":gray-badge[:material/help: inconclusive]"}
    # Default as-of: the day after the latest H.4.1 Wednesday (2025-02-05).
    assert at.date_input(key="asof").value == dt.date(2025, 2, 6)
    assert any(s.value == "Thesis scorecard, as of 2025-02-06" for s in at.subheader)
    assert not at.error


def test_overview_scorecard_replays_a_past_date_from_the_link(app_env, real_pack):
    app_env(real_pack)
    at = run(OVERVIEW, {"asof": "2024-06-30"})
    expected = load_scorecard("2024-06-30")
    cards = scorecard_cards(at)
    for claim, verdict in zip(expected["claim"], expected["verdict"], strict=True):
        assert cards[claim].endswith(f" {verdict}]"), (claim, cards[claim])
    colour = {"supported": "green", "not supported": "red", "inconclusive": "gray"}
    for claim, verdict in zip(expected["claim"], expected["verdict"], strict=True):
        assert cards[claim].startswith(f":{colour[verdict]}-badge[")
    links = evidence_links(at)
    assert len(links) == len(CLAIMS)
    # Each link opens the evidence page filtered to the claim's own window: 2024Q1's panel was
    # complete when its last filer, Amazon, filed its 10-Q (2024-05-01 in sec/AMZN.csv).
    assert links[0] == "capex?metric=capex&mode=ttm&range=2021-04-01&range=2024-05-01"
    keys = list(CLAIMS)
    divergence_link = links[keys.index("divergence")]
    assert divergence_link == "divergence?range=2023-12-30&range=2024-06-30&base=2023-12-30"
    assert links[keys.index("leverage_flushes")] == "liquidations?bucket=1D"  # no window
    assert at.sidebar.code[0].value.endswith("asof=2024-06-30")
    assert not at.error


def test_overview_opens_with_the_answer_at_a_glance(app_env, real_pack):
    # As of 2026-08-27 the verdicts are those of load_scorecard; a month earlier, 2026-07-27,
    # they are those of load_scorecard("2026-07-27"). The pack's newest macro observation is
    # 2026-08-28 (RRPONTSYD), older than two weeks today: a warning, not a grey caption.
    app_env(real_pack)
    at = run(OVERVIEW, {"asof": "2026-08-27"})
    now, before = load_scorecard("2026-08-27"), load_scorecard("2026-07-27")
    counts = now["verdict"].value_counts()
    strip = " ".join(m.value for m in at.markdown)
    assert (
        f"**{counts.get('supported', 0)} of {len(CLAIMS)} supported** · "
        f"{counts.get('not supported', 0)} not · {counts.get('inconclusive', 0)} inconclusive"
    ) in strip
    changed = [
        f"{claim}: {was} → **{is_}**"
        for claim, was, is_ in zip(now["claim"], before["verdict"], now["verdict"], strict=True)
        if was != is_
    ]
    if changed:
        assert "Changed since 2026-07-27:" in strip and all(c in strip for c in changed)
    else:
        assert "No verdict changed since 2026-07-27." in strip
    age = (dt.date.today() - dt.date(2026, 8, 28)).days
    warning = " ".join(w.value for w in at.warning)
    assert f"**Data {age} days old.** Newest macro observation: RRPONTSYD on 2026-08-28" in warning
    assert not at.error


def test_the_placebo_years_show_beside_each_claim_on_request(app_env, real_pack):
    app_env(real_pack)
    at = run(OVERVIEW, {"asof": "2026-08-27"})
    assert not any("Placebo 2017–19" in c for c in captions(at))
    at = run(OVERVIEW, {"asof": "2026-08-27", "placebo": "true"})
    lines = [c for c in captions(at) if "Placebo 2017–19" in c]
    assert len(lines) == len(CLAIMS) and not at.error
    assert "placebo=true" in at.sidebar.code[0].value


def test_overview_scorecard_history_shows_each_event_with_its_verdicts(app_env, real_pack):
    app_env(real_pack)
    at = run(OVERVIEW, {"asof": "2026-01-31"})
    assert not at.dataframe  # replaying ~35 dates waits until the expander is opened
    at.session_state["scorecard_history"] = True
    at.run()
    assert not at.exception
    (table,) = [d.value for d in at.dataframe]
    events = load_events(end="2026-01-31")
    assert list(table["Event"]) == list(events["label"])  # only events up to the as-of date
    first = load_scorecard(events["date"].iloc[0])
    assert first["verdict"].iloc[0] == "supported"
    assert table["Capex accelerating"].iloc[0] == "✔ supported"
    marks = {"supported": "✔ supported", "not supported": "✘ not supported"}
    for column, verdict in zip(table.columns[2:], first["verdict"], strict=True):
        assert table[column].iloc[0] == marks.get(verdict, "· inconclusive")
    heatmap = next(s for s in chart_specs(at) if s["data"][0]["type"] == "heatmap")
    assert heatmap["data"][0]["y"][-1] == "Capex accelerating"  # first claim on top


def test_a_card_names_which_of_its_inputs_replay_point_in_time():
    basis = {
        "net liquidity": "revised data cut at the as-of date (no vintages stored)",
        "capex": "point-in-time (SEC filing dates); 42 hand-compiled company-quarters …",
        "liquidations": "buckets as recorded (not revised)",
    }
    assert card_basis("tub_draining", basis) == (
        ":material/history: revised, cut at the date: net liquidity · point-in-time: capex"
    )
    assert card_basis("leverage_flushes", basis) == (
        ":material/history: as recorded: liquidations · revised, cut at the date: net liquidity"
    )
