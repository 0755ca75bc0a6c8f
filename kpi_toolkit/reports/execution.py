"""Running a report notebook in this process: papermill's parameters, nbclient's kernel.

:func:`execute_notebook` injects the parameters as papermill does and runs the cells with
nbclient, in a new kernel or in one kept by :func:`shared_kernel` for a batch (its
variables, figures, widgets and working folder reset before each notebook). Nothing is
written to disk: :mod:`kpi_toolkit.reports.export` makes the page.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

import nbformat
from nbformat import NotebookNode

from ..errors import KpiError

if TYPE_CHECKING:
    from jupyter_client import AsyncKernelManager

__all__ = ["KERNEL_NAME", "execute_notebook", "parameterized", "reparameterized", "shared_kernel"]

KERNEL_NAME = "python3"

# Run in a shared kernel before each notebook, so no report sees another's variables,
# figures or widgets; imported modules stay loaded, which is the point of sharing.
_RESET_SOURCE = """\
import os as _kpi_os, sys as _kpi_sys
if "ipywidgets" in _kpi_sys.modules:
    _kpi_sys.modules["ipywidgets"].Widget.close_all()
if "matplotlib.pyplot" in _kpi_sys.modules:
    _kpi_sys.modules["matplotlib.pyplot"].close("all")
_kpi_os.chdir({cwd!r})
get_ipython().run_line_magic("reset", "-f")
"""
_RESET_TAG = "kpi-kernel-reset"


def execute_notebook(
    source: str | os.PathLike[str] | NotebookNode,
    parameters: Mapping[str, object],
    *,
    cwd: str | os.PathLike[str] | None = None,
    kernel: AsyncKernelManager | None = None,
) -> NotebookNode:
    """Run a papermill-parameterised notebook in this process and return it executed.

    papermill injects ``parameters`` in a cell after the ``parameters``-tagged cell; nbclient
    runs the cells and stores widget state in ``nb.metadata.widgets`` (``store_widget_state``),
    ready for :func:`~kpi_toolkit.reports.export.export_html`. Nothing is written to disk.

    Parameters
    ----------
    source
        A notebook file or an in-memory notebook (not modified).
    parameters
        Values for the notebook's parameters cell; each name must be assigned there.
    cwd
        Working folder of the notebook's code (default: this process's).
    kernel
        A running kernel from :func:`shared_kernel` to run in, keeping its imports warm
        across reports; its variables, figures and widgets are reset first. By default a new
        kernel is started and shut down.

    Returns
    -------
    NotebookNode
        The executed notebook.

    Raises
    ------
    KpiError
        A parameter the notebook's parameters cell does not assign.
    nbclient.exceptions.CellExecutionError
        A cell raised; the message shows the cell's source and the traceback.
    """
    from nbclient import NotebookClient

    nb = parameterized(source, parameters)
    folder = os.path.abspath(os.fspath(cwd) if cwd is not None else os.getcwd())
    kernel_name = nb.metadata.get("kernelspec", {}).get("name", KERNEL_NAME)
    if kernel is None:
        resources = {"metadata": {"path": folder}}  # nbclient starts the kernel there
        client = NotebookClient(
            nb, kernel_name=kernel_name, store_widget_state=True, resources=resources
        )
        return client.execute()
    nb.cells.insert(0, _reset_cell(folder))
    client = NotebookClient(nb, km=kernel, kernel_name=kernel_name, store_widget_state=True)
    try:
        client.execute()
    finally:
        if client.kc is not None:  # nbclient leaves the client of a kernel it does not own open
            client.kc.stop_channels()
    nb.cells = [cell for cell in nb.cells if _RESET_TAG not in cell.metadata.get("tags", [])]
    return nb


def parameterized(
    source: str | os.PathLike[str] | NotebookNode, parameters: Mapping[str, object]
) -> NotebookNode:
    """A fresh copy of the notebook with papermill's injected-parameters cell (and
    papermill's metadata, a ``tags`` list on every cell), after checking every name.

    Raises
    ------
    KpiError
        A parameter the notebook's parameters cell does not assign.
    """
    import papermill
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(source if isinstance(source, NotebookNode) else os.fspath(source))
    known = papermill.inspect_notebook(nb)
    unknown = sorted(set(parameters) - set(known))
    if unknown:
        allowed = ", ".join(known) or "nothing (no cell is tagged parameters)"
        raise KpiError(
            f"Unknown notebook parameter(s): {', '.join(unknown)}. "
            f"The parameters cell assigns: {allowed}"
        )
    return parameterize_notebook(nb, dict(parameters), kernel_name=KERNEL_NAME, language="python")


def reparameterized(nb: NotebookNode, parameters: Mapping[str, object]) -> NotebookNode:
    """A copy of ``nb`` (made by :func:`parameterized`) with other values of the same
    parameters: papermill replaces the injected cell, as it does for a notebook run again.

    Raises
    ------
    KpiError
        ``parameters`` names others than ``nb`` was given.
    """
    import copy

    from papermill.parameterize import parameterize_notebook

    given = nb.metadata.get("papermill", {}).get("parameters", {})
    if set(parameters) != set(given):
        raise KpiError(
            f"Other parameters than the notebook's: {', '.join(sorted(parameters))}. "
            f"It was given: {', '.join(sorted(given))}"
        )
    again, given = copy.deepcopy(nb), dict(parameters)
    return parameterize_notebook(again, given, kernel_name=KERNEL_NAME, language="python")


def _reset_cell(folder: str) -> NotebookNode:
    cell = nbformat.v4.new_code_cell(_RESET_SOURCE.format(cwd=folder))
    cell.metadata["tags"] = [_RESET_TAG]
    return cell


@contextmanager
def shared_kernel(*, kernel_name: str = KERNEL_NAME) -> Iterator[AsyncKernelManager]:
    """Keep one kernel running for several :func:`execute_notebook` calls.

    Starting a kernel and importing pandas, matplotlib and the toolkit into it takes seconds;
    a batch of per-employee reports pays it once. Each run resets the kernel's variables,
    figures, widgets and working folder first; imported modules, and so matplotlib's
    rcParams, stay as the previous report left them.

    Parameters
    ----------
    kernel_name
        The Jupyter kernel to start.

    Yields
    ------
    jupyter_client.AsyncKernelManager
        Pass it as ``kernel=`` to :func:`execute_notebook`.

    Examples
    --------
    >>> with shared_kernel() as kernel:  # doctest: +SKIP
    ...     for employee in roster.employee_id:
    ...         nb = execute_notebook("notebooks/employee.ipynb", {"employee": employee},
    ...                               kernel=kernel)
    """
    from jupyter_client import AsyncKernelManager
    from jupyter_core.utils import run_sync

    manager = AsyncKernelManager(kernel_name=kernel_name, transport="ipc")
    run_sync(manager.start_kernel)()
    try:
        yield manager
    finally:
        run_sync(manager.shutdown_kernel)(now=True)
