"""Pinned snapshots: same id for the same data, old numbers after a refresh, a size cap with
least-recently-served eviction, clear messages for unknown ids, the CLI, and the pages."""

import hashlib

import pandas as pd
import pytest

from liquidity import cli
from liquidity.core import catalog
from liquidity.data import snapshots
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.data.snapshots import SnapshotUnavailable
from liquidity.data.store import Entry, Store
from tests.alfred import vintage_frame
from tests.apptest import chart_specs
from tests.apptest import run_page as run

WALCL = catalog.fred("WALCL")
FRED_ONLY = (catalog.FRED,)


def weekly(values, start="2025-01-01"):
    index = pd.DatetimeIndex(pd.date_range(start, periods=len(values), freq="7D"), name="date")
    return pd.DataFrame({"value": [float(v) for v in values]}, index=index.as_unit("ns"))


def object_files(store: Store) -> set[str]:
    return {p.stem for p in store.objects.rglob("*.parquet")}


@pytest.fixture
def packed(tmp_path, fixture_pack) -> Library:
    return Library(Store(tmp_path / "home"), DataPack(fixture_pack))


def test_pinning_the_same_data_twice_gives_the_same_id_and_no_new_files(packed):
    first = snapshots.pin(packed, FRED_ONLY)
    files = object_files(packed.store)
    again = snapshots.pin(Library(packed.store, packed.pack), FRED_ONLY)  # no memo: re-serialised
    assert again.id == first.id and object_files(packed.store) == files
    # The id is the documented hash: sorted "key sha" lines, first 12 hex digits.
    lines = sorted(f"{e.key} {e.sha256}" for e in first.entries.values())
    assert first.id == hashlib.sha256("\n".join(lines).encode()).hexdigest()[:12]
    # Every FRED series of the fixture pack, and nothing of another kind.
    assert set(first.entries) == {f"fred/{p.stem}" for p in packed.pack.root.glob("fred/*.csv")}
    assert first.data_as_of == pd.Timestamp("2025-02-05")


def test_a_pinned_snapshot_keeps_the_old_numbers_after_a_refresh(packed):
    before = snapshots.pin(packed, FRED_ONLY)
    old = packed.load("fred/WALCL")[0]
    revised = old.assign(value=old["value"] + 1_000)  # a FRED revision: same dates, new values
    packed.store.write(WALCL, revised, source="test refresh")

    pd.testing.assert_frame_equal(packed.load("fred/WALCL")[0], revised)  # latest moved on
    reopened = snapshots.open_snapshot(packed.store, before.id)
    pinned = snapshots.pinned_library(packed.store, reopened)
    frame, prov = pinned.load("fred/WALCL")
    pd.testing.assert_frame_equal(frame, old, check_freq=False)
    assert prov.origin == f"pinned snapshot {before.id}"
    assert pinned.version() == f"snapshot:{before.id}" and pinned.mode() == "pinned"
    after = snapshots.pin(packed, FRED_ONLY)
    assert after.id != before.id
    assert after.entries["fred/DGS10"].sha256 == before.entries["fred/DGS10"].sha256  # shared


def test_store_objects_a_snapshot_holds_survive_the_manifest_moving_on(tmp_path):
    store = Store(tmp_path)
    v1 = store.write(WALCL, weekly([6_800_000, 6_810_000]), source="test")
    snap = snapshots.pin(Library(store), FRED_ONLY)
    store.write(WALCL, weekly([6_800_000, 6_820_000]), source="test")
    assert store.has_object(v1.sha256)  # without the snapshot, the write would delete it
    pinned = snapshots.pinned_library(store, snap)
    assert pinned.load("fred/WALCL")[0]["value"].tolist() == [6_800_000.0, 6_810_000.0]
    with pytest.raises(Exception, match="pinned"):
        pinned.store.write(WALCL, weekly([1, 2]), source="test")


def test_the_size_cap_evicts_the_least_recently_served_snapshot(tmp_path, monkeypatch):
    store = Store(tmp_path)
    library = Library(store)
    ids, shas = [], []
    for last in (6_810_000, 6_820_000, 6_830_000):
        shas.append(store.write(WALCL, weekly([6_800_000, last]), source="test").sha256)
        if len(ids) == 2:
            # Objects only snapshots hold: versions 1 and 2. Cap = both minus one byte, so one goes.
            held = sum(store._object_path(s).stat().st_size for s in shas[:2])
            monkeypatch.setenv("LIQUIDITY_SNAPSHOT_CAP_MB", str((held - 1) / 1e6))
            snapshots.open_snapshot(store, ids[0])  # opened again: the oldest is now ids[1]
        ids.append(snapshots.pin(library, FRED_ONLY).id)

    snapshots.open_snapshot(store, ids[0])
    snapshots.open_snapshot(store, ids[2])
    with pytest.raises(SnapshotUnavailable, match=rf"snapshot {ids[1]} was removed on \d{{4}}-"):
        snapshots.open_snapshot(store, ids[1])
    assert not store.has_object(shas[1]) and store.has_object(shas[0])
    rows = {r.id: r for r in store.snapshots()}
    assert rows[ids[1]].evicted_at is not None and rows[ids[1]].entries is None
    assert store.snapshot_bytes() <= snapshots.cap_bytes()


def test_unknown_and_malformed_ids_say_what_is_wrong(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(SnapshotUnavailable, match="0123456789ab is not on this server"):
        snapshots.open_snapshot(store, "0123456789ab")
    for bad in ("", "XYZ", "0123456789AB", "<script>", "0" * 64):
        with pytest.raises(SnapshotUnavailable, match="is not a snapshot id"):
            snapshots.open_snapshot(store, bad)


def test_nothing_to_pin_is_an_error_not_an_empty_snapshot(tmp_path):
    with pytest.raises(snapshots.DataNotAvailable, match="nothing to pin"):
        snapshots.pin(Library(Store(tmp_path)), FRED_ONLY)


def test_cli_pins_lists_and_exports_a_snapshot_as_a_pack(capsys, packed, tmp_path):
    assert cli.main(["pin", "--kinds", "fred"], library=packed) == 0
    sid = capsys.readouterr().out.strip()
    old = packed.load("fred/WALCL")[0]
    packed.store.write(WALCL, old.assign(value=old["value"] + 1_000), source="test refresh")

    assert cli.main(["snapshots"], library=packed) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0] == "id,created_at,served_at,datasets,evicted_at"
    assert listing[1].startswith(f"{sid},") and ",7," in listing[1]

    out = tmp_path / "pinned-pack"
    assert cli.main(["export-pack", str(out), "--snapshot", sid], library=packed) == 0
    exported = DataPack(out).read(WALCL)
    assert exported["value"].tolist() == old["value"].tolist()  # the pinned, not the revised
    assert not (out / "prices").exists()  # only what the snapshot holds

    for argv, message in (
        (["export-pack", str(tmp_path / "x"), "--snapshot", "feedfacefeed"], "not on this server"),
        (["export-pack", str(tmp_path / "x"), "--snapshot", "nope"], "not a snapshot id"),
        (["pin", "--kinds", "fred,bogus"], "unknown kind(s) 'bogus'"),
    ):
        assert cli.main(argv, library=packed) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1


# -- the app ---------------------------------------------------------------------------------------
OVERVIEW = "app.py"


def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def card_texts(at) -> list[str]:
    return [m.value for m in at.markdown if "Pinned to data" not in m.value]


def test_overview_pinned_link_round_trip(app_env, fixture_pack):
    """Pin from the share box, refresh the data, open the link: the old numbers, with a banner."""
    home = app_env(fixture_pack)
    at = run(OVERVIEW, {"asof": "2025-02-06"})
    assert tiles(at)["Fed net liquidity"] == "$5.98 T"
    assert not at.sidebar.toggle(key="pin").value
    at.sidebar.toggle(key="pin").set_value(True).run()
    assert not at.exception
    sid = at.query_params["snap"]
    share = at.sidebar.code[0].value
    assert f"snap={sid}" in share and "asof=2025-02-06" in share
    pinned_cards = card_texts(at)

    # A refresh revises WALCL up by $100 B (values in $ millions) on the same dates.
    old = DataPack(fixture_pack).read(WALCL)
    Store(home).write(WALCL, old.assign(value=old["value"] + 100_000), source="test refresh")

    latest = run(OVERVIEW, {"asof": "2025-02-06"})
    assert tiles(latest)["Fed net liquidity"] == "$6.08 T"
    assert not any("Pinned to data" in m.value for m in latest.markdown)

    again = run(OVERVIEW, {"asof": "2025-02-06", "snap": sid})
    assert tiles(again)["Fed net liquidity"] == "$5.98 T"
    (banner,) = [m.value for m in again.markdown if "Pinned to data" in m.value]
    assert "Pinned to data as of 2025-02-05" in banner and f"snapshot `{sid}`" in banner
    assert card_texts(again) == pinned_cards
    assert again.sidebar.toggle(key="pin").value
    assert f"snap={sid}" in again.sidebar.code[0].value

    again.button(key="show_latest").click().run()
    assert "snap" not in again.query_params
    assert tiles(again)["Fed net liquidity"] == "$6.08 T"
    assert "snap=" not in again.sidebar.code[0].value


def test_unknown_snapshot_link_says_so_and_offers_the_latest_data(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run(OVERVIEW, {"snap": "0123456789ab", "asof": "2025-02-06"})
    (warning,) = at.warning
    assert "0123456789ab is not on this server" in warning.value
    assert not at.metric and not at.get("plotly_chart")  # no numbers that are not the pinned ones
    at.button[0].click().run()
    assert tiles(at)["Fed net liquidity"] == "$5.98 T"
    assert not any("not on this server" in w.value for w in at.warning)


def test_malformed_snapshot_param_is_not_rendered_as_html(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run(OVERVIEW, {"snap": "<img src=x onerror=alert(1)>"})
    (warning,) = at.warning
    assert "is not a snapshot id" in warning.value
    assert "<img" not in warning.value.replace("'<img src=x onerror=alert(1)>'", "")


def test_the_data_page_cannot_be_pinned(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run("pages/5_data.py", {"snap": "0123456789ab"})
    assert not at.warning and not [t for t in at.sidebar.toggle if t.key == "pin"]
    assert any("Ignored invalid link parameter" in c.value for c in at.caption)


PAGES = {
    "app.py": {"asof": "2026-08-20"},
    "pages/1_capex.py": {},
    "pages/2_liquidity.py": {"range": ["2025-01-01", "2026-08-28"]},
    "pages/3_divergence.py": {},
    "pages/4_liquidations.py": {},
}


@pytest.mark.pack
@pytest.mark.parametrize("script", list(PAGES))
def test_each_page_pinned_shows_what_it_showed(app_env, real_pack, script):
    """Each page declares the dataset kinds it reads; pinned, it must lack none of them."""
    app_env(real_pack)
    latest = run(script, PAGES[script])
    latest.sidebar.toggle(key="pin").set_value(True).run()
    sid = latest.query_params["snap"]
    pinned = run(script, {**PAGES[script], "snap": sid})
    unpinned = run(script, PAGES[script])
    assert chart_specs(pinned) == chart_specs(unpinned)
    assert [m.value for m in pinned.metric] == [m.value for m in unpinned.metric]
    assert card_texts(pinned) == card_texts(unpinned)
    assert [x.value for x in pinned.info] == [x.value for x in unpinned.info]
    # The same warnings as unpinned (old data stays old), none about the snapshot itself.
    assert not pinned.error
    assert [w.value for w in pinned.warning] == [w.value for w in unpinned.warning]


def test_python_api_pins_and_reads_through_any_loader(packed):
    import liquidity as lq

    sid = lq.pin((catalog.FRED,), library=packed).id
    old = lq.load_series("WALCL", library=packed)
    frame = packed.load("fred/WALCL")[0]
    packed.store.write(WALCL, frame.assign(value=frame["value"] + 5_000), source="test refresh")
    pd.testing.assert_series_equal(lq.load_series("WALCL", library=lq.pinned(sid, packed)), old)
    assert lq.load_series("WALCL", library=packed).iloc[-1] == old.iloc[-1] + 5_000


def test_the_id_does_not_depend_on_the_order_of_the_datasets():
    # Two entries in either order: the id is the first 12 hex digits of SHA-256 over the sorted
    # "key sha" lines, "fred/DGS10 bbb" before "fred/WALCL aaa", joined by a newline.
    at = pd.Timestamp("2026-01-01", tz="UTC")
    a = Entry("fred/WALCL", "aaa", "pack", "x", at, None, None, 1)
    b = Entry("fred/DGS10", "bbb", "pack", "x", at, None, None, 1)
    expected = hashlib.sha256(b"fred/DGS10 bbb\nfred/WALCL aaa").hexdigest()[:12]
    assert snapshots.snapshot_id([a, b]) == snapshots.snapshot_id([b, a]) == expected


def test_a_pin_includes_the_vintages_of_the_store_and_of_the_pack(tmp_path):
    # WALCL's vintages in the pack (read in place), M2's in the store.
    pack = tmp_path / "pack"
    (pack / "fred_vintages").mkdir(parents=True)
    (pack / "fred_vintages" / "WALCL.csv").write_text(
        "date,realtime_start,realtime_end,value\n2025-01-01,2025-01-02,,6800000\n"
    )
    library = Library(Store(tmp_path / "home"), DataPack(pack))
    m2 = vintage_frame([("2025-01-01", "2025-02-25", None, 21_561.4)])
    library.store.write(catalog.vintages("M2SL"), m2, source="test")
    snapshot = snapshots.pin(library, (catalog.FRED_VINTAGES,))
    assert set(snapshot.entries) == {"fred_vintages/WALCL", "fred_vintages/M2SL"}
    assert snapshot.data_as_of == pd.Timestamp("2025-02-25")  # no FRED series: any dataset's
    assert snapshots.pin(library).id == snapshot.id  # the default, every kind, holds them too
    library.store.write(catalog.vintages("M2SL"), m2.assign(value=21_600.0), source="revised")
    pinned = snapshots.pinned_library(
        library.store, snapshots.open_snapshot(library.store, snapshot.id)
    )
    pd.testing.assert_frame_equal(pinned.load("fred_vintages/M2SL")[0], m2)
    walcl = pinned.load("fred_vintages/WALCL")[0]
    assert walcl["value"].tolist() == [6_800_000.0] and walcl["realtime_end"].isna().all()
