"""``kpi explore`` ends its whole process tree (Voilà and its kernels) on SIGTERM and Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kpi_toolkit.explorer.server import descendants
from kpi_toolkit.sample.department import write_sample

pytestmark = pytest.mark.browser  # serves the explorer with Voilà (as the browser test does)

ROOT = Path(__file__).resolve().parents[1]
STARTUP_S = 120  # the first page starts a kernel and scores the period


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting to be reaped has ended)."""
    try:
        import psutil
    except ImportError:
        stat = Path(f"/proc/{pid}/stat")
        return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _serve(data_dir: Path, tmp_path: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    command = [sys.executable, "-m", "kpi_toolkit", "explore", "--scheme", "after_sales_team"]
    command += ["--data-dir", str(data_dir), "--period", "2026-Q3", "--port", str(port)]
    command += ["--scenario-dir", str(tmp_path / "scenarios")]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    # its own session, as a shell's job: Ctrl-C reaches its group, not the test's
    process = subprocess.Popen(command, cwd=tmp_path, env=env, start_new_session=True)
    return process, port


def _wait_served(process: subprocess.Popen, port: int) -> None:
    """Until the page is served: Voilà runs the notebook in a kernel for each page."""
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        assert process.poll() is None, "kpi explore ended before serving"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=STARTUP_S) as page:
                if page.status == 200 and page.read():
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"kpi explore did not serve on port {port} within {STARTUP_S} s")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("sample")
    write_sample(directory, records=False)
    return directory


@pytest.mark.parametrize("how", ["sigterm", "ctrl-c"])
def test_stopping_kpi_explore_stops_voila_and_its_kernels(data_dir, tmp_path, how):
    process, port = _serve(data_dir, tmp_path)
    try:
        _wait_served(process, port)
        tree = descendants(process.pid)
        assert len(tree) >= 2  # Voilà and the kernel of the page just served
        if how == "sigterm":
            process.send_signal(signal.SIGTERM)
        else:  # a terminal's Ctrl-C: SIGINT to the foreground process group
            os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=60) == 0
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in tree) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [pid for pid in tree if _alive(pid)] == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
