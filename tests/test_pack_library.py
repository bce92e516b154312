import shutil

import pandas as pd
import pytest

from liquidity.core import catalog
from liquidity.core.errors import DataNotAvailable, LiquidityError, ValidationError
from liquidity.data.pack import DataPack, write_pack
from liquidity.data.provenance import Library
from liquidity.data.store import Store
from tests.alfred import vintage_frame

LIQ = catalog.get("coinglass/liquidation_aggregated_coin_history_BTC")


def test_pack_lists_what_it_holds(fixture_pack):
    keys = DataPack(fixture_pack).keys()
    assert {
        "fred/WALCL",
        "prices/MU",
        "capex/MSFT",
        LIQ.key,
        "coinglass/liquidation_exchange_list_BTC",
    } <= set(keys)
    assert "fred/M2SL" not in keys


def test_coinglass_snapshots_merge_and_the_later_capture_wins(fixture_pack):
    frame = DataPack(fixture_pack).read(LIQ)
    assert len(frame) == 3  # 00:00 and 04:00 from the first file, 04:00 and 08:00 from the second
    assert frame.loc["2025-01-01 04:00", "aggregated_long_liquidation_usd"].item() == 2_100_000.0
    assert str(frame.index.tz) == "UTC"


def test_exchange_list_keeps_its_snapshot_date(fixture_pack):
    frame = DataPack(fixture_pack).read(catalog.get("coinglass/liquidation_exchange_list_BTC"))
    assert frame["snapshot"].unique().tolist() == [pd.Timestamp("2025-01-02")]
    assert frame.set_index("exchange").loc["Binance", "longLiquidation_usd"] == 900_000.0


def broken_copy(src, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(src, pack)
    (pack / "fred" / "DGS10.csv").write_text("date,value\n2025-01-02,4.5\n2025-01-02,4.6\n")
    (pack / "fred" / "WDTGAL.csv").write_text("date,value\n2025-01-01,800\n2025-01-08,810\n")
    (pack / "prices" / "MU.csv").write_text('date,open\n"2025-01-01,1\n')
    return pack


def test_import_pack_reports_each_broken_file_and_loads_the_rest(fixture_pack, tmp_path):
    pack = broken_copy(fixture_pack, tmp_path)
    library = Library(Store(tmp_path / "home"))
    imported, rejected = library.import_pack(DataPack(pack))
    assert "duplicated date 2025-01-02" in rejected["fred/DGS10"]
    assert "wrong unit" in rejected["fred/WDTGAL"]  # values 1000x too small
    assert "prices/MU" in rejected
    assert {"fred/WALCL", "fred/RRPONTSYD", "prices/BTC-USD", LIQ.key} <= set(imported)
    status = {s.dataset.key: s for s in Library(None, DataPack(pack)).status()}
    assert "duplicated" in status["fred/DGS10"].error and status["fred/WALCL"].error is None


def test_import_then_export_round_trips(fixture_pack, tmp_path):
    library = Library(Store(tmp_path / "home"))
    library.import_pack(DataPack(fixture_pack))
    written, skipped = library.export_pack(tmp_path / "out")
    assert skipped == {}
    assert (tmp_path / "out" / "fred" / "WALCL.csv") in written
    assert (tmp_path / "out" / "manifest.json").exists()
    assert (tmp_path / "out" / "events.csv").exists()
    original, exported = DataPack(fixture_pack), DataPack(tmp_path / "out")
    assert set(exported.keys()) == set(original.keys())
    for key in original.keys():
        pd.testing.assert_frame_equal(
            exported.read(catalog.get(key)),
            original.read(catalog.get(key)),
            check_index_type=False,
            check_dtype=False,
        )


def test_export_refuses_a_folder_that_is_not_a_pack(fixture_pack, tmp_path):
    target = tmp_path / "documents"
    target.mkdir()
    (target / "thesis.docx").write_text("precious")
    with pytest.raises(LiquidityError, match="not a data pack"):
        write_pack(target, {})


def test_later_data_wins_and_the_store_wins_ties(fixture_pack, tmp_path):
    store = Store(tmp_path / "home")
    library = Library(store, DataPack(fixture_pack))
    walcl = catalog.fred("WALCL")
    assert library.provenance("fred/WALCL").origin == "pack"
    same = DataPack(fixture_pack).read(walcl)
    store.write(walcl, same, source="test")
    assert library.provenance("fred/WALCL").origin == "live"  # tie: the store
    older = same.iloc[:-1]
    store.write(walcl, older, source="test")
    frame, prov = library.load("fred/WALCL")
    assert prov.origin == "pack" and len(frame) == len(same)  # the pack has a later Wednesday


def test_modes_and_missing_data(fixture_pack, tmp_path):
    empty = Library(Store(tmp_path / "empty"))
    assert empty.mode() == "empty"
    with pytest.raises(DataNotAvailable, match="python -m liquidity refresh"):
        empty.load("fred/WALCL")
    assert Library(Store(tmp_path / "h"), DataPack(fixture_pack)).mode() == "data pack"
    missing = Library(Store(tmp_path / "h"), DataPack(tmp_path / "no-such-pack"))
    assert missing.missing_pack == tmp_path / "no-such-pack" and missing.pack is None


def test_staleness_follows_the_dataset_frequency(fixture_pack, tmp_path):
    library = Library(Store(tmp_path / "h"), DataPack(fixture_pack))
    walcl = catalog.fred("WALCL")  # weekly: stale after 10 days; last Wednesday 2025-02-05
    prov = library.provenance("fred/WALCL")
    assert not prov.stale(walcl, pd.Timestamp("2025-02-14", tz="UTC"))
    assert prov.stale(walcl, pd.Timestamp("2025-02-16", tz="UTC"))


def test_a_broken_pack_file_raises_on_load(fixture_pack, tmp_path):
    pack = broken_copy(fixture_pack, tmp_path)
    with pytest.raises(ValidationError, match="fred/DGS10"):
        Library(None, DataPack(pack)).load("fred/DGS10")


def test_derived_results_are_recomputed_only_when_an_input_changes(fixture_pack, tmp_path):
    store = Store(tmp_path / "home")
    library = Library(store, DataPack(fixture_pack))
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert library.derived("n", ["fred/WALCL"], compute) == 1
    assert library.derived("n", ["fred/WALCL"], compute) == 1  # same input: memo
    walcl = catalog.fred("WALCL")
    newer = DataPack(fixture_pack).read(walcl)
    newer.loc[pd.Timestamp("2025-02-12")] = 6_860_000.0
    store.write(walcl, newer, source="test")  # a later Wednesday: the store copy wins now
    assert library.derived("n", ["fred/WALCL"], compute) == 2


# -- FRED vintages: their own kind, in a pack only when it carries them -----------------------
VINTAGES = catalog.vintages("WALCL")
# Two vintages of 2025-01-01 (revised on 2025-01-09) and one of 2025-01-08, current ones open.
VINTAGES_CSV = (
    "date,realtime_start,realtime_end,value\n"
    "2025-01-01,2025-01-02,2025-01-08,6800000\n"
    "2025-01-01,2025-01-09,,6800500\n"
    "2025-01-08,2025-01-09,,6810000\n"
)
VINTAGE_ROWS = [
    ("2025-01-01", "2025-01-02", "2025-01-08", 6_800_000.0),
    ("2025-01-01", "2025-01-09", None, 6_800_500.0),
    ("2025-01-08", "2025-01-09", None, 6_810_000.0),
]


def vintage_pack(tmp_path, text=VINTAGES_CSV):
    pack = tmp_path / "vintage-pack"
    (pack / "fred_vintages").mkdir(parents=True)
    (pack / "fred_vintages" / "WALCL.csv").write_text(text)
    return pack


def test_a_pack_with_vintages_serves_them_through_the_library(tmp_path):
    library = Library(Store(tmp_path / "home"), DataPack(vintage_pack(tmp_path)))
    frame, prov = library.load("fred_vintages/WALCL")
    pd.testing.assert_frame_equal(frame, vintage_frame(VINTAGE_ROWS))
    assert isinstance(frame.index, pd.RangeIndex)
    assert prov.origin == "pack" and prov.rows == 3
    # First and last are vintage days: the newest vintage dates the copy.
    assert (prov.first, prov.last) == (pd.Timestamp("2025-01-02"), pd.Timestamp("2025-01-09"))
    listed = [s.dataset.key for s in library.status() if s.dataset.kind == catalog.FRED_VINTAGES]
    assert listed == ["fred_vintages/WALCL"]


def test_a_pack_without_vintages_lists_none_of_them(fixture_pack, tmp_path):
    statuses = Library(Store(tmp_path / "home"), DataPack(fixture_pack)).status()
    assert [s.dataset.key for s in statuses] == [d.key for d in catalog.CATALOG]
    with pytest.raises(DataNotAvailable, match="set FRED_API_KEY and run"):
        Library(Store(tmp_path / "home"), DataPack(fixture_pack)).load("fred_vintages/WALCL")


def test_a_unit_slip_in_a_vintage_file_is_rejected_by_name(tmp_path):
    thousandfold = VINTAGES_CSV.replace("6800000", "6800000000")  # $ thousands read as millions
    library = Library(None, DataPack(vintage_pack(tmp_path, thousandfold)))
    message = (
        r"fred_vintages/WALCL: value=6.8e\+09 at row 0 is outside the plausible range "
        r"\[500000, 1.2e\+07\] USD_M: wrong unit"
    )
    with pytest.raises(ValidationError, match=message):
        library.load("fred_vintages/WALCL")
    [row] = [s for s in library.status() if s.dataset.kind == catalog.FRED_VINTAGES]
    assert "outside the plausible range" in row.error and row.provenance is None


def test_export_pack_writes_stored_vintages_and_they_come_back(tmp_path):
    store = Store(tmp_path / "home")
    store.write(VINTAGES, vintage_frame(VINTAGE_ROWS), source="ALFRED vintages (fredapi)")
    written, skipped = Library(store).export_pack(tmp_path / "out")
    path = tmp_path / "out" / "fred_vintages" / "WALCL.csv"
    assert path in written and skipped == {}
    assert path.read_text() == VINTAGES_CSV  # realtime_end empty while current
    exported = DataPack(tmp_path / "out")
    assert exported.keys() == ["fred_vintages/WALCL"]
    pd.testing.assert_frame_equal(exported.read(VINTAGES), vintage_frame(VINTAGE_ROWS))
    imported, rejected = Library(Store(tmp_path / "other")).import_pack(exported)
    assert (imported, rejected) == (["fred_vintages/WALCL"], {})
    path.unlink()  # the manifest still lists it: the missing file is named, not ignored
    [row] = [s for s in Library(None, exported).status() if s.dataset.kind == VINTAGES.kind]
    assert row.dataset.key == "fred_vintages/WALCL" and "file is missing" in row.error
