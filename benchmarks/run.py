"""Every benchmark in one report: runs each script and writes benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/run.py [--only NAME,...] [--skip NAME,...] [--pack PATH]
        [--out benchmarks/RESULTS.md]

Runs the per-area scripts (foundation, liquidity, capex, divergence, liquidations, collector,
scorecard, vintages, supply), the naive liquidity page comparison and the load test (20 websocket
clients for 60 s, then 20 Chromium tabs for 60 s), each in its own process with `--no-write`,
and reads the tables they print. The report starts with the machine (cores, Python, load
average before the run) and one summary table of every row (what, target, measured, met?),
followed by each script's own section. With --only or --skip, only the sections rerun are
replaced; the others are kept from the previous report. Exit status 1 when any target is
missed or a script failed, else 0.

Names for --only / --skip: foundation, liquidity, capex, divergence, liquidations, collector,
scorecard, vintages, supply, naive, load, load-browser. Nothing here touches the network.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

from common import REPO, RESULTS, default_pack

# name -> (script, arguments, takes --pack)
SCRIPTS = {
    "foundation": ("foundation.py", [], True),
    "liquidity": ("liquidity.py", [], True),
    "capex": ("capex.py", [], True),
    "divergence": ("divergence.py", [], True),
    "liquidations": ("liquidations.py", [], False),
    "collector": ("collector.py", [], False),
    "scorecard": ("scorecard.py", [], True),
    "vintages": ("vintages.py", [], True),
    "supply": ("supply.py", [], True),
    "naive": ("naive_liquidity.py", [], True),
    "load": ("load.py", ["--sessions", "20", "--seconds", "60"], True),
    "load-browser": (
        "load.py",
        ["--clients", "browser", "--sessions", "20", "--seconds", "60"],
        True,
    ),
}
TARGET_HEADER = "| what | target | measured | pass |"
ROW = re.compile(r"^\| (.+?) \| (.+?) \| (.+?) \| (.+?) \|$")


def run_script(name: str, pack: Path) -> tuple[str, float, str | None]:
    """(the section the script printed, seconds it took, failure message or None)."""
    script, extra, takes_pack = SCRIPTS[name]
    command = [sys.executable, str(REPO / "benchmarks" / script), "--no-write", *extra]
    if takes_pack:
        command += ["--pack", str(pack)]
    print(f"[{time.strftime('%H:%M:%S')}] {name}: {' '.join(command[1:])}", file=sys.stderr)
    t0 = time.perf_counter()
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    took = time.perf_counter() - t0
    start = proc.stdout.find("## ")
    section = proc.stdout[start:].strip() + "\n" if start >= 0 else ""
    failure = None
    if not section:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        failure = f"exit {proc.returncode}: " + " / ".join(tail)
    return section, took, failure


def target_rows(section: str) -> list[tuple[str, str, str, str]]:
    """The rows of the section's target tables (what, target, measured, pass)."""
    rows, inside = [], False
    for line in section.splitlines():
        if line.strip() == TARGET_HEADER:
            inside = True
        elif not line.startswith("|"):
            inside = False
        elif inside and not line.startswith("|---"):
            match = ROW.match(line.strip())
            if match:
                rows.append(match.groups())
    return rows


def machine() -> str:
    load = os.getloadavg()
    return (
        f"Run {time.strftime('%Y-%m-%d %H:%M %Z')} on {platform.node() or 'this machine'}: "
        f"{os.cpu_count()} CPU(s), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; load average before the run "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1 / 5 / 15 min). Timings on a shared "
        "machine are noisy: a load average above the core count means others were running too."
    )


def sections_of(text: str) -> dict[str, str]:
    """The "## " sections of a report, by heading, without its summary."""
    parts = re.split(r"^(?=## )", text, flags=re.M)
    found = {p.splitlines()[0]: p.rstrip("\n") + "\n" for p in parts if p.startswith("## ")}
    found.pop("## Summary", None)
    return found


def report(header: str, sections: dict[str, str], failures: dict[str, str]) -> tuple[str, bool]:
    """(the whole RESULTS.md, whether every target was met and every script ran)."""
    summary = ["| area | what | target | measured | met? |", "|---|---|---|---|---|"]
    ok = not failures
    for name, failure in failures.items():
        summary.append(f"| {name} | the benchmark script | runs | failed ({failure}) | **no** |")
    for heading, section in sections.items():
        area = heading.removeprefix("## ")
        for what, target, measured, met in target_rows(section):
            ok &= met != "**no**"
            summary.append(f"| {area} | {what} | {target} | {measured} | {met} |")
    text = "\n".join(
        [
            "# Benchmark results",
            "",
            "Written by `python benchmarks/run.py`; each script can also be run alone, which",
            "replaces its own section below (benchmarks/README.md).",
            "",
            header,
            "",
            "## Summary",
            "",
            "All targets met." if ok else "**Some targets were missed or a script failed.**",
            "",
            *summary,
            "",
            *sections.values(),
        ]
    )
    return text.rstrip("\n") + "\n", ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="comma-separated names to run")
    parser.add_argument("--skip", default="", help="comma-separated names to leave out")
    parser.add_argument("--pack", type=Path, default=default_pack(), help="data-pack folder")
    parser.add_argument("--out", type=Path, default=RESULTS, help="report to write")
    args = parser.parse_args(argv)
    if args.pack is None or not args.pack.is_dir():
        parser.error("no data pack: set LIQUIDITY_DATA_PACK or pass --pack")
    chosen = [n for n in args.only.split(",") if n] or list(SCRIPTS)
    unknown = sorted(set(chosen + [n for n in args.skip.split(",") if n]) - set(SCRIPTS))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(SCRIPTS)}")
    chosen = [n for n in chosen if n not in args.skip.split(",")]

    header = machine()
    # A subset replaces its own sections and keeps the others from the last report.
    subset = len(chosen) < len(SCRIPTS) and args.out.exists()
    sections = sections_of(args.out.read_text()) if subset else {}
    failures = {}
    for name in chosen:
        section, took, failure = run_script(name, args.pack.resolve())
        if failure:
            failures[name] = failure
        else:
            sections[section.splitlines()[0]] = section.rstrip("\n") + f"\n\n_Ran {took:.0f} s._\n"
    if subset:
        header += f" This run: {', '.join(chosen)}; the other sections keep their earlier numbers."
    text, ok = report(header, sections, failures)
    args.out.write_text(text)
    print(text)
    print(f"written to {args.out}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
