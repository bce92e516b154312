"""The app served by `streamlit run` on loopback, and what a browser needs to drive it offline.

Shared by the browser tests, the Community Cloud readiness test and `benchmarks/load.py`
(STREAMLIT.md §4): a server on a free loopback port in its own process group, Debian Chromium's
flags, the selectors that say a page finished running or shows an error, a Playwright route
handler that aborts every request leaving the machine, and the memory and CPU time of a process
tree read from /proc. Nothing here imports pytest, so a benchmark script can use it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
SECRETS = ("FRED_API_KEY", "SEC_USER_AGENT", "COINGLASS_API_KEY")

CHROMIUM = os.environ.get("CHROMIUM", "").strip() or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SERVER_FLAGS = [
    "--server.headless=true",
    "--server.address=127.0.0.1",
    "--browser.gatherUsageStats=false",
    "--server.fileWatcherType=none",
]
VIEWPORT = {"width": 1400, "height": 900}

# "Finished running" in the 1.67 frontend (STREAMLIT.md §4.3).
READY = (
    '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
    '[data-test-script-state="notRunning"]'
)
RUNNING_ICON = '[data-testid="stStatusWidgetRunningIcon"]'
CHART = ".js-plotly-plot .main-svg"
# st.exception / uncaught errors, and st.error (rendered as stAlertContainer > stAlertContentError).
EXCEPTION = '[data-testid="stException"]'
ERROR_ALERT = '[data-testid="stAlertContentError"]'

# No proxies: a proxy from the environment would turn a loopback request into a network one.
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerFailed(RuntimeError):
    """The server exited or did not answer its health check in time (the log says why)."""


@dataclass(frozen=True)
class Server:
    url: str
    proc: subprocess.Popen
    log: Path
    started: float  # time.monotonic() just before the process was spawned
    healthy: float  # time.monotonic() when /_stcore/health first answered "ok"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(pack: Path | None, home: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """`base` (default: this process's environment) without secrets, with its own store and,
    when given, the data pack."""
    env = dict(os.environ if base is None else base, LIQUIDITY_HOME=str(home))
    for name in SECRETS:
        env.pop(name, None)
    env.pop("LIQUIDITY_DATA_PACK", None)
    if pack is not None:
        env["LIQUIDITY_DATA_PACK"] = str(pack)
    return env


@contextlib.contextmanager
def streamlit_server(
    pack: Path | None,
    workdir: Path,
    *,
    cwd: Path = REPO,
    env: dict[str, str] | None = None,
    python: str = sys.executable,
    timeout: float = 60,
) -> Iterator[Server]:
    """Run `streamlit run app.py` from `cwd` on a free loopback port (§4.5) until the block ends.

    The store is `workdir/home` and the log `workdir/server.log`; `env` replaces the default
    environment (`app_env(pack, workdir / "home")`).
    """
    port = free_port()
    log_path = workdir / "server.log"
    env = app_env(pack, workdir / "home") if env is None else env
    started = time.monotonic()
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [python, "-m", "streamlit", "run", "app.py", *SERVER_FLAGS, f"--server.port={port}"],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        healthy = wait_healthy(f"{url}/_stcore/health", proc, log_path, timeout)
        yield Server(url, proc, log_path, started, healthy)
    finally:
        stop_group(proc)


def wait_healthy(url: str, proc: subprocess.Popen, log_path: Path, timeout: float = 60) -> float:
    """Poll the health endpoint until it says "ok"; returns when (time.monotonic())."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerFailed(f"streamlit exited with {proc.returncode}; log: {log_path}")
        with contextlib.suppress(OSError):
            with LOCAL.open(url, timeout=2) as response:
                if response.read().strip() == b"ok":
                    return time.monotonic()
        time.sleep(0.25)
    raise ServerFailed(f"streamlit not healthy after {timeout:.0f} s; log: {log_path}")


def stop_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


class Offline:
    """A Playwright route handler: aborts every request that would leave the machine, and
    remembers what it aborted."""

    def __init__(self):
        self.aborted: list[str] = []

    def __call__(self, route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            self.aborted.append(route.request.url)
            route.abort("internetdisconnected")


def is_local(url: str) -> bool:
    """Whether a browser request stays on this machine (loopback, or data held by the page)."""
    host = urlsplit(url).hostname or ""
    return url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost")


# -- process trees (Linux /proc) ---------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants that are alive now."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            # Fields after the command name, which may itself hold spaces and parentheses.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def usage(pids) -> tuple[float, float]:
    """(resident memory in MB, CPU seconds used so far) summed over the processes `pids`.

    Resident memory counts pages shared between processes once per process, so a tree of
    forked processes is overstated rather than understated.
    """
    rss_kb, ticks = 0, 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            # Own user and system time, and that of children already exited and reaped.
            ticks += sum(int(v) for v in fields[11:15])
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss_kb += int(line.split()[1])
    return rss_kb / 1024, ticks / CLOCK_TICKS


def machine_busy() -> float:
    """CPU seconds all cores of this machine have spent busy since boot (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS
