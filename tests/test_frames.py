import numpy as np
import pandas as pd
import pytest

from liquidity.core import catalog
from liquidity.core.errors import ValidationError
from liquidity.data.frames import read_csv, validate, write_csv
from tests.alfred import vintage_frame

WALCL = catalog.fred("WALCL")


def series_frame(dates, values):
    return pd.DataFrame({"value": values}, index=pd.DatetimeIndex(dates, name="date"))


def test_valid_frame_passes_unchanged():
    frame = series_frame(["2025-01-01", "2025-01-08"], [6_800_000.0, 6_810_000.0])
    assert validate(frame, WALCL) is frame


@pytest.mark.parametrize(
    ("dates", "values", "message"),
    [
        (["2025-01-01", "2025-01-08"], [6_800.0, 6_810.0], "outside the plausible range"),
        (["2025-01-01", "2025-01-01"], [6_800_000.0, 6_810_000.0], "duplicated date 2025-01-01"),
        (["2025-01-08", "2025-01-01"], [6_800_000.0, 6_810_000.0], "dates not sorted"),
        ([], [], "no observations"),
        (["2025-01-01"], [np.nan], "no observations"),
    ],
)
def test_bad_frames_are_rejected_with_the_reason(dates, values, message):
    with pytest.raises(ValidationError, match=message) as err:
        validate(series_frame(dates, values), WALCL)
    assert err.value.dataset == "fred/WALCL"


def test_latest_value_bound_catches_a_slip_that_old_history_would_hide():
    # WRESBAL was ~$9B in 2002, so only the latest value can reveal a millions/billions mix-up.
    reserves = catalog.fred("WRESBAL")
    ok = series_frame(["2002-12-18", "2026-08-26"], [9_028.0, 2_924_936.0])
    validate(ok, reserves)
    with pytest.raises(ValidationError, match="latest value 2924.94"):
        validate(series_frame(["2002-12-18", "2026-08-26"], [9_028.0, 2_924.936]), reserves)


def test_missing_column_is_named():
    frame = pd.DataFrame({"close": [1.0]}, index=pd.DatetimeIndex(["2025-01-01"], name="date"))
    with pytest.raises(ValidationError, match="missing column"):
        validate(frame, catalog.price("MU"))


def test_read_csv_reports_the_line_of_a_malformed_value():
    with pytest.raises(ValidationError, match=r"malformed number 'abc' in value \(line 3\)"):
        read_csv("date,value\n2025-01-01,6800000\n2025-01-08,abc\n", WALCL)
    with pytest.raises(ValidationError, match=r"malformed date '2025-13-01' \(line 2\)"):
        read_csv("date,value\n2025-13-01,6800000\n", WALCL)


def test_read_csv_treats_dot_and_empty_as_missing():
    frame = read_csv("date,value\n2025-01-01,1\n2025-01-02,.\n2025-01-03,\n", catalog.fred("DGS10"))
    assert frame["value"].isna().tolist() == [False, True, True]


def test_prices_missing_columns_are_filled_with_nan():
    frame = read_csv("date,adj_close\n2025-01-02,82.05\n", catalog.price("TLT"))
    assert list(frame.columns) == ["open", "high", "low", "close", "adj_close", "volume"]
    assert frame["adj_close"].iloc[0] == 82.05 and frame["close"].isna().all()


@pytest.mark.parametrize(
    "key",
    ["fred/WALCL", "prices/MU", "capex/MSFT", "coinglass/liquidation_aggregated_coin_history_BTC"],
)
def test_csv_round_trip(fixture_pack, key):
    from liquidity.data.pack import DataPack

    dataset = catalog.get(key)
    frame = DataPack(fixture_pack).read(dataset)
    again = validate(read_csv(write_csv(frame, dataset), dataset), dataset)
    pd.testing.assert_frame_equal(again, frame, check_index_type=False, check_dtype=False)


# -- FRED vintages ----------------------------------------------------------------------------
WALCL_VINTAGES = catalog.vintages("WALCL")
GOOD_VINTAGES = [
    ("2025-01-01", "2025-01-02", "2025-01-08", 6_800_000.0),
    ("2025-01-01", "2025-01-09", None, 6_800_500.0),
    ("2025-01-08", "2025-01-09", None, np.nan),
    ("2025-01-15", "2025-01-16", None, 6_820_000.0),
]


def test_a_valid_vintage_frame_passes_unchanged():
    frame = vintage_frame(GOOD_VINTAGES)
    assert validate(frame, WALCL_VINTAGES) is frame


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [GOOD_VINTAGES[0], GOOD_VINTAGES[0]],
            "duplicated vintage 2025-01-01, 2025-01-02",
        ),
        (
            [GOOD_VINTAGES[1], GOOD_VINTAGES[0]],
            r"vintages not sorted by date, realtime_start \(2025-01-01 from 2025-01-02 at row 1\)",
        ),
        (
            [GOOD_VINTAGES[3], GOOD_VINTAGES[0]],
            r"vintages not sorted by date, realtime_start \(2025-01-01 from 2025-01-02 at row 1\)",
        ),
        (
            [("2025-01-01", "2025-01-09", "2025-01-02", 6_800_000.0)],
            "realtime_end 2025-01-02 before realtime_start 2025-01-09 at row 0",
        ),
        ([("2025-01-01", None, None, 6_800_000.0)], "missing or malformed date, realtime_start"),
        ([("2025-01-01", "2025-01-02", None, 6_800.0)], "outside the plausible range"),
        ([], "no observations"),
    ],
    ids=["duplicate", "unsorted-starts", "unsorted-dates", "inverted", "no-start", "unit", "empty"],
)
def test_bad_vintage_frames_are_rejected_with_the_reason(rows, message):
    with pytest.raises(ValidationError, match=message) as err:
        validate(vintage_frame(rows), WALCL_VINTAGES)
    assert err.value.dataset == "fred_vintages/WALCL"


def test_the_latest_vintage_value_has_the_series_latest_bound():
    # WRESBAL's latest value must be ≥ 1e5 $ millions: a billions slip in the newest vintage of
    # the newest date shows, an old vintage as small as 2002's ~9,000 does not trip it.
    reserves = catalog.vintages("WRESBAL")
    rows = [("2002-12-18", "2002-12-19", None, 9_028.0), ("2026-08-26", "2026-08-27", None, 2.9e6)]
    validate(vintage_frame(rows), reserves)
    slipped = [rows[0], ("2026-08-26", "2026-08-27", None, 2_924.936)]
    with pytest.raises(ValidationError, match="latest value 2924.94"):
        validate(vintage_frame(slipped), reserves)


def test_vintage_csv_reads_empty_realtime_end_as_current_and_names_a_bad_one():
    text = (
        "date,realtime_start,realtime_end,value\n"
        "2025-01-01,2025-01-02,2025-01-08,6800000\n"
        "2025-01-01,2025-01-09,,.\n"
    )
    frame = read_csv(text, WALCL_VINTAGES)
    assert frame["realtime_end"].isna().tolist() == [False, True]
    assert frame["value"].isna().tolist() == [False, True]
    assert str(frame["realtime_start"].dtype) == "datetime64[us]"
    with pytest.raises(ValidationError, match=r"malformed date '2025-01-32' \(line 2\)"):
        read_csv(text.replace("2025-01-08", "2025-01-32"), WALCL_VINTAGES)
    with pytest.raises(ValidationError, match="missing column"):
        read_csv("date,realtime_start,value\n2025-01-01,2025-01-02,1\n", WALCL_VINTAGES)


def test_vintage_csv_round_trip():
    frame = vintage_frame(GOOD_VINTAGES)
    text = write_csv(frame, WALCL_VINTAGES)
    assert text.splitlines()[:3] == [
        "date,realtime_start,realtime_end,value",
        "2025-01-01,2025-01-02,2025-01-08,6800000",
        "2025-01-01,2025-01-09,,6800500",
    ]
    pd.testing.assert_frame_equal(validate(read_csv(text, WALCL_VINTAGES), WALCL_VINTAGES), frame)
