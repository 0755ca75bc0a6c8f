"""Serving the weight explorer notebook with Voilà.

:func:`serve_explorer` serves ``notebooks/weight_explorer.ipynb`` (parameters injected by
:func:`parameterised_notebook`) and returns or waits on the :class:`ExplorerServer`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import KpiError
from ..files import notebooks_dir
from ..labels import Lang
from .scenario_files import SCENARIO_DIR

__all__ = ["ExplorerServer", "serve_explorer"]

NOTEBOOK_NAME = "weight_explorer.ipynb"


@dataclass
class ExplorerServer:
    """A running Voilà server for the explorer notebook; stop it with :meth:`stop`."""

    process: subprocess.Popen
    url: str
    folder: Path

    def wait_ready(self, timeout: float = 60) -> None:
        """Wait until the server accepts connections (the notebook runs per page opened)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                args = self.process.args  # the list serve_explorer started it with
                command = " ".join(map(str, args)) if isinstance(args, list) else str(args)
                raise KpiError(
                    f"Voilà exited with code {self.process.returncode}; command: {command}"
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise KpiError(f"Voilà did not answer at {self.url} within {timeout:g} s")

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])

    def stop(self) -> None:
        """Terminate Voilà (kill it after 10 s) and remove the parameterised notebook."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ExplorerServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def parameterised_notebook(folder: Path, parameters: Mapping[str, object]) -> Path:
    """Write ``weight_explorer.ipynb`` with ``parameters`` injected (as papermill does)."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = parameterize_notebook(
        load_notebook_node(str(notebooks_dir() / NOTEBOOK_NAME)),
        dict(parameters),
        kernel_name="python3",
        language="python",
    )
    path = folder / NOTEBOOK_NAME
    nbformat.write(nb, path)
    return path


def serve_explorer(
    *,
    scheme: str | Path,
    data_dir: str | Path,
    period: str,
    lang: Lang = "zh",
    port: int = 8866,
    open_browser: bool = False,
    scenario_dir: str | Path | None = None,
    block: bool = True,
    sources: str | Path | None = None,
    records_dir: str | Path | None = None,
) -> ExplorerServer:
    """Serve the weight explorer with Voilà on ``http://127.0.0.1:<port>/``.

    Voilà 0.5 has no notebook parameters (only the raw query string, in the kernel's
    ``QUERY_STRING``), so a copy of ``notebooks/weight_explorer.ipynb`` with the parameters
    injected is written to a temporary folder and served. Paths are made absolute: the
    kernel runs in that folder.

    Parameters
    ----------
    scheme
        A scheme YAML file or a built-in scheme name.
    data_dir
        Holds ``roster.csv``, ``actuals_<scheme id>.csv`` and optionally ``ratings.csv``.
    period
        ``2026-Q3``, ``2026-07`` or ``2026``.
    sources, records_dir
        A bundle of source mappings and the folder of its raw exports: the actuals are
        computed from them, as ``kpi report --sources`` does.
    port
        The port; Voilà fails rather than take another one if it is busy.
    open_browser
        Open the page in the default browser.
    scenario_dir
        Where scenarios are saved and listed; default ``params/scenarios`` under the
        current folder (never inside the installed package).
    block
        Wait until Voilà ends (Ctrl-C stops it), then clean up. With ``False``, return the
        running :class:`ExplorerServer` at once; the caller stops it.
    """
    folder = Path(tempfile.mkdtemp(prefix="kpi-explorer-"))
    scheme_arg = str(Path(scheme).resolve()) if Path(scheme).exists() else str(scheme)
    notebook = parameterised_notebook(
        folder,
        {
            "scheme": scheme_arg,
            "data_dir": str(Path(data_dir).resolve()),
            "period": period,
            "lang": lang,
            "scenario_dir": str(Path(scenario_dir or SCENARIO_DIR).resolve()),
            "sources": None if sources is None else str(sources),
            "records_dir": None if records_dir is None else str(Path(records_dir).resolve()),
        },
    )
    command = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        "--show_tracebacks=True",
        *([] if open_browser else ["--no-browser"]),
    ]
    server = ExplorerServer(
        subprocess.Popen(command, cwd=folder, env={**os.environ}),
        f"http://127.0.0.1:{port}/",
        folder,
    )
    if not block:
        return server
    try:
        print(f"weight explorer: {server.url} (Ctrl-C to stop)", flush=True)
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return server
