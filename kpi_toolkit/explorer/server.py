"""Serving the weight explorer notebook with Voilà.

:func:`serve_explorer` serves ``notebooks/weight_explorer.ipynb`` (parameters injected by
:func:`parameterised_notebook`) and returns or waits on the :class:`ExplorerServer`.
Voilà runs in a session of its own; stopping it (:meth:`ExplorerServer.stop`, SIGTERM or
Ctrl-C on ``kpi explore``) ends its process group and every process it started (its
kernels start sessions of their own). The page is made with a Voilà template that loads
nothing from a CDN (Voilà's ``lab`` template links Font Awesome).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
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
TEMPLATE_NAME = "kpi_explorer"
# Voilà's lab template with its two Font Awesome <link>s (a CDN) taken out.
FONT_AWESOME = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/"
TEMPLATE = (
    "{%- extends 'lab/index.html.j2' -%}\n"
    '{%- block notebook_css -%}{{ super() | replace(\'<link rel="stylesheet" href="'
    + FONT_AWESOME
    + 'all.min.css" type="text/css" />\', \'\') | replace(\'<link rel="stylesheet" href="'
    + FONT_AWESOME
    + "v4-shims.min.css\" type=\"text/css\" />', '') }}{%- endblock notebook_css -%}\n"
)


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

    def stop(self, grace: float = 10) -> None:
        """End Voilà, its kernels and whatever they started; remove the temporary folder.

        SIGTERM to Voilà's process group (Voilà shuts its kernels down), then, after
        ``grace`` seconds, SIGKILL to every process of the tree still there: the group and
        the descendants found before (kernels run in sessions of their own).
        """
        tree = descendants(self.process.pid)  # Voilà itself is stopped through its group
        _signal_group(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace)
        _signal_group(self.process.pid, signal.SIGKILL)
        for pid in tree:
            _signal(pid, signal.SIGKILL)
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ExplorerServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, their children, …), from ``/proc``."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        fields = text.rsplit(")", 1)[1].split()  # after "pid (command)": state, ppid, …
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo += children.get(child, [])
    return found


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)  # Voilà leads its own session: its group id is its pid


def _template_dir(folder: Path) -> Path:
    """A Jupyter data folder holding the explorer's Voilà template (for ``JUPYTER_PATH``)."""
    root = folder / "jupyter"
    template = root / "voila" / "templates" / TEMPLATE_NAME
    template.mkdir(parents=True)
    (template / "conf.json").write_text(json.dumps({"base_template": "lab"}), encoding="utf-8")
    (template / "index.html.j2").write_text(TEMPLATE, encoding="utf-8")
    return root


def parameterised_notebook(folder: Path, parameters: Mapping[str, object]) -> Path:
    """Write ``weight_explorer.ipynb`` with ``parameters`` injected (as papermill does),
    without the cells tagged ``notes`` (the page says what it is in the reader's language)."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = parameterize_notebook(
        load_notebook_node(str(notebooks_dir() / NOTEBOOK_NAME)),
        dict(parameters),
        kernel_name="python3",
        language="python",
    )
    nb.cells = [c for c in nb.cells if "notes" not in c.get("metadata", {}).get("tags", [])]
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
        f"--template={TEMPLATE_NAME}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        "--show_tracebacks=True",
        *([] if open_browser else ["--no-browser"]),
    ]
    jupyter_path = os.pathsep.join(
        [str(_template_dir(folder)), *filter(None, [os.environ.get("JUPYTER_PATH")])]
    )
    server = ExplorerServer(
        subprocess.Popen(
            command,
            cwd=folder,
            env={**os.environ, "JUPYTER_PATH": jupyter_path},
            start_new_session=True,  # its own process group, stopped as one
        ),
        f"http://127.0.0.1:{port}/",
        folder,
    )
    if not block:
        return server
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        print(f"weight explorer: {server.url} (Ctrl-C to stop)", flush=True)
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
    return server


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM while serving: stop as Ctrl-C does (the server's tree is ended on the way)."""
    raise KeyboardInterrupt
