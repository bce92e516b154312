"""Helpers shared by the benchmark scripts: the pack to use, timing, page runs, the results file."""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "RESULTS.md"

# Runs in a fresh interpreter, as JSON on stdout: the first AppTest run of one page (cold), a
# rerun of that session (warm), and the first run of a second session in the same process (a new
# visitor on a running server: Streamlit's caches are shared, the session state is not).
APP_CHILD = """
import json, sys, time
from streamlit.testing.v1 import AppTest
def timed_run(at, what):
    t0 = time.perf_counter(); at.run(); took = time.perf_counter() - t0
    if at.exception:
        sys.exit(f"exception on {what} run: " + str([e.value for e in at.exception]))
    return took
at = AppTest.from_file(sys.argv[1], default_timeout=120)
cold = timed_run(at, "cold")
warm = timed_run(at, "warm")
errors = [e.value for e in at.error]
session = timed_run(AppTest.from_file(sys.argv[1], default_timeout=120), "new-session")
print(json.dumps({"cold": cold, "warm": warm, "session": session, "errors": errors}))
"""


def default_pack() -> Path | None:
    value = os.environ.get("LIQUIDITY_DATA_PACK", "").strip()
    path = Path(value) if value else REPO.parent / "shared" / "data"
    return path if path.is_dir() else None


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_page(script: str, pack_root: Path, runs: int) -> dict:
    colds, warms, sessions = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="liquidity-bench-home-") as home:
            env = dict(os.environ, LIQUIDITY_DATA_PACK=str(pack_root), LIQUIDITY_HOME=home)
            for name in ("FRED_API_KEY", "SEC_USER_AGENT", "COINGLASS_API_KEY"):
                env.pop(name, None)
            proc = subprocess.run(
                [sys.executable, "-c", APP_CHILD, str(REPO / script)],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
        if proc.returncode != 0:
            raise SystemExit(f"{script}: AppTest failed\n{proc.stdout}\n{proc.stderr}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        if result["errors"]:
            raise SystemExit(f"{script}: the page shows errors: {result['errors']}")
        colds.append(result["cold"])
        warms.append(result["warm"])
        sessions.append(result["session"])
    return {
        "cold_s": statistics.median(colds),
        "warm_s": statistics.median(warms),
        "session_s": statistics.median(sessions),
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def row(what: str, target: float | None, measured: float) -> str:
    if target is None:
        return f"| {what} | – | {ms(measured)} | – |"
    target_text = f"< {target:g} s" if target >= 1 else f"< {target * 1000:.0f} ms"
    verdict = "yes" if measured < target else "**no**"
    return f"| {what} | {target_text} | {ms(measured)} | {verdict} |"


def write_results(heading: str, section: str, path: Path = RESULTS) -> None:
    """Replace the `heading` section of `path` (or add it), keeping every other section."""
    if not path.exists():
        path.write_text("# Benchmark results\n\n" + section)
        return
    text = path.read_text()
    pattern = re.compile(rf"^{re.escape(heading)}[ \t]*\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def parse_args(doc: str, argv: list[str] | None) -> argparse.Namespace:
    """The options every benchmark takes; `args.pack` is the resolved data-pack folder."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--pack", type=Path, default=default_pack(), help="data-pack folder")
    parser.add_argument("--runs", type=int, default=5, help="passes per in-process measurement")
    parser.add_argument("--app-runs", type=int, default=3, help="fresh processes per page")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args(argv)
    if args.pack is None or not args.pack.is_dir():
        parser.error("no data pack: set LIQUIDITY_DATA_PACK or pass --pack")
    args.pack = args.pack.resolve()
    return args


def publish(heading: str, section: str, write: bool, path: Path = RESULTS) -> None:
    print(section)
    if write:
        write_results(heading, section, path)
        print(f"written to {path}", file=sys.stderr)


def check(what: str, target: str, measured: str, ok: bool) -> str:
    """A results row for a target that is not a duration (sizes, counts, rates)."""
    return f"| {what} | {target} | {measured} | {'yes' if ok else '**no**'} |"
