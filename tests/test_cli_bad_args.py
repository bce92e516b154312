"""Bad arguments for every subcommand of `python -m liquidity`: one line on stderr, exit 2.

Hypothesis draws a slot (a subcommand and the argument being abused) and a value of that slot's
class: wrong types, huge and negative numbers, reversed and impossible dates, unknown tickers,
series and ids, very long strings, unicode, markup. Nothing is printed to stdout and no
traceback appears. Repeated options and unknown commands are listed by hand below.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from liquidity.analytics import liquidations
from liquidity.analytics.net_liquidity import VARIANTS
from liquidity.cli import main
from liquidity.core import catalog, units
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.data.store import Store
from liquidity.ingest.refresh import SOURCES
from liquidity.sources.venues import VENUES as FEED_VENUES
from tests.conftest import IN_CI, REPO
from tests.hostile import bad_dates, numbers, texts

EXAMPLES = 300 if IN_CI else int(os.environ.get("FUZZ_EXAMPLES", "100"))
TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()


def anything() -> st.SearchStrategy[str]:
    # A real command line cannot carry NUL; a value starting with "-" (other than a negative
    # number) is an option to argparse, and "-h" would be a request for help.
    return (
        st.one_of(texts(), numbers(), bad_dates())
        .filter(lambda v: "\x00" not in v)
        .filter(lambda v: not v.startswith("-") or re.fullmatch(r"-[\d.]+.*", v))
    )


def none_of(valid) -> st.SearchStrategy[str]:
    """Any hostile value that is not, read the way the CLI reads it, one of `valid`."""
    known = {v.casefold() for v in valid}
    return anything().filter(
        lambda v: (
            v.strip().casefold() not in known
            and not all(p.strip().casefold() in known for p in v.split(",") if p.strip())
        )
    )


def exists(path: str) -> bool:
    try:
        return Path(path).exists()
    except OSError:  # e.g. a name too long for the file system
        return False


@dataclass(frozen=True)
class Slot:
    """One abused argument: the command line with `X` where the value goes."""

    argv: tuple[str, ...]
    values: st.SearchStrategy[str]

    def draw(self) -> st.SearchStrategy[list[str]]:
        return self.values.map(lambda v: [v if a == "X" else a for a in self.argv])


# An empty date is no date (`--start "$START"` with the variable unset), not a bad one.
DATES = bad_dates().filter(lambda v: v and "\x00" not in v and not v.startswith("-"))
TICKERS = none_of(catalog.HYPERSCALERS).filter(lambda v: not catalog.TICKER_PATTERN.fullmatch(v))
SLOTS = (
    Slot(("series", "X"), none_of(d.name for d in catalog.of_kind(catalog.FRED))),
    Slot(("series", "WALCL", "--start", "X"), DATES),
    Slot(("series", "WALCL", "--end", "X"), DATES),
    Slot(("series", "WALCL", "--unit", "X"), none_of(units.SHORT)),
    Slot(("prices", "MU", "X"), TICKERS),
    Slot(("prices", "MU", "--field", "X"), none_of(("close", "adj_close"))),
    Slot(("prices", "MU", "--start", "X"), DATES),
    Slot(("netliq", "--variant", "X"), none_of(VARIANTS)),
    Slot(("netliq", "--end", "X"), DATES),
    Slot(("drain", "--start", "X"), DATES),
    Slot(("returns", "MU", "--date", "X"), DATES),
    Slot(("returns", "MU", "--date", "2025-01-06", "--days", "X"), none_of(map(str, range(31)))),
    Slot(("returns", "X", "--date", "2025-01-06"), TICKERS),
    Slot(("divergence", "--base", "X"), DATES),
    Slot(("divergence", "--end", "X"), DATES),
    Slot(("liquidations", "--symbol", "X"), none_of(liquidations.SYMBOLS)),
    Slot(("liquidations", "--bucket", "X"), none_of(("1h", "4h", "1D"))),
    Slot(("liquidations", "--venue", "X"), none_of(("all", *FEED_VENUES))),
    Slot(("liquidations", "--start", "X"), DATES),
    Slot(("capex", "X"), none_of(catalog.HYPERSCALERS)),
    Slot(
        ("capex", "--start", "X"),
        anything().filter(lambda v: not re.fullmatch(r"\s*\d{4}[qQ][1-4]\s*", v)),
    ),
    Slot(("scorecard", "--as-of", "X"), st.one_of(DATES, st.just(TOMORROW))),
    Slot(("calendar", "--asof", "X"), st.one_of(DATES, st.just(TOMORROW))),
    Slot(("calendar", "--weeks", "X"), none_of(map(str, range(1, 9)))),
    Slot(("debt", "X"), none_of(catalog.HYPERSCALERS)),
    Slot(("debt", "--filings", "X"), none_of(catalog.HYPERSCALERS)),
    Slot(("import-pack", "X"), anything().filter(lambda v: not exists(v))),
    Slot(("export-pack", "X"), st.sampled_from(["/dev/null/pack", "/proc/version/pack"])),
    Slot(("export-pack", "{tmp}", "--snapshot", "X"), anything()),
    Slot(("pin", "--kinds", "X"), none_of(catalog.KINDS)),
    Slot(("refresh", "--only", "X"), none_of(SOURCES)),
    Slot(
        ("fetch-prices", "X"),
        anything().filter(lambda v: not catalog.YAHOO_PATTERN.fullmatch(v.strip().upper())),
    ),
    Slot(("collect", "--venues", "X"), none_of(FEED_VENUES)),
    Slot(("collect", "--symbols", "X"), none_of(liquidations.SYMBOLS)),
    Slot(("status", "X"), anything().filter(lambda v: not v.startswith("-"))),
    Slot(("snapshots", "X"), anything().filter(lambda v: not v.startswith("-"))),
)
REVERSED = st.tuples(st.dates(dt.date(1990, 1, 1)), st.integers(1, 20_000)).map(
    lambda t: (t[0].isoformat(), (t[0] - dt.timedelta(days=t[1])).isoformat())
)


@pytest.fixture
def library(fixture_pack, tmp_path):
    return Library(Store(tmp_path / "home"), DataPack(fixture_pack))


def run(capsys, library, argv: list[str], tmp: Path) -> tuple[int, str, str]:
    argv = [a.replace("{tmp}", str(tmp / "out")) for a in argv]
    try:
        code = main(argv, library=library)
    except SystemExit as exc:  # argparse rejects before main's body runs
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_rejected(code: int, out: str, err: str) -> None:
    assert code == 2, (code, err)
    assert out == ""
    assert len(err.splitlines()) == 1 and err.endswith("\n"), err
    assert err.startswith("liquidity: error: ") and "Traceback" not in err


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(argv=st.sampled_from(SLOTS).flatmap(Slot.draw))
# an error that quoted an argument with a line break in it ran over two lines
@example(argv=["liquidations", "--venue", "a\nb"])
@example(argv=["export-pack", "/dev/null/pack"])  # was an "unexpected error", exit 1
@example(argv=["scorecard", "--as-of", TOMORROW])  # was a scorecard of today, exit 0
@example(argv=["series", "WALCL", "--start", "00010101"])  # 3.11's fromisoformat read YYYYMMDD
@example(argv=["import-pack", "0" * 300])  # "File name too long" was an unexpected error, exit 1
def test_a_bad_value_is_one_line_and_exit_2(capsys, library, tmp_path, argv):
    assert_rejected(*run(capsys, library, argv, tmp_path))


@FUZZ
@given(
    window=REVERSED,
    command=st.sampled_from(
        ["series WALCL", "prices MU", "netliq", "drain", "divergence", "liquidations"]
    ),
)
def test_a_reversed_window_is_one_line_and_exit_2(capsys, library, tmp_path, window, command):
    start, end = window
    argv = [*command.split(), "--start", start, "--end", end]
    code, out, err = run(capsys, library, argv, tmp_path)
    assert_rejected(code, out, err)
    assert f"end date {end} is before start date {start}" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["series", "WALCL", "--start", "2025-01-01", "--start", "2025-01-08"],
        ["prices", "MU", "--field", "close", "--field", "close"],
        ["netliq", "--variant", "daily", "--variant", "reserves"],
        ["drain", "--end", "2025-01-01", "--end", "2025-01-01"],
        ["returns", "MU", "--date", "2025-01-06", "--date", "2025-01-07"],
        ["returns", "MU", "--date", "2025-01-06", "--days", "1", "--days", "2"],
        ["divergence", "--base", "2025-01-06", "--base", "2025-01-07"],
        ["liquidations", "--symbol", "BTC", "--symbol", "ETH"],
        ["capex", "--start", "2024Q1", "--start", "2024Q2"],
        ["scorecard", "--as-of", "2025-01-06", "--as-of", "2025-01-07"],
        ["calendar", "--weeks", "2", "--weeks", "3"],
        ["export-pack", "{tmp}", "--snapshot", "0123456789ab", "--snapshot", "0123456789ab"],
        ["pin", "--kinds", "fred", "--kinds", "prices"],
        # should this check break: a refresh fails at once offline, a collector never starts
        ["refresh", "--only", "fred", "--only", "fred"],
        ["collect", "--venues", "okx", "--venues", "okx,nope"],
    ],
)
def test_a_repeated_option_is_one_line_and_exit_2(capsys, library, tmp_path, argv, monkeypatch):
    from liquidity.sources import fred, http

    monkeypatch.setattr(fred, "LIMITER", http.RateLimiter(1e9))
    code, out, err = run(capsys, library, argv, tmp_path)
    assert_rejected(code, out, err)
    assert "given more than once" in err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["nope"],
        ["series", "WALCL", "--bogus", "1"],
        ["series"],
        ["returns", "MU"],
        ["pin", "x"],
    ],
)
def test_a_missing_or_unknown_argument_is_one_line_and_exit_2(capsys, library, tmp_path, argv):
    assert_rejected(*run(capsys, library, argv, tmp_path))


@pytest.mark.parametrize(
    "argv",
    [
        [b"series", b"\xff\xfe"],  # not UTF-8: Python hands it over as surrogates
        [b"liquidations", b"--venue", "a\u2028b".encode()],
        [b"capex", b"<script>" * 500],
    ],
)
def test_a_real_process_prints_one_line_and_exits_2(fixture_pack, tmp_path, argv):
    env = {
        **os.environ,
        "LIQUIDITY_HOME": str(tmp_path / "home"),
        "LIQUIDITY_DATA_PACK": str(fixture_pack),
    }
    proc = subprocess.run(
        [sys.executable.encode(), b"-m", b"liquidity", *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=120,
    )
    err = proc.stderr.decode("utf-8", "replace")
    assert_rejected(proc.returncode, proc.stdout.decode(), err)
