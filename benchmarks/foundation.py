"""Foundation benchmark: loading every dataset, and the server-side run time of each page.

    .venv/bin/python benchmarks/foundation.py [--pack PATH] [--runs 5] [--app-runs 3]

(a) Data loading, on the data pack (LIQUIDITY_DATA_PACK, else ../shared/data): the pack is imported
    into a temporary store, then every catalog dataset the store holds is loaded through
    `Library.load` (median of --runs passes, OS cache warm). The same is measured reading straight
    from the pack: cold (a new DataPack each pass, so every file is parsed and validated) and warm
    (one DataPack, memoised).
(b) Page run time, via `streamlit.testing.v1.AppTest` with the pack and an empty store: cold is
    the first run in a fresh Python process (each measurement is its own subprocess), warm the
    second run of the same AppTest (Streamlit caches filled). Median over --app-runs processes.

Prints a markdown table and writes it to benchmarks/RESULTS.md under "## Foundation" (other
sections of that file are kept). Nothing here touches the network.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from common import bench_page, parse_args, publish, row, timed

from liquidity import DataPack, Library, Store
from liquidity.core import catalog

HEADING = "## Foundation"
PAGES = (("app.py", "Overview"), ("pages/5_data.py", "Data"))


def load_all(library: Library, keys: list[str]) -> None:
    for key in keys:
        library.load(key)


def bench_loading(pack_root: Path, runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="liquidity-bench-") as home:
        store = Store(home)
        t0 = time.perf_counter()
        imported, rejected = Library(store).import_pack(DataPack(pack_root))
        import_s = time.perf_counter() - t0
        if rejected:
            print(f"warning: {len(rejected)} pack file(s) rejected: {rejected}", file=sys.stderr)
        keys = [d.key for d in catalog.CATALOG if d.key in store.entries()]
        from_store = Library(store)
        load_all(from_store, keys)  # warm the OS cache (and nothing else: the store has no memo)
        store_s = [timed(lambda: load_all(from_store, keys)) for _ in range(runs)]

    pack_keys = DataPack(pack_root).keys()
    pack_cold = [
        timed(lambda: load_all(Library(None, DataPack(pack_root)), pack_keys)) for _ in range(runs)
    ]
    warm_library = Library(None, DataPack(pack_root))
    load_all(warm_library, pack_keys)  # first parse fills the memo
    pack_warm = [timed(lambda: load_all(warm_library, pack_keys)) for _ in range(runs)]
    return {
        "catalog": len(catalog.CATALOG),
        "datasets": len(keys),
        "missing": [d.key for d in catalog.CATALOG if d.key not in keys],
        "import_s": import_s,
        "store_s": statistics.median(store_s),
        "pack_cold_s": statistics.median(pack_cold),
        "pack_warm_s": statistics.median(pack_warm),
    }


def render(pack_root: Path, loading: dict, pages: dict, runs: int, app_runs: int) -> str:
    n = loading["datasets"]
    lines = [
        HEADING,
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M %Z')} · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPU(s) · pack `{pack_root}` ({n} of {loading['catalog']} catalog "
        f"datasets; not in the pack: {', '.join(loading['missing']) or 'none'}). "
        f"Loading: median of {runs} passes over all {n} datasets. Pages: AppTest with the pack "
        f"and an empty store, median of {app_runs} fresh processes; cold = first run in the "
        "process, warm = second run of the same AppTest.",
        "",
        "| what | target | measured | pass |",
        "|---|---|---|---|",
        row(f"store: load all {n} datasets (warm OS cache)", 0.3, loading["store_s"]),
        row(f"pack: load all {n} datasets, cold (first parse)", None, loading["pack_cold_s"]),
        row(f"pack: load all {n} datasets, warm (memoised)", None, loading["pack_warm_s"]),
        row("import the pack into an empty store (once)", None, loading["import_s"]),
    ]
    for script, name in PAGES:
        lines.append(row(f"{name} (`{script}`) AppTest run, cold", 2.0, pages[script]["cold_s"]))
        lines.append(row(f"{name} (`{script}`) AppTest run, warm", 0.3, pages[script]["warm_s"]))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__, argv)
    pack_root = args.pack

    print(f"loading datasets from {pack_root} …", file=sys.stderr)
    loading = bench_loading(pack_root, args.runs)
    pages = {}
    for script, _ in PAGES:
        print(f"running {script} in AppTest …", file=sys.stderr)
        pages[script] = bench_page(script, pack_root, args.app_runs)

    section = render(pack_root, loading, pages, args.runs, args.app_runs)
    publish(HEADING, section, not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
