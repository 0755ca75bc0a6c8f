"""The built-in sample department on disk, for notebooks run without a data directory.

``papermill notebooks/appraisal_report.ipynb out.ipynb`` runs from any folder: a notebook's
default ``data_dir = ""`` means this sample, written once per toolkit version and seed into
a cache folder (``$KPI_TOOLKIT_CACHE``, else ``$XDG_CACHE_HOME/kpi-toolkit``, else
``~/.cache/kpi-toolkit``), never a path relative to the current folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .. import __version__
from ..files import make_folder
from .department import write_sample

__all__ = ["SAMPLE_SEED", "cache_dir", "data_folder", "sample_folder"]

SAMPLE_SEED = 2026
_DONE = ".complete"  # written last: a folder without it is an interrupted write


def cache_dir() -> Path:
    """Where the toolkit keeps what it makes once per machine."""
    chosen = os.environ.get("KPI_TOOLKIT_CACHE")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kpi-toolkit"


def sample_folder(*, seed: int = SAMPLE_SEED) -> Path:
    """The sample department's folder (with its raw exports in ``records/``), written on
    first use; later calls return it as it is."""
    folder = cache_dir() / f"sample-{__version__}-{seed}"
    if (folder / _DONE).exists():
        return folder
    parent = make_folder(folder.parent)
    with tempfile.TemporaryDirectory(prefix=".sample-", dir=parent) as work:
        written = Path(work) / "sample"
        write_sample(written, seed=seed, records=True)
        (written / _DONE).write_text(__version__, encoding="utf-8")
        if not (folder / _DONE).exists():  # another process may have finished first
            shutil.rmtree(folder, ignore_errors=True)  # an interrupted earlier write
            try:
                os.replace(written, folder)
            except OSError:
                if not (folder / _DONE).exists():  # not another process's finished copy
                    raise
    return folder


def data_folder(data_dir: str | os.PathLike[str] | None) -> Path:
    """A notebook's data directory: the one given, or the built-in sample for ``""``/``None``.

    Examples
    --------
    >>> data_folder("/srv/kpi/2026")
    PosixPath('/srv/kpi/2026')
    """
    if data_dir is None or not str(os.fspath(data_dir)).strip():
        return sample_folder()
    return Path(data_dir)
