"""A data pack with one bad file: the bad dataset is named, everything else loads unchanged.

Each fault is applied to a copy of tests/fixtures/pack (the fixture is never modified), then
checked through every way the product reports data: `lq.status()`, `python -m liquidity
status`, and the Data page. Decisions: duplicated and unsorted dates are rejected, not repaired
(a pack is a record; which of two values for a day is right cannot be guessed, and the README
promises sorted, unique dates); a file that is gone counts as missing, and as an error when the
pack's manifest.json (written by export-pack) lists it.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import liquidity as lq
from liquidity.cli import main
from liquidity.core import catalog
from liquidity.core.errors import ValidationError
from liquidity.data.frames import validate, value_columns
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.data.store import Store
from tests.apptest import run_page
from tests.conftest import FIXTURE_PACK


def scaled(factor: float) -> Callable[[str], str]:
    """A CSV with every number after the first column multiplied (a unit slip)."""

    def apply(text: str) -> str:
        lines = text.splitlines()
        out = [lines[0]]
        for line in lines[1:]:
            first, *rest = line.split(",")
            out.append(",".join([first, *(_times(v, factor) for v in rest)]))
        return "\n".join(out) + "\n"

    return apply


def _times(value: str, factor: float) -> str:
    try:
        return repr(float(value) * factor)
    except ValueError:  # FRED's "." and empty cells stay as they are
        return value


def rows(transform: Callable[[list[str]], list[str]]) -> Callable[[str], str]:
    def apply(text: str) -> str:
        header, *body = text.splitlines()
        return "\n".join([header, *transform(body)]) + "\n"

    return apply


@dataclass(frozen=True)
class Fault:
    key: str  # the dataset the fault breaks
    path: str  # the file it touches, relative to the pack
    change: Callable[[str], str | bytes] | None  # new content from the old; None deletes
    message: str  # what the report must say about it

    def apply(self, pack: Path) -> None:
        file = pack / self.path
        if self.change is None:
            file.unlink()
            return
        new = self.change(file.read_text(encoding="utf-8"))
        if isinstance(new, bytes):
            file.write_bytes(new)
        else:
            file.write_text(new, encoding="utf-8")


CG_BTC = "coinglass/liquidation_aggregated_coin_history_BTC"
FAULTS = {
    "malformed CSV": Fault(
        "fred/DGS10",
        "fred/DGS10.csv",
        lambda text: text.replace("4.55", '"4.55'),
        "fred/DGS10: malformed CSV (Error tokenizing data",
    ),
    "not UTF-8": Fault(  # a spreadsheet program saved it in its own code page
        "fred/DGS10",
        "fred/DGS10.csv",
        lambda text: text.replace("value", "value €").encode("cp1252"),
        "fred/DGS10: not a UTF-8 text file (byte 11)",
    ),
    "empty file": Fault("prices/MU", "prices/MU.csv", lambda text: "", "prices/MU: malformed CSV"),
    "wrong columns": Fault(
        "capex/MSFT",
        "capex/MSFT.csv",
        lambda text: text.replace("value_usd", "value_musd"),
        "capex/MSFT: missing column(s) value_usd",
    ),
    "millions read as billions": Fault(  # WALCL written in $ billions: 1000x too small
        "fred/WALCL",
        "fred/WALCL.csv",
        scaled(1e-3),
        "fred/WALCL: value=6800 at 2025-01-01 is outside the plausible range [500000, 1.2e+07] "
        "USD_M: wrong unit or corrupt data?",
    ),
    "prices 1000x": Fault(
        "prices/BTC-USD",
        "prices/BTC-USD.csv",
        scaled(1e3),
        "prices/BTC-USD: close=9.8e+07 at 2025-01-07 is outside the plausible range [1, 1e+07] USD",
    ),
    "duplicated dates": Fault(
        "fred/DGS10",
        "fred/DGS10.csv",
        rows(lambda body: [body[0], *body]),
        "fred/DGS10: duplicated date 2025-01-06",
    ),
    "unsorted dates": Fault(
        "fred/DGS10",
        "fred/DGS10.csv",
        rows(lambda body: body[::-1]),
        "fred/DGS10: dates not sorted (2025-02-04 after 2025-02-05)",
    ),
    "a broken CoinGlass snapshot": Fault(
        CG_BTC,
        f"liquidations/coinglass_test/20250102_api_futures_{CG_BTC.split('/')[1]}.csv",
        lambda text: text.replace("\n", '\n"', 1),
        f"{CG_BTC}: malformed CSV",
    ),
}


@pytest.fixture(scope="module")
def intact():
    """Every dataset of the intact fixture pack, as loaded."""
    library = Library(None, DataPack(FIXTURE_PACK))
    return {key: library.load(key)[0] for key in DataPack(FIXTURE_PACK).keys()}


def broken_pack(fixture_pack: Path, tmp_path: Path, fault: Fault) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(fixture_pack, pack)
    fault.apply(pack)
    return pack


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_the_bad_dataset_is_named_and_the_rest_loads(fixture_pack, tmp_path, intact, fault):
    library = Library(
        Store(tmp_path / "home"), DataPack(broken_pack(fixture_pack, tmp_path, fault))
    )
    status = lq.status(library).set_index("id")
    assert status.loc[fault.key, "error"].startswith(fault.message), status.loc[fault.key, "error"]
    assert status["error"].notna().sum() == 1  # only that one
    with pytest.raises(ValidationError, match=fault.key):
        library.load(fault.key)
    for key, frame in intact.items():
        if key != fault.key:
            pd.testing.assert_frame_equal(library.load(key)[0], frame)


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_cli_status_names_the_bad_dataset(capsys, fixture_pack, tmp_path, intact, fault):
    library = Library(
        Store(tmp_path / "home"), DataPack(broken_pack(fixture_pack, tmp_path, fault))
    )
    assert main(["status", "--csv"], library=library) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("id")
    assert table.loc[fault.key, "source"] == "error"
    assert table.loc[fault.key, "note"].startswith(fault.message)
    assert (table.loc[[k for k in intact if k != fault.key], "source"] == "pack").all()


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_data_page_names_the_bad_dataset(app_env, fixture_pack, tmp_path, intact, fault):
    app_env(broken_pack(fixture_pack, tmp_path, fault))
    at = run_page("pages/5_data.py")
    assert not at.error
    assert {m.label: m.value for m in at.metric}["Unreadable"] == "1"
    table = at.dataframe[0].value.set_index("dataset")
    assert table.loc[fault.key, "origin"] == "error"
    assert table.loc[fault.key, "note"].startswith(fault.message)
    assert (table.loc[[k for k in intact if k != fault.key], "origin"] == "pack").all()
    assert any("1 unreadable: see the Data page" in c.value for c in at.caption)


def test_a_missing_file_is_named_where_it_is_needed(app_env, fixture_pack, tmp_path, intact):
    pack = broken_pack(fixture_pack, tmp_path, Fault("fred/WDTGAL", "fred/WDTGAL.csv", None, ""))
    library = Library(Store(tmp_path / "home"), DataPack(pack))
    status = lq.status(library).set_index("id")
    assert pd.isna(status.loc["fred/WDTGAL", "origin"]) and status["error"].isna().all()
    app_env(pack)
    overview = run_page("app.py")  # net liquidity needs the Treasury account
    assert not overview.error
    assert any(
        i.value.startswith("fred/WDTGAL (Treasury General Account) is not in the data pack")
        for i in overview.info
    )
    for key, frame in intact.items():
        if key != "fred/WDTGAL":
            pd.testing.assert_frame_equal(library.load(key)[0], frame)


def test_a_file_the_manifest_lists_but_the_pack_lacks_is_an_error(fixture_pack, tmp_path, intact):
    pack = broken_pack(fixture_pack, tmp_path, Fault("fred/WDTGAL", "fred/WDTGAL.csv", None, ""))
    (pack / "manifest.json").write_text(json.dumps({key: {} for key in intact}))
    library = Library(Store(tmp_path / "home"), DataPack(pack))
    status = lq.status(library).set_index("id")
    assert status.loc["fred/WDTGAL", "error"] == (
        "fred/WDTGAL: the pack's manifest.json lists it, but its file is missing"
    )
    assert status["error"].notna().sum() == 1
    assert library.load("fred/WALCL")[0].equals(intact["fred/WALCL"])


# -- the catalog's plausible ranges against 1000x unit slips ---------------------------------------

# A range catches a slip only where the true values cannot come near it: series that can be near
# zero (rates, spreads, RRP, liquidations, open interest, capex rows of zero) or a stock that has
# never traded above $100 pass when divided or multiplied by 1000. What must be caught:
MUST_CATCH_BOTH = {  # millions vs billions on the Fed's balance sheet: the slip this app invites
    "fred/WALCL",
    "fred/WDTGAL",
    "fred/WTREGEN",
    "fred/WRESBAL",
    "fred/TREAST",
    "fred/M2SL",
    "prices/000660.KS",  # KRW read as USD and back
    "prices/005930.KS",
}
TIMES_1000_PASSES = {"prices/GME"}  # a known gap: all of its history fits under the price cap


def slipped(frame: pd.DataFrame, dataset, factor: float) -> bool:
    """True when validation rejects the frame with every value multiplied by `factor`."""
    columns = list(value_columns(dataset))
    frame = frame.copy()
    frame[columns] = frame[columns].astype("float64") * factor
    try:
        validate(frame, dataset)
    except ValidationError:
        return True
    return False


@pytest.mark.pack
def test_a_1000x_unit_slip_is_caught_on_the_real_pack(real_pack):
    pack = DataPack(real_pack)
    frames = {d.key: (d, pack.read(d)) for d in catalog.CATALOG if pack.files(d)}
    assert MUST_CATCH_BOTH <= set(frames)
    times = {key for key, (d, f) in frames.items() if not slipped(f, d, 1e3)}
    assert times == TIMES_1000_PASSES
    divided = {key for key, (d, f) in frames.items() if slipped(f, d, 1e-3)}
    assert MUST_CATCH_BOTH <= divided
