"""Frame shapes per dataset kind: validation, and the CSV form used by data packs.

Every frame that enters the store or comes out of a data pack passes `validate`: the right
columns, a non-empty body, dates sorted and unique, and every value inside the catalog's
plausible range (the newest one inside the tighter `latest_bounds`). A frame that fails is
rejected whole with a message naming the dataset and the first problem found.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from liquidity.core.catalog import (
    AUCTION_COLUMNS,
    AUCTION_OPTIONAL,
    AUCTIONS,
    CAPEX,
    COINGLASS,
    FILING_COLUMNS,
    FILINGS,
    FRED,
    FRED_VINTAGES,
    NYFED,
    PRICES,
    RATE_COLUMNS,
    RRP_COLUMNS,
    RRP_DAILY,
    SEC,
    SEC_COLUMNS,
    TGA_COLUMNS,
    TGA_DAILY,
    VINTAGE_COLUMNS,
    Dataset,
)
from liquidity.core.errors import ValidationError

PRICE_COLUMNS = ("open", "high", "low", "close", "adj_close", "volume")
CAPEX_COLUMNS = ("period_end", "fiscal_period", "form", "value_usd", "concept")
EXCHANGE_COLUMNS = (
    "snapshot",
    "exchange",
    "liquidation_usd",
    "longLiquidation_usd",
    "shortLiquidation_usd",
)
OHLC = ("open", "high", "low", "close")
LIQUIDATION_COLUMNS = ("aggregated_long_liquidation_usd", "aggregated_short_liquidation_usd")


def is_snapshot(dataset: Dataset) -> bool:
    return dataset.kind == COINGLASS and dataset.frequency == "snapshot"


def expected_columns(dataset: Dataset) -> tuple[str, ...]:
    if dataset.kind == FRED:
        return ("value",)
    if dataset.kind == FRED_VINTAGES:
        return VINTAGE_COLUMNS
    if dataset.kind == PRICES:
        return PRICE_COLUMNS
    if dataset.kind == CAPEX:
        return CAPEX_COLUMNS
    if dataset.kind == SEC:
        return SEC_COLUMNS
    if dataset.kind == FILINGS:
        return FILING_COLUMNS
    if dataset.key == TGA_DAILY:
        return TGA_COLUMNS
    if dataset.key == AUCTIONS:
        return AUCTION_COLUMNS
    if dataset.key == RRP_DAILY:
        return RRP_COLUMNS
    if dataset.kind == NYFED:
        return RATE_COLUMNS
    if is_snapshot(dataset):
        return EXCHANGE_COLUMNS
    if dataset.name.startswith("liquidation_"):
        return LIQUIDATION_COLUMNS
    return OHLC


def value_columns(dataset: Dataset) -> tuple[str, ...]:
    """The columns whose magnitudes the catalog bounds describe."""
    if dataset.kind in (FRED, FRED_VINTAGES):
        return ("value",)
    if dataset.kind == PRICES:
        return PRICE_COLUMNS[:-1]  # volume is a count, not a price
    if dataset.kind == CAPEX:
        return ("value_usd",)
    if dataset.kind == SEC:
        return ("val",)
    if dataset.kind == FILINGS:
        return ("principal_usd",)
    if dataset.key == AUCTIONS:
        return ("offering_amt_usd", "total_accepted_usd")
    if dataset.key == RRP_DAILY:
        return ("total_accepted_busd",)  # the dollar column is the same number ×1e9
    if dataset.kind == NYFED:
        return ("rate_pct",)
    return tuple(c for c in expected_columns(dataset) if c not in ("snapshot", "exchange"))


def is_dated(dataset: Dataset) -> bool:
    """Whether the frame is indexed by observation time (one row per date)."""
    return (
        dataset.kind in (FRED, PRICES, NYFED)
        or dataset.key == TGA_DAILY
        or (dataset.kind == COINGLASS and not is_snapshot(dataset))
    )


def _dated_numbers(dataset: Dataset) -> bool:
    """Date-indexed files whose columns are all numbers (the fast CSV path reads them)."""
    return (
        dataset.kind in (FRED, PRICES)
        or dataset.key == TGA_DAILY
        or (dataset.kind == NYFED and dataset.key != RRP_DAILY)
    )


def validate(frame: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """Return `frame` unchanged if it is fit to store; raise ValidationError otherwise."""
    key = dataset.key
    missing = [c for c in expected_columns(dataset) if c not in frame.columns]
    if missing:
        raise ValidationError(key, f"missing column(s) {', '.join(missing)}")
    values = frame[list(value_columns(dataset))]
    # A debt filing whose amount could not be read is still a filing, and a company's filings
    # index may list none (it has issued no debt): for filings only a broken shape is an error.
    if dataset.kind != FILINGS and (frame.empty or values.isna().all().all()):
        raise ValidationError(key, "no observations (empty fetch or file)")
    if is_dated(dataset):
        _check_dates(frame.index, key)
    else:
        _check_unique_rows(frame, dataset)
    _check_magnitudes(values, dataset)
    return frame


def _check_dates(index: pd.Index, key: str) -> None:
    if not isinstance(index, pd.DatetimeIndex):
        raise ValidationError(key, "index is not a date index")
    if index.hasnans:
        raise ValidationError(key, "missing or malformed dates")
    if index.has_duplicates:
        dup = index[index.duplicated()][0]
        raise ValidationError(key, f"duplicated date {dup.date()}")
    if not index.is_monotonic_increasing:
        pos = int(np.argmax(index[1:] < index[:-1])) + 1
        raise ValidationError(
            key, f"dates not sorted ({index[pos].date()} after {index[pos - 1].date()})"
        )


def _check_unique_rows(frame: pd.DataFrame, dataset: Dataset) -> None:
    if dataset.kind == FRED_VINTAGES:
        _check_vintages(frame, dataset.key)
        return
    if dataset.kind == CAPEX:
        ident = ["period_end", "fiscal_period", "concept"]
    elif dataset.kind == FILINGS:
        ident = ["accn"]
    elif dataset.key == AUCTIONS:
        ident = ["auction_date", "security_term", "cusip"]
    elif dataset.kind == SEC:
        return  # a filing may repeat a fact; quarterization resolves it
    else:
        ident = ["snapshot", "exchange"]
    if frame[ident].isna().any().any():
        raise ValidationError(dataset.key, f"missing or malformed {', '.join(ident)}")
    dup = frame.duplicated(ident)
    if dup.any():
        row = frame.loc[dup, ident].iloc[0]
        raise ValidationError(dataset.key, "duplicated row " + ", ".join(map(str, row.tolist())))


def _check_vintages(frame: pd.DataFrame, key: str) -> None:
    """One row per (date, realtime_start), in that order; a closed period ends after it starts.

    As-of lookups take the last row of each date's run as its latest vintage, so the order is
    part of the shape, not a convenience.
    """
    ident = ["date", "realtime_start"]
    if frame[ident].isna().any().any():
        raise ValidationError(key, "missing or malformed date, realtime_start")
    dup = frame.duplicated(ident)
    if dup.any():
        row = frame.loc[dup, ident].iloc[0]
        raise ValidationError(
            key, f"duplicated vintage {row['date'].date()}, {row['realtime_start'].date()}"
        )
    dates, starts = frame["date"].to_numpy(), frame["realtime_start"].to_numpy()
    back = (dates[1:] < dates[:-1]) | ((dates[1:] == dates[:-1]) & (starts[1:] < starts[:-1]))
    if back.any():
        pos = int(np.argmax(back)) + 1
        raise ValidationError(
            key,
            f"vintages not sorted by date, realtime_start ({frame['date'].iloc[pos].date()} "
            f"from {frame['realtime_start'].iloc[pos].date()} at row {pos})",
        )
    ends = frame["realtime_end"]
    inverted = ends.notna() & (ends < frame["realtime_start"])
    if inverted.any():
        pos = int(np.argmax(inverted.to_numpy()))
        raise ValidationError(
            key,
            f"realtime_end {ends.iloc[pos].date()} before realtime_start "
            f"{frame['realtime_start'].iloc[pos].date()} at row {pos}",
        )


def _check_magnitudes(values: pd.DataFrame, dataset: Dataset) -> None:
    lo, hi = dataset.bounds
    numeric = values.astype("float64")
    bad = (numeric < lo) | (numeric > hi)
    if bad.any().any():
        col = bad.any().idxmax()
        where = bad[col].idxmax()
        value = numeric.at[where, col]
        raise ValidationError(
            dataset.key,
            f"{col}={value:g} at {_where(where)} is outside the plausible range "
            f"[{lo:g}, {hi:g}] {dataset.native_unit}: wrong unit or corrupt data?",
        )
    if dataset.latest_bounds is not None:
        lo, hi = dataset.latest_bounds
        latest = numeric.dropna(how="all").iloc[-1].dropna()
        if ((latest < lo) | (latest > hi)).any():
            raise ValidationError(
                dataset.key,
                f"latest value {latest.iloc[0]:g} is outside [{lo:g}, {hi:g}] "
                f"{dataset.native_unit}: wrong unit (e.g. billions read as millions)?",
            )


def _where(label) -> str:
    return str(label.date()) if isinstance(label, pd.Timestamp) else f"row {label}"


# --- CSV form (data packs) -------------------------------------------------------------------


def read_csv(
    text: str | bytes, dataset: Dataset, *, snapshot: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Parse one pack file into the dataset's frame shape (not yet validated).

    Raises ValidationError for text that is not a CSV of the expected layout, naming the problem.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if _dated_numbers(dataset):
        fast = _read_dated_numbers(text, dataset)
        if fast is not None:
            return fast
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValidationError(dataset.key, f"malformed CSV ({str(exc).splitlines()[0]})") from None
    if is_dated(dataset) and dataset.kind != COINGLASS:
        cols = expected_columns(dataset)
        if "date" not in raw.columns:
            raise ValidationError(dataset.key, "missing column date")
        numbers = [c for c in cols if c in raw.columns and c != "operation_id"]
        frame = _numeric(raw, numbers, dataset)
        if "operation_id" in cols:
            _require(raw, ["operation_id"], dataset)
            frame["operation_id"] = raw["operation_id"].to_numpy()
        for col in cols:
            if col not in frame.columns:
                frame[col] = np.nan
        frame.index = _dates(raw["date"], dataset)
        return frame[list(cols)]
    if dataset.kind == CAPEX:
        _require(raw, CAPEX_COLUMNS, dataset)
        frame = raw[list(CAPEX_COLUMNS)].copy()
        frame["period_end"] = _dates(raw["period_end"], dataset)
        frame["value_usd"] = _numeric(raw, ["value_usd"], dataset)["value_usd"].to_numpy()
        return frame.reset_index(drop=True)
    if dataset.kind == SEC:
        _require(raw, SEC_COLUMNS, dataset)
        return sec_frame(raw[list(SEC_COLUMNS)])
    if dataset.key == AUCTIONS:
        return _auctions(raw, dataset)
    if dataset.kind == FILINGS:
        return _filings(raw, dataset)
    if dataset.kind == FRED_VINTAGES:
        _require(raw, VINTAGE_COLUMNS, dataset)
        ends = _dates(raw["realtime_end"], dataset, optional=True)
        return pd.DataFrame(
            {
                "date": _dates(raw["date"], dataset).as_unit("us"),
                "realtime_start": _dates(raw["realtime_start"], dataset).as_unit("us"),
                "realtime_end": ends.as_unit("us"),
                "value": _numeric(raw, ["value"], dataset)["value"].to_numpy(),
            }
        )
    if is_snapshot(dataset):
        _require(raw, EXCHANGE_COLUMNS[1:], dataset)
        frame = _numeric(raw, list(EXCHANGE_COLUMNS[2:]), dataset)
        frame.insert(0, "exchange", raw["exchange"].to_numpy())
        frame.insert(0, "snapshot", snapshot)
        return frame.reset_index(drop=True)
    _require(raw, ("time", *expected_columns(dataset)), dataset)
    frame = _numeric(raw, list(expected_columns(dataset)), dataset)
    ms = pd.to_numeric(raw["time"], errors="coerce")
    if ms.isna().any():
        raise ValidationError(dataset.key, "malformed time (expected epoch milliseconds)")
    frame.index = pd.DatetimeIndex(
        pd.to_datetime(ms.astype("int64"), unit="ms", utc=True), name="time"
    )
    return frame


def _read_dated_numbers(text: str, dataset: Dataset) -> pd.DataFrame | None:
    """The fast parse of a date-indexed numeric file (pandas' C parser with float columns).

    Returns None when the file does not parse that way; the caller then reads it as text, which
    is slower but names the malformed value and its line.
    """
    columns = expected_columns(dataset)
    try:
        raw = pd.read_csv(
            io.StringIO(text),
            na_values=["", "."],
            keep_default_na=False,
            dtype={"date": str, **dict.fromkeys(columns, "float64")},
        )
    except (ValueError, pd.errors.ParserError):
        return None
    if "date" not in raw.columns:
        return None
    frame = raw.reindex(columns=list(columns)).astype("float64")
    frame.index = _dates(raw["date"].fillna(""), dataset)
    return frame


def _auctions(raw: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    required = [c for c in AUCTION_COLUMNS if c not in AUCTION_OPTIONAL]
    _require(raw, required, dataset)
    raw = raw.reindex(columns=list(AUCTION_COLUMNS), fill_value="")
    frame = pd.DataFrame(index=raw.index)
    for col in AUCTION_COLUMNS:
        if col.endswith("_date"):
            optional = col != "auction_date"
            frame[col] = _dates(raw[col], dataset, optional=optional).as_unit("us")
        elif col.endswith("_usd"):
            frame[col] = _numeric(raw, [col], dataset)[col].to_numpy()
        else:
            frame[col] = raw[col].str.strip().to_numpy()
    # Copies of the upcoming list spell the status "upcoming(offering not yet announced)".
    frame["status"] = frame["status"].where(~frame["status"].str.startswith("upcoming"), "upcoming")
    return frame.reset_index(drop=True)


def _filings(raw: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    _require(raw, FILING_COLUMNS, dataset)
    frame = pd.DataFrame(index=raw.index)
    for col in FILING_COLUMNS:
        if col in ("filed", "report_date", "settlement_date"):
            frame[col] = _dates(raw[col], dataset, optional=col != "filed").as_unit("us")
        elif col == "principal_usd":
            frame[col] = _numeric(raw, [col], dataset)[col].to_numpy()
        else:
            frame[col] = raw[col].to_numpy()
    return frame.reset_index(drop=True)


def sec_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """Give SEC fact columns their types (dates, float values), whatever the input strings."""
    frame = raw.copy()
    for col in ("start", "end", "filed"):
        frame[col] = pd.to_datetime(frame[col].replace("", None), errors="coerce")
    frame["val"] = pd.to_numeric(frame["val"], errors="coerce").astype("float64")
    frame["fy"] = pd.to_numeric(frame["fy"], errors="coerce").astype("Int64")
    for col in ("taxonomy", "tag", "unit", "accn", "fp", "form", "frame"):
        frame[col] = frame[col].fillna("").astype(str)
    return frame.reset_index(drop=True)


def write_csv(frame: pd.DataFrame, dataset: Dataset) -> str:
    """The pack CSV text for a frame, the inverse of `read_csv`."""
    if is_dated(dataset) and dataset.kind != COINGLASS:
        out = frame.copy()
        out.index = out.index.strftime("%Y-%m-%d")
        return out.to_csv(index_label="date", float_format="%.10g", lineterminator="\n")
    if dataset.key == AUCTIONS or dataset.kind == FILINGS:
        out = frame[list(expected_columns(dataset))].copy()
        for col in out.columns:
            if col.endswith("_date") or col == "filed":
                out[col] = out[col].dt.strftime("%Y-%m-%d")  # NaT → an empty field
        return out.to_csv(index=False, float_format="%.15g", lineterminator="\n")
    if dataset.kind == CAPEX:
        out = frame.copy()
        out["period_end"] = out["period_end"].dt.strftime("%Y-%m-%d")
        out["value_usd"] = out["value_usd"].map(lambda v: f"{v:.0f}" if pd.notna(v) else "")
        return out.to_csv(index=False, lineterminator="\n")
    if dataset.kind == SEC:
        out = frame.copy()
        for col in ("start", "end", "filed"):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
        return out.to_csv(index=False, float_format="%.10g", lineterminator="\n")
    if dataset.kind == FRED_VINTAGES:
        out = frame[list(VINTAGE_COLUMNS)].copy()
        for col in ("date", "realtime_start", "realtime_end"):
            out[col] = out[col].dt.strftime("%Y-%m-%d")  # NaT (current) → an empty field
        return out.to_csv(index=False, float_format="%.10g", lineterminator="\n")
    if is_snapshot(dataset):
        return frame.drop(columns="snapshot").to_csv(
            index=False, float_format="%.17g", lineterminator="\n"
        )
    out = frame.copy()
    out.insert(0, "time_utc", frame.index.strftime("%Y-%m-%dT%H:%M:%SZ"))
    out.insert(
        0,
        "time",
        (frame.index.asi8 // 1_000_000)
        if frame.index.unit == "ns"
        else frame.index.as_unit("ms").asi8,
    )
    return out.to_csv(index=False, float_format="%.17g", lineterminator="\n")


def _require(raw: pd.DataFrame, cols, dataset: Dataset) -> None:
    missing = [c for c in cols if c not in raw.columns]
    if missing:
        raise ValidationError(dataset.key, f"missing column(s) {', '.join(missing)}")


def _numeric(raw: pd.DataFrame, cols: list[str], dataset: Dataset) -> pd.DataFrame:
    out = pd.DataFrame(index=raw.index)
    for col in cols:
        text = raw[col].str.strip().replace({"": None, ".": None})
        values = pd.to_numeric(text, errors="coerce")
        bad = values.isna() & text.notna()
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            raise ValidationError(
                dataset.key, f"malformed number {text.iloc[i]!r} in {col} (line {i + 2})"
            )
        out[col] = values.astype("float64")
    return out


def _dates(text: pd.Series, dataset: Dataset, *, optional: bool = False) -> pd.DatetimeIndex:
    """Dates of a column; with `optional`, an empty field is NaT instead of an error."""
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna() & (text.str.strip() != "") if optional else parsed.isna()
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise ValidationError(dataset.key, f"malformed date {text.iloc[i]!r} (line {i + 2})")
    return pd.DatetimeIndex(parsed, name="date")
