import hashlib
import os
import threading

import pandas as pd
import pytest

from liquidity.core import catalog
from liquidity.core.errors import DataNotAvailable, ValidationError
from liquidity.data.store import Store
from tests.alfred import vintage_frame

WALCL = catalog.fred("WALCL")


def frame(values, start="2025-01-01"):
    dates = pd.DatetimeIndex(
        pd.date_range(start, periods=len(values), freq="7D"), freq=None, name="date"
    )
    return pd.DataFrame({"value": values}, index=dates)


def test_write_then_read_round_trips_with_a_manifest(tmp_path):
    store = Store(tmp_path)
    data = frame([6_800_000.0, 6_810_000.0, 6_820_000.0])
    entry = store.write(WALCL, data, source="test")
    pd.testing.assert_frame_equal(store.read("fred/WALCL"), data, check_index_type=False)
    assert (entry.rows, entry.first, entry.last) == (
        3,
        pd.Timestamp("2025-01-01"),
        pd.Timestamp("2025-01-15"),
    )
    assert entry.origin == "live" and entry.source == "test"
    object_file = store.objects / entry.sha256[:2] / f"{entry.sha256}.parquet"
    assert hashlib.sha256(object_file.read_bytes()).hexdigest() == entry.sha256
    assert store.entry("fred/WALCL") == entry


def test_missing_dataset_raises(tmp_path):
    with pytest.raises(DataNotAvailable):
        Store(tmp_path).read("fred/WALCL")


def test_invalid_or_empty_fetch_never_replaces_good_data(tmp_path):
    store = Store(tmp_path)
    good = store.write(WALCL, frame([6_800_000.0]), source="test")
    with pytest.raises(ValidationError):
        store.write(WALCL, frame([6_800.0]), source="test")  # $ billions by mistake
    with pytest.raises(ValidationError):
        store.write(WALCL, frame([]), source="test")
    assert store.entry("fred/WALCL") == good
    assert store.read("fred/WALCL")["value"].tolist() == [6_800_000.0]


def test_a_write_that_fails_midway_leaves_the_old_version(tmp_path, monkeypatch):
    store = Store(tmp_path)
    store.write(WALCL, frame([6_800_000.0]), source="test")

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.write(WALCL, frame([6_900_000.0]), source="test")
    monkeypatch.undo()
    assert store.read("fred/WALCL")["value"].tolist() == [6_800_000.0]
    leftovers = [p for p in store.objects.rglob("*") if p.name.startswith(".tmp-")]
    assert leftovers == []


def test_superseded_objects_are_removed(tmp_path):
    store = Store(tmp_path)
    first = store.write(WALCL, frame([6_800_000.0]), source="test")
    second = store.write(WALCL, frame([6_900_000.0]), source="test")
    assert first.sha256 != second.sha256
    files = sorted(p.stem for p in store.objects.rglob("*.parquet"))
    assert files == [second.sha256]


def test_readers_see_old_or_new_data_while_a_writer_runs(tmp_path):
    store = Store(tmp_path)
    store.write(WALCL, frame([6_800_000.0] * 50), source="test")
    errors, seen = [], set()

    def read_loop():
        reader = Store(tmp_path)
        for _ in range(60):
            try:
                seen.add(reader.read("fred/WALCL")["value"].iloc[0])
            except Exception as exc:  # noqa: BLE001  (any error here is the failure)
                errors.append(exc)

    thread = threading.Thread(target=read_loop)
    thread.start()
    for i in range(20):
        store.write(WALCL, frame([6_800_000.0 + i] * 50), source="test")
    thread.join()
    assert errors == []
    assert seen <= {6_800_000.0 + i for i in range(20)}


def test_attempts_are_recorded(tmp_path):
    store = Store(tmp_path)
    store.record_attempt("fred/WALCL", False, "could not reach fred.stlouisfed.org")
    attempt = store.attempts()["fred/WALCL"]
    assert not attempt.ok and "could not reach" in attempt.message


def test_vintages_round_trip_with_their_dtypes_and_open_periods(tmp_path):
    store = Store(tmp_path)
    vintages = catalog.vintages("WALCL")
    data = vintage_frame(
        [
            ("2025-01-01", "2025-01-02", "2025-01-08", 6_800_000.0),
            ("2025-01-01", "2025-01-09", None, 6_800_500.0),
            ("2025-01-08", "2025-01-09", None, float("nan")),
        ]
    )
    entry = store.write(vintages, data, source="test")
    back = store.read("fred_vintages/WALCL")
    pd.testing.assert_frame_equal(back, data)  # dtypes, NaT, NaN and the RangeIndex
    # first / last are the first and the newest vintage days
    assert (entry.first, entry.last, entry.rows) == (
        pd.Timestamp("2025-01-02"),
        pd.Timestamp("2025-01-09"),
        3,
    )
