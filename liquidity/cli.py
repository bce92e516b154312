"""Command line: `python -m liquidity <command>`; the same code paths as the app.

Exit codes: 0 success, 1 a source or file failed (the rest still ran), 2 bad arguments or a
request that cannot be served (unknown id, malformed date, end before start, no data).
"""

from __future__ import annotations

import argparse
import os
import re
import sys

import pandas as pd

from liquidity import api
from liquidity.analytics import debt_ledger, liquidations
from liquidity.analytics.baskets import MARKET, MEMORY, MEMORY_NAME, SPEC_NAME, SPECULATIVE
from liquidity.analytics.divergence import event_returns, relative
from liquidity.analytics.drain_gauge import COMPONENTS
from liquidity.analytics.funding import with_derived
from liquidity.analytics.liquidations import aggregate
from liquidity.analytics.net_liquidity import VARIANTS
from liquidity.analytics.xbrl import ttm
from liquidity.api import (
    analyse,
    default_library,
    load_companies,
    load_drain_gauge,
    load_funding_table,
    load_net_liquidity,
    load_panel,
    load_prices,
    load_scorecard,
    load_series,
    pinned,
)
from liquidity.core import catalog, units
from liquidity.core.calendar import date_window, parse_date
from liquidity.core.errors import LiquidityError
from liquidity.data import snapshots
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.ingest.prices import fetch_prices
from liquidity.ingest.refresh import SOURCES, refresh
from liquidity.sources.venues import VENUES


class _Once(argparse.Action):
    """An option that takes a value may be given once: argparse would silently keep the last."""

    def __call__(self, parser, namespace, values, option_string=None):
        given = namespace.__dict__.setdefault("_given", set())
        if option_string and self.dest in given:
            parser.error(f"argument {option_string}: given more than once")
        given.add(self.dest)
        setattr(namespace, self.dest, values)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (None, "store"):  # every subcommand's parser is a _Parser too
            self.register("action", name, _Once)

    def error(self, message: str):  # one line, not argparse's usage block
        self.exit(2, f"liquidity: error: {one_line(message)} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m liquidity",
        description="Liquidity Drain Monitor: data store, data packs and series.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("status", help="one row per dataset: source, unit, dates, rows, staleness")
    p.add_argument("--csv", action="store_true", help="print CSV instead of a table")

    p = sub.add_parser("refresh", help="fetch live data into the store (exit 1 if a source failed)")
    p.add_argument(
        "--only",
        type=_sources,
        metavar="SOURCES",
        help=f"comma-separated subset of {','.join(SOURCES)}",
    )

    p = sub.add_parser("fetch-prices", help="download any Yahoo symbols into the store")
    p.add_argument("tickers", nargs="+", metavar="TICKER")

    p = sub.add_parser("series", help="a FRED series as CSV date,value")
    p.add_argument("series_id", metavar="ID", help="FRED id, e.g. WALCL")
    _add_window(p)
    p.add_argument(
        "--unit",
        choices=sorted(units.SHORT),
        type=str.upper,
        help="dollar scale to print: M, B or T (dollar series only)",
    )

    p = sub.add_parser("prices", help="daily prices as CSV, one column per ticker")
    p.add_argument("tickers", nargs="+", metavar="TICKER")
    _add_window(p)
    p.add_argument("--field", choices=("close", "adj_close"), default="adj_close")
    p.add_argument("--returns", action="store_true", help="simple daily returns in percent")

    p = sub.add_parser("netliq", help="Fed net liquidity as CSV, $ billions")
    p.add_argument("--variant", choices=tuple(VARIANTS), default="wednesday")
    _add_window(p)

    p = sub.add_parser("drain", help="the drain gauge and its components as CSV")
    _add_window(p)

    p = sub.add_parser("returns", help="daily returns in percent on a date and the days after")
    p.add_argument("tickers", nargs="+", metavar="TICKER")
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--days", type=int, default=5, help="trading days after the date (0-30)")

    p = sub.add_parser("divergence", help="rebased baskets and the memory-vs-speculative line")
    _add_window(p)
    p.add_argument(
        "--base", metavar="YYYY-MM-DD", help="the date every line is 100 (default: start)"
    )

    p = sub.add_parser("liquidations", help="long/short liquidations per bucket as CSV")
    p.add_argument("--symbol", default="BTC", type=str.upper, choices=liquidations.SYMBOLS)
    p.add_argument(
        "--bucket",
        default="4h",
        choices=("1h", "4h", "1D"),
        help="1h needs collected events; 4h and 1D work on the CoinGlass history",
    )
    _add_window(p)
    p.add_argument(
        "--venue",
        default="all",
        choices=("all", *VENUES),
        help="all = CoinGlass history (every venue it tracks); okx, bybit or binance "
        "= the collector's events from that venue",
    )

    p = sub.add_parser("collect", help="collect live liquidations from the venues' public feeds")
    p.add_argument("--venues", default="okx,bybit,binance", help="comma-separated")
    p.add_argument("--symbols", default="BTC,ETH", help="comma-separated coins")

    p = sub.add_parser("capex", help="quarterly capex per company as CSV (calendar quarters)")
    p.add_argument("tickers", nargs="*", metavar="TICKER", help="default: the big five")
    p.add_argument("--start", metavar="YYYYQn", type=_quarter)
    p.add_argument("--end", metavar="YYYYQn", type=_quarter)
    p.add_argument("--ttm", action="store_true", help="add the trailing four-quarter sum")
    p.add_argument("--net", action="store_true", help="net of asset-sale proceeds")

    p = sub.add_parser(
        "funding", help="how capex was funded per company and quarter as CSV, $ billions"
    )
    p.add_argument("tickers", nargs="*", metavar="TICKER", help="default: the big five")

    p = sub.add_parser(
        "debt",
        help="hyperscaler debt raised per quarter: EDGAR filings beside XBRL, $ billions, CSV",
    )
    p.add_argument("tickers", nargs="*", metavar="TICKER", help="default: the big five")
    shape = p.add_mutually_exclusive_group()
    shape.add_argument(
        "--filings", action="store_true", help="one row per filing instead of per quarter"
    )
    shape.add_argument(
        "--weekly", action="store_true", help="the filings' totals per week and company"
    )

    p = sub.add_parser(
        "calendar", help="the forward drain calendar: known events that move reserves, CSV"
    )
    p.add_argument(
        "--asof", metavar="YYYY-MM-DD", help="only what was known that day (default: today)"
    )
    p.add_argument("--weeks", type=_weeks, default=4, help="weeks ahead, 1-8 (default 4)")
    p.add_argument("--weekly", action="store_true", help="one row per week instead of per event")

    p = sub.add_parser("scorecard", help="the thesis scorecard as CSV, as of a date")
    p.add_argument(
        "--as-of",
        dest="as_of",
        metavar="YYYY-MM-DD",
        help="recompute with only the data public on that date (default: latest)",
    )

    p = sub.add_parser("import-pack", help="validate a data pack and copy it into the store")
    p.add_argument("path")

    p = sub.add_parser("export-pack", help="write the data as seen by the app as a data pack")
    p.add_argument("path")
    p.add_argument(
        "--snapshot",
        metavar="ID",
        help="write a pinned snapshot (the `snap=` of a shared link) instead of the latest data",
    )

    p = sub.add_parser("pin", help="freeze the current data into a snapshot; prints its id")
    p.add_argument(
        "--kinds",
        default=",".join(catalog.KINDS),
        help=f"comma-separated dataset kinds to freeze (default: all: {', '.join(catalog.KINDS)})",
    )

    sub.add_parser("snapshots", help="CSV of the pinned snapshots kept in the store")
    return parser


def _add_window(p: argparse.ArgumentParser) -> None:
    p.add_argument("--start", metavar="YYYY-MM-DD")
    p.add_argument("--end", metavar="YYYY-MM-DD")


def _quarter(text: str) -> pd.Period:
    if not re.fullmatch(r"\d{4}Q[1-4]", text.strip().upper()):
        raise argparse.ArgumentTypeError(f"malformed quarter {text!r}: use e.g. 2025Q3")
    return pd.Period(text.strip().upper(), freq="Q")


def _weeks(text: str) -> int:
    if not re.fullmatch(r"[1-8]", text.strip()):
        raise argparse.ArgumentTypeError(
            f"--weeks must be a whole number from 1 to 8, not {text!r}"
        )
    return int(text)


def _sources(text: str) -> tuple[str, ...]:
    chosen = tuple(s.strip().lower() for s in text.split(",") if s.strip())
    bad = [s for s in chosen if s not in SOURCES]
    if bad or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown source {bad[0] if bad else text!r}; choose from {','.join(SOURCES)}"
        )
    return chosen


def main(argv: list[str] | None = None, library: Library | None = None) -> int:
    args = build_parser().parse_args(argv)
    library = library or default_library()
    try:
        return COMMANDS[args.command](args, library)
    except LiquidityError as exc:
        print(f"liquidity: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `... | head` closed the pipe: not an error
        return 0
    except Exception as exc:  # noqa: BLE001  (a bug: one line, the traceback on request)
        if os.environ.get("LIQUIDITY_DEBUG"):
            raise
        print(
            f"liquidity: unexpected error ({type(exc).__name__}: {one_line(exc)}); rerun with "
            "LIQUIDITY_DEBUG=1 for the traceback",
            file=sys.stderr,
        )
        return 1


def one_line(message) -> str:
    """An error is one line even when it quotes an argument with a line break in it."""
    return " ".join(str(message).splitlines())


def _status(args, library: Library) -> int:
    rows = []
    for s in library.status():
        p = s.provenance
        rows.append(
            {
                "id": s.dataset.key,
                "source": (p.origin if p else "-") if not s.error else "error",
                "unit": s.dataset.native_unit,
                "first": _day(p.first) if p else "",
                "last": _day(p.last) if p else "",
                "rows": p.rows if p else 0,
                "retrieved_at": f"{p.retrieved_at:%Y-%m-%d %H:%M}" if p and p.retrieved_at else "",
                "stale": "yes" if s.stale else "no",
                "stale_since": _day(s.stale_since),
                "note": s.error or s.last_attempt or "",
            }
        )
    frame = pd.DataFrame(rows)
    if args.csv:
        frame.to_csv(sys.stdout, index=False)
    else:
        print(frame.to_string(index=False, justify="left", max_colwidth=60))
        print(
            f"\nmode: {library.mode()}; store: {library.store.home}"
            + (f"; data pack: {library.pack.root}" if library.pack else "")
        )
    return 0


def _refresh(args, library: Library) -> int:
    print(f"Refreshing into {library.store.home} ...", file=sys.stderr)
    report = refresh(library.store, args.only, progress=_progress_bar())
    for source in args.only or SOURCES:
        print(report.summary(source))
    if report.failed:
        print(
            "Some datasets failed; the store kept their last good data. "
            "`python -m liquidity status` shows each dataset's last attempt.",
            file=sys.stderr,
        )
    return 1 if report.failed else 0


def _progress_bar():
    tty = sys.stderr.isatty()

    def show(done: int, total: int, label: str) -> None:
        filled = int(30 * done / total) if total else 30
        line = f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {label}"
        if tty:
            end = "\n" if done == total else ""
            print(f"\r{line:<80}", end=end, file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr)

    return show


def _fetch_prices(args, library: Library) -> int:
    problems = fetch_prices(args.tickers, library.store)
    fetched = [t.upper() for t in args.tickers if t.upper() not in problems]
    if fetched:
        print(f"stored {', '.join(fetched)} in {library.store.home}")
    for ticker, problem in problems.items():
        print(f"{ticker}: {problem}", file=sys.stderr)
    return 1 if problems else 0


def _series(args, library: Library) -> int:
    dataset = catalog.fred(args.series_id)
    date_window(args.start, args.end)
    unit = units.SHORT[args.unit] if args.unit else None
    if unit and dataset.native_unit not in units.USD_SCALE:
        raise LiquidityError(
            f"{dataset.name} is in {units.label(dataset.native_unit)}; "
            "--unit applies to dollar series only"
        )
    series = load_series(dataset.name, args.start, args.end, unit, library=library)
    if series.empty:
        raise LiquidityError(
            f"no {dataset.name} observations between {args.start or 'start'} "
            f"and {args.end or 'end'}"
        )
    out = series.rename("value").to_frame()
    out.index = out.index.strftime("%Y-%m-%d")
    out.to_csv(sys.stdout, index_label="date", float_format="%.10g")
    return 0


def _prices(args, library: Library) -> int:
    date_window(args.start, args.end)
    frame = load_prices(
        args.tickers, args.start, args.end, args.field, args.returns, library=library
    )
    if frame.dropna(how="all").empty:
        raise LiquidityError(f"no {args.field} prices for {', '.join(args.tickers)} in that window")
    frame.index = frame.index.strftime("%Y-%m-%d")
    frame.to_csv(sys.stdout, index_label="date", float_format="%.6f" if args.returns else "%.10g")
    return 0


def _netliq(args, library: Library) -> int:
    frame = load_net_liquidity(args.start, args.end, args.variant, library=library)
    columns = (
        ["reserves_b", "net_liquidity_b"]
        if args.variant == "reserves"
        else ["walcl_b", "tga_b", "rrp_b", "net_liquidity_b"]
    )
    # The daily variants say which Wednesday's balance sheet a day carries (and daily_tga
    # whose RRP print it used).
    columns += [c for c in ("walcl_date", "rrp_source") if c in frame]
    out = frame[columns].copy()
    if "walcl_date" in out:
        out["walcl_date"] = out["walcl_date"].dt.strftime("%Y-%m-%d")
    _print_dated(out, f"no net liquidity ({args.variant}) in that window")
    return 0


def _drain(args, library: Library) -> int:
    frame = load_drain_gauge(args.start, args.end, library=library).dropna(subset=["gauge"])
    columns = ["gauge", "gauge_ex_capex", "components", "partial", "missing"] + [
        f"{prefix}{c}" for c in COMPONENTS for prefix in ("", "z_", "contrib_")
    ]
    _print_dated(frame[columns], "no drain-gauge values in that window")
    return 0


def _print_dated(frame: pd.DataFrame, empty_message: str) -> None:
    if frame.dropna(how="all").empty:
        raise LiquidityError(empty_message)
    out = frame.copy()
    out.index = out.index.strftime("%Y-%m-%d")
    out.to_csv(sys.stdout, index_label="date", float_format="%.10g")


def _returns(args, library: Library) -> int:
    date = parse_date(args.date)
    if not 0 <= args.days <= 30:
        raise LiquidityError(f"--days must be between 0 and 30, not {args.days}")
    panel = load_panel(args.tickers, library=library)
    if panel.missing:
        raise LiquidityError("; ".join(panel.missing.values()))
    moves = event_returns(panel.raw[[t.upper() for t in args.tickers]], date, args.days)
    moves.to_csv(sys.stdout, index_label="ticker", float_format="%.4f")
    return 0


def _divergence(args, library: Library) -> int:
    start, end = date_window(args.start, args.end)
    panel = load_panel([*SPECULATIVE, *MEMORY, MARKET], library=library)
    start = start or panel.prices.index[0]
    end = end or panel.prices.index[-1]
    base = parse_date(args.base, "base date") or start
    ratio = analyse(
        panel, SPECULATIVE, MEMORY, MARKET, start, end, base, 52, "ratio", library=library
    )
    spread = relative(ratio.levels[MEMORY_NAME], ratio.levels[SPEC_NAME], base, "spread")
    out = ratio.levels[[SPEC_NAME, MEMORY_NAME, MARKET]].assign(
        ratio=ratio.relative, spread_pp=spread
    )
    out.columns = ["speculative", "memory", "market", "ratio", "spread_pp"]
    _print_dated(out, "no basket values in that window")
    return 0


def _liquidations(args, library: Library) -> int:
    start, end = date_window(args.start, args.end)
    hi = None if end is None else (end + pd.Timedelta(days=1)).tz_localize("UTC")
    lo = None if start is None else start.tz_localize("UTC")
    if args.venue == "all":
        if args.bucket == "1h":
            raise LiquidityError(
                "the CoinGlass history has 4-hour buckets: use --bucket 4h or "
                "1D, or a --venue the collector records"
            )
        frame = api.load_liquidation_history(args.symbol, args.bucket, library=library)
    else:
        events = api.load_collected_events(args.symbol, [args.venue], library=library)
        if events.empty:
            raise LiquidityError(
                f"no collected {args.symbol} events from {args.venue}: run "
                "`python -m liquidity collect` first"
            )
        frame = aggregate(events, args.bucket.lower())
    frame = frame.loc[lo:hi, ["long_usd", "short_usd", "total_usd"]]
    if frame.empty:
        raise LiquidityError("no liquidation buckets in that window")
    out = frame.copy()
    out.index = out.index.strftime("%Y-%m-%dT%H:%MZ")
    out.to_csv(sys.stdout, index_label="bucket_start", float_format="%.2f")
    return 0


def _collect(args, library: Library) -> int:
    # Lazy: the websocket client is imported only by the one command that streams.
    from liquidity.ingest import collector

    venues = [v.strip().lower() for v in args.venues.split(",") if v.strip()]
    symbols = [s.strip().upper() for s in args.symbols.split(",") if s.strip()]
    try:
        return collector.run(venues, symbols, library.store.home)
    except ValueError as exc:
        raise LiquidityError(str(exc)) from None


def _capex(args, library: Library) -> int:
    tickers = [t.upper() for t in args.tickers] or list(catalog.HYPERSCALERS)
    if args.start and args.end and args.end < args.start:
        raise LiquidityError(f"end quarter {args.end} is before start quarter {args.start}")
    metric = "net_capex" if args.net else "capex"
    rows = []
    for ticker, company in load_companies(tickers, library).items():
        values = with_derived(company.values)[metric].dropna()
        values.index = pd.PeriodIndex(values.index, freq="Q")
        prov = company.provenance[company.provenance["metric"] == "capex"].set_index("quarter")
        prov.index = pd.PeriodIndex(prov.index, freq="Q")
        out = pd.DataFrame(
            {
                "calendar_quarter": values.index.astype(str),
                "ticker": ticker,
                "capex_usd": values.to_numpy(),
            },
            index=values.index,
        )
        for column in ("source", "method", "tag", "form", "accn"):
            out[column] = prov[column].reindex(values.index).to_numpy()
        out["filed"] = (
            pd.to_datetime(prov["filed"].reindex(values.index)).dt.strftime("%Y-%m-%d").to_numpy()
        )
        if args.ttm:
            out["ttm_usd"] = ttm(values).reindex(values.index).to_numpy()
        rows.append(out.loc[args.start : args.end])
    frame = pd.concat(rows)
    if frame.empty:
        raise LiquidityError("no capex quarters in that window")
    frame.to_csv(sys.stdout, index=False, float_format="%.0f")
    return 0


def _funding(args, library: Library) -> int:
    # A line the data do not hold prints as an empty field: missing, not zero.
    load_funding_table(args.tickers, library).to_csv(sys.stdout, index=False, float_format="%.3f")
    return 0


def _debt(args, library: Library) -> int:
    tickers = [catalog.filings(t).name for t in args.tickers] or list(catalog.HYPERSCALERS)
    if args.filings or args.weekly:
        frame, missing = api.load_debt_ledger(tickers, library)
        if frame.empty:
            raise LiquidityError(
                f"no debt filings of {', '.join(missing)} in the data; run "
                "`python -m liquidity refresh --only sec` with SEC_USER_AGENT set"
            )
        if args.weekly:
            out = debt_ledger.weekly(frame)
            out["week"] = out["week"].dt.strftime("%Y-%m-%d")
        else:
            out = frame.assign(quarter=frame["quarter"].astype(str))
            for column in ("filed", "settled", "week"):
                out[column] = out[column].dt.strftime("%Y-%m-%d")
    else:
        out = api.load_debt_reconciliation(tickers, library)
        if out.empty:
            raise LiquidityError(f"no debt data for {', '.join(tickers)}")
        out = out.assign(quarter=out["quarter"].astype(str))
        out["filings"] = out["filings"].astype("Int64")
        out["unparsed"] = out["unparsed"].astype("Int64")
    # A value the data do not hold prints as an empty field: missing, not zero.
    out.to_csv(sys.stdout, index=False, float_format="%.3f")
    return 0


def _calendar(args, library: Library) -> int:
    asof = parse_date(args.asof, "as-of date") or pd.Timestamp.today().normalize()
    if asof > pd.Timestamp.today():
        raise LiquidityError(f"as-of date {asof.date()} is in the future")
    view = api.load_drain_calendar(asof, args.weeks, library=library)
    frame = view.weekly if args.weekly else view.events
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    out.to_csv(sys.stdout, index=False, float_format="%.3f")
    print(f"coverage: {view.coverage}", file=sys.stderr)
    return 0


def _scorecard(args, library: Library) -> int:
    as_of = parse_date(args.as_of, "as-of date")
    if as_of is not None and as_of > pd.Timestamp.today():
        raise LiquidityError(f"as-of date {as_of.date()} is in the future")
    frame = load_scorecard(as_of, library=library)
    columns = ["claim", "verdict", "effect", "unit", "ci_low", "ci_high", "n"]
    columns += ["window_start", "window_end", "coverage", "data_end", "basis", "reason", "rule"]
    out = frame[columns].copy()
    out["n"] = out["n"].astype("Int64")
    for column in ("window_start", "window_end", "data_end"):
        out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m-%d")
    out.to_csv(sys.stdout, index=False, float_format="%.4g")
    return 0


def _import_pack(args, library: Library) -> int:
    imported, rejected = library.import_pack(DataPack(args.path))
    print(f"imported {len(imported)} datasets from {args.path} into {library.store.home}")
    for key, problem in rejected.items():
        print(f"rejected {key}: {problem}", file=sys.stderr)
    return 1 if rejected else 0


def _export_pack(args, library: Library) -> int:
    if args.snapshot is not None:
        library = pinned(args.snapshot, library)
    try:
        written, skipped = library.export_pack(args.path)
    except OSError as exc:
        raise LiquidityError(f"cannot write a data pack to {args.path}: {exc.strerror}") from None
    print(f"wrote {len(written)} files to {args.path}")
    for key, problem in skipped.items():
        print(f"skipped {key}: {problem}", file=sys.stderr)
    return 1 if skipped else 0


def _pin(args, library: Library) -> int:
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    unknown = sorted(set(kinds) - set(catalog.KINDS))
    if unknown or not kinds:
        raise LiquidityError(
            f"unknown kind(s) {', '.join(map(repr, unknown)) or 'none given'}; "
            f"choose from {', '.join(catalog.KINDS)}"
        )
    snapshot = snapshots.pin(library, kinds)
    print(snapshot.id)
    print(
        f"pinned {len(snapshot.entries)} datasets, data as of {_day(snapshot.data_as_of)}; "
        f"add ?snap={snapshot.id} to a page link",
        file=sys.stderr,
    )
    return 0


def _snapshots(args, library: Library) -> int:
    rows = [
        {
            "id": row.id,
            "created_at": f"{row.created_at:%Y-%m-%d %H:%M}",
            "served_at": f"{row.served_at:%Y-%m-%d %H:%M}",
            "datasets": len(row.entries) if row.entries is not None else 0,
            "evicted_at": f"{row.evicted_at:%Y-%m-%d %H:%M}" if row.evicted_at else "",
        }
        for row in library.store.snapshots()
    ]
    columns = ["id", "created_at", "served_at", "datasets", "evicted_at"]
    pd.DataFrame(rows, columns=columns).to_csv(sys.stdout, index=False)
    return 0


def _day(ts) -> str:
    return f"{ts:%Y-%m-%d}" if ts is not None else ""


COMMANDS = {
    "status": _status,
    "refresh": _refresh,
    "fetch-prices": _fetch_prices,
    "series": _series,
    "prices": _prices,
    "capex": _capex,
    "liquidations": _liquidations,
    "collect": _collect,
    "returns": _returns,
    "divergence": _divergence,
    "netliq": _netliq,
    "drain": _drain,
    "funding": _funding,
    "debt": _debt,
    "calendar": _calendar,
    "scorecard": _scorecard,
    "import-pack": _import_pack,
    "export-pack": _export_pack,
    "pin": _pin,
    "snapshots": _snapshots,
}
