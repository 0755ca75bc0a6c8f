"""Files a user gives: checked once (a regular, readable file within a size cap) and read as a
table of text, the one way every CSV and XLSX input is read.

What a table file may be, and what is refused as bad input naming the file (and the row,
column or cell where there is one):

- **Formats**: ``.csv`` (also ``.txt`` for raw exports) and ``.xlsx``/``.xlsm`` (macros are
  never run). An ``.xls`` file, a password-protected workbook (both OLE files), an empty or
  garbage workbook and any other suffix are refused, saying which formats are supported.
- **Size**: a file above :data:`MAX_INPUT_MB` MiB (``KPI_MAX_INPUT_MB`` raises it), an
  unpacked workbook above the same cap, a CSV line above :data:`MAX_LINE_BYTES` and a
  table of more than :data:`MAX_COLUMNS` columns. Pipes and devices (``/dev/zero``) are not
  files: nothing is read that might never end.
- **Text**: a byte-order mark decides (UTF-8, UTF-16); else UTF-8, else GB18030 (which
  covers GBK and GB2312); ``frame.attrs["encoding"]`` says which. A raw-export mapping may
  name its encoding.
- **Rows**: Windows and old Mac line ends are read; blank lines (and rows of blank cells)
  are left out but counted, so each row keeps its place in the file: the index of the table
  read is the row's number in the file (the header is row 1). An empty file, or one that is
  only a byte-order mark or blank lines, has no header row and is refused; a header with no
  rows is an empty table.
- **Headers**: white space (also full-width and zero-width), byte-order marks and control
  characters around a header are dropped; with ``fold_width`` full-width letters become
  plain ones (``ｓｔａｔｕｓ`` is ``status``). Two columns with one header are refused, naming
  both (never silently ``status.1``); a column with data under a blank header (a merged
  header cell) is refused naming the column; blank columns are dropped.
- **Workbooks**: the sheet read is the first *visible* one unless a sheet is named; a formula
  cell gives the value Excel saved with it (never evaluated); a formula without a saved value
  and an error value (``#DIV/0!``) are refused naming the cell. Dates are written
  ``2026-03-15 00:00:00``; a date typed as a serial number (45366) stays a number and is
  refused by the date check of the column that needs a date, naming the row.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DataError, InputError, Problem
from .files import os_problem, refused

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MAX_COLUMNS",
    "MAX_INPUT_ENV",
    "MAX_INPUT_MB",
    "MAX_LINE_BYTES",
    "TABLE_SUFFIXES",
    "input_file",
    "input_limit",
    "read_csv_text",
    "read_table_file",
    "read_xlsx_text",
]

MAX_INPUT_ENV = "KPI_MAX_INPUT_MB"  # raises the size cap of an input file
MAX_INPUT_MB = 512
MAX_LINE_BYTES = 1 << 20  # one CSV line; a longer one is not a table a person exported
MAX_COLUMNS = 16_384  # as many as Excel has
TABLE_SUFFIXES = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
SUPPORTED = ".csv, .xlsx (save an .xls workbook as .xlsx)"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected workbook
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its mark starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
_BLANK = r"[\s\ufeff\u200b-\u200d\u2060\x00-\x1f\x7f]+"  # white, zero-width, control
AROUND = re.compile(rf"^{_BLANK}|{_BLANK}$")


def input_limit() -> int:
    """The size cap of an input file in bytes: :data:`MAX_INPUT_MB` MiB, or the number of
    MiB in the environment variable ``KPI_MAX_INPUT_MB``."""
    text = os.environ.get(MAX_INPUT_ENV, "").strip()
    try:
        megabytes = float(text) if text else MAX_INPUT_MB
    except ValueError:
        megabytes = -1.0
    if not 0 < megabytes < 1 << 30:
        raise InputError(
            Problem(
                where=f"environment variable {MAX_INPUT_ENV}",
                message="not a size in MiB",
                value=text,
                allowed=f"a number of MiB above 0 (default {MAX_INPUT_MB})",
            )
        )
    return int(megabytes * (1 << 20))


def input_file(path: str | os.PathLike[str]) -> Path:
    """``path`` checked to be a regular file this process can read, within :func:`input_limit`.

    A folder, a pipe or a device (``/dev/zero``: an input that never ends), a link to a
    missing file, a file the OS will not let us read and a file above the size cap are bad
    input naming ``path``.

    Examples
    --------
    >>> input_file("/dev/zero")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kpi_toolkit.errors.DataError: /dev/zero: not a regular file (a pipe, socket or device); ...
    """
    file = Path(path)
    if "\x00" in str(file):
        raise refused(file, "a path cannot hold a NUL character", writing=False, kind=DataError)
    try:
        info = file.stat()
    except FileNotFoundError:
        why = "a link to a missing file" if file.is_symlink() else "file not found"
        raise refused(file, why, writing=False, kind=DataError) from None
    except OSError as error:
        raise os_problem(file, error, writing=False, kind=DataError) from None
    if stat.S_ISDIR(info.st_mode):
        raise refused(file, "is a folder, not a file", writing=False, kind=DataError)
    if not stat.S_ISREG(info.st_mode):
        raise refused(
            file, "not a regular file (a pipe, socket or device)", writing=False, kind=DataError
        )
    limit = input_limit()
    if info.st_size > limit:
        raise _too_big(file, f"{info.st_size / (1 << 20):.1f} MiB", limit)
    try:
        with file.open("rb"):
            pass
    except OSError as error:
        raise os_problem(file, error, writing=False, kind=DataError) from None
    return file


def _too_big(file: Path, size: str, limit: int) -> InputError:
    return InputError(
        Problem(
            where=str(file),
            message=f"larger than the {limit / (1 << 20):g} MiB an input file may have",
            value=size,
            allowed=f"a smaller file, or raise the cap: {MAX_INPUT_ENV}=<MiB>",
        )
    )


def read_table_file(
    path: str | os.PathLike[str], *, fold_width: bool = False, sheet: str | int | None = None
) -> pd.DataFrame:
    """A CSV or XLSX file as a table of text, by its suffix (see the module for the rules).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder, "roster.xls")
    ...     _ = path.write_bytes(b"")
    ...     read_table_file(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kpi_toolkit.errors.DataError: .../roster.xls: unsupported file extension '.xls'; allowed: ...
    """
    file = input_file(path)
    kind = TABLE_SUFFIXES.get(file.suffix.lower())
    if kind is None:
        raise DataError(
            Problem(
                where=str(file),
                message=f"unsupported file extension {file.suffix!r}",
                allowed=SUPPORTED,
            )
        )
    if kind == "csv":
        return read_csv_text(file, fold_width=fold_width)
    return read_xlsx_text(file, fold_width=fold_width, sheet=sheet)


# --- CSV -------------------------------------------------------------------------------


def read_csv_text(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    delimiter: str = ",",
    fold_width: bool = False,
) -> pd.DataFrame:
    """A CSV file as a table of text; the index is each row's number in the file.

    Parameters
    ----------
    encoding
        ``None``: found from a byte-order mark, else UTF-8, else GB18030.
    delimiter
        The field separator.
    fold_width
        Headers in NFKC form (full-width letters plain).
    """
    import pandas as pd

    file = input_file(path)
    data = file.read_bytes()
    _check_lines(file, data)
    text, used = _decode(file, data, encoding)
    if not text.strip():
        raise _not_a_table(file, "empty: no header row")
    try:
        raw = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            sep=delimiter,
            skip_blank_lines=False,
            index_col=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        raise _not_a_table(file, f"cannot parse as CSV: {error}") from None
    frame = _table(raw.fillna("").to_numpy().tolist(), file=file, fold_width=fold_width)
    frame.attrs["encoding"] = used
    return frame


def _check_lines(file: Path, data: bytes) -> None:
    """No line longer than :data:`MAX_LINE_BYTES` (a 1-GB line would be read whole)."""
    run = 0
    for start in range(0, len(data), MAX_LINE_BYTES):
        chunk = data[start : start + MAX_LINE_BYTES]
        first = chunk.find(b"\n")
        if run + (len(chunk) if first < 0 else first) > MAX_LINE_BYTES:
            line = data.count(b"\n", 0, start) + 1
            raise _not_a_table(
                file,
                f"line {line} is longer than {MAX_LINE_BYTES >> 20} MiB",
                allowed="a CSV table: a header row, then one line per row",
            )
        run = run + len(chunk) if first < 0 else len(chunk) - chunk.rfind(b"\n") - 1


def _decode(file: Path, data: bytes, encoding: str | None) -> tuple[str, str]:
    for mark, name in BOMS:
        if data.startswith(mark):
            return _decoded(file, data, name), name
    if encoding is not None:
        name = "utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding
        return _decoded(file, data, name, declared=encoding), encoding
    for name in ("utf-8", "gb18030"):
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    return _decoded(file, data, "gb18030"), "gb18030"  # raises, naming the byte


def _decoded(file: Path, data: bytes, encoding: str, *, declared: str | None = None) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        allowed = (
            "utf-8, utf-8-sig, gbk, gb18030 (set 'encoding' in the source mapping)"
            if declared
            else "UTF-8 (with or without BOM), UTF-16 with BOM, GBK/GB18030"
        )
        raise DataError(
            Problem(
                where=f"byte {error.start}",
                message=f"not readable as {declared or encoding}",
                value=error.object[error.start : error.start + 4],
                allowed=allowed,
                file=str(file),
            )
        ) from None


# --- XLSX ------------------------------------------------------------------------------


def read_xlsx_text(
    path: str | os.PathLike[str], *, sheet: str | int | None = None, fold_width: bool = False
) -> pd.DataFrame:
    """A sheet of an XLSX workbook as a table of text; the index is each row's number.

    Parameters
    ----------
    sheet
        ``None``: the first visible sheet; a name; or a position among all sheets (0 first).
    fold_width
        Headers in NFKC form (full-width letters plain).
    """
    file = input_file(path)
    _check_workbook_file(file)
    from openpyxl import load_workbook

    try:
        book = load_workbook(file, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        why = f"not a readable Excel workbook ({type(error).__name__})"
        raise _not_a_table(file, why) from None
    try:
        cells = _sheet_cells(book, file=file, sheet=sheet)
    finally:
        book.close()
    return _table(cells, file=file, fold_width=fold_width)


def _check_workbook_file(file: Path) -> None:
    with file.open("rb") as handle:
        head = handle.read(len(OLE_MAGIC))
    if head == OLE_MAGIC:
        raise _not_a_table(
            file,
            "a password-protected workbook or an old .xls file: neither can be read",
            allowed="an .xlsx workbook without password (save it again as .xlsx)",
        )
    if not zipfile.is_zipfile(file):
        raise _not_a_table(file, "not an Excel workbook (.xlsx is a zip archive; this is not)")
    try:
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise _not_a_table(file, f"not an Excel workbook ({error})") from None
    limit = input_limit()
    if unpacked > limit:
        raise _too_big(file, f"{unpacked / (1 << 20):.1f} MiB unpacked", limit)


def _sheet_cells(book: Any, *, file: Path, sheet: str | int | None) -> list[list[str]]:
    names = book.sheetnames
    if sheet is None:
        visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
        if not visible:
            raise _not_a_table(file, "the workbook has no visible sheet")
        ws = visible[0]
    elif isinstance(sheet, int) and 0 <= sheet < len(names):
        ws = book.worksheets[sheet]
    elif isinstance(sheet, str) and sheet in names:
        ws = book[sheet]
    else:
        raise DataError(
            Problem(
                where="sheet",
                message="no such sheet in the workbook",
                value=sheet,
                allowed=", ".join(names) + f" (or a position from 0 to {len(names) - 1})",
                file=str(file),
            )
        )
    if not hasattr(ws, "reset_dimensions"):  # a chart sheet
        raise _not_a_table(file, f"sheet {ws.title!r} holds no cells (a chart sheet)")
    ws.reset_dimensions()  # a damaged size claim (A1:XFD1048576) is not padded out
    rows = [list(row) for row in ws.iter_rows()]
    formulas = [
        (r, c) for r, row in enumerate(rows) for c, cell in enumerate(row) if _is_formula(cell)
    ]
    saved = _saved_values(file, ws.title, formulas) if formulas else {}
    problems: list[Problem] = []
    text = [[_cell(cell, saved, problems, file) for cell in row] for row in rows]
    if problems:
        raise DataError(problems[:20], title=f"{file}: cells that hold no value to read")
    return text


def _is_formula(cell: Any) -> bool:
    return getattr(cell, "data_type", None) == "f"


def _saved_values(file: Path, title: str, formulas: Sequence[tuple[int, int]]) -> dict:
    """The values Excel saved with the formula cells (openpyxl never evaluates them)."""
    from openpyxl import load_workbook

    book = load_workbook(file, read_only=True, data_only=True)
    try:
        ws = book[title]
        ws.reset_dimensions()
        wanted = set(formulas)
        return {
            (r, c): value
            for r, row in enumerate(ws.iter_rows(values_only=True))
            for c, value in enumerate(row)
            if (r, c) in wanted
        }
    finally:
        book.close()


def _cell(cell: Any, saved: dict, problems: list[Problem], file: Path) -> str:
    value = getattr(cell, "value", None)
    kind = getattr(cell, "data_type", None)
    if kind == "f":
        value = saved.get((cell.row - 1, cell.column - 1))
        if value is None:
            problems.append(_cell_problem(cell, "a formula without a saved value", file))
            return ""
    if kind == "e" or (kind == "f" and value in ERROR_CODES):
        problems.append(_cell_problem(cell, f"an Excel error value {value}", file))
        return ""
    return cell_text(value)


def _cell_problem(cell: Any, message: str, file: Path) -> Problem:
    return Problem(
        where=f"cell {cell.coordinate}",
        message=message,
        allowed="a value (open the workbook in Excel, let it calculate, save; or type the value)",
        file=str(file),
    )


def cell_text(value: Any) -> str:
    """A cell's value as text: whole numbers without ``.0``, times ISO, blanks empty.

    Examples
    --------
    >>> cell_text(3.0), cell_text(0.93), cell_text(None), cell_text(dt.datetime(2026, 3, 15))
    ('3', '0.93', '', '2026-03-15 00:00:00')
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


# --- the table -------------------------------------------------------------------------


def _table(rows: list[list[str]], *, file: Path, fold_width: bool) -> pd.DataFrame:
    """Header row + rows → a DataFrame of text indexed by row number in the file."""
    import pandas as pd

    numbered = [(n, row) for n, row in enumerate(rows, start=1) if any(v.strip() for v in row)]
    if not numbered:
        raise _not_a_table(file, "empty: no header row")
    (_, header), body = numbered[0], numbered[1:]
    width = max(len(header), *(len(row) for _, row in body)) if body else len(header)
    if width > MAX_COLUMNS:
        raise _not_a_table(file, f"{width} columns: more than {MAX_COLUMNS}")
    names = [_header(h, fold_width) for h in header] + [""] * (width - len(header))
    grid = [row + [""] * (width - len(row)) for _, row in body]
    frame = pd.DataFrame(grid, columns=range(width), index=[n for n, _ in body], dtype=object)
    _check_headers(names, frame, file)
    keep = [i for i, name in enumerate(names) if name]
    frame = frame[keep].astype("str") if keep else frame[keep]
    frame.columns = [names[i] for i in keep]
    frame.index.name = None
    frame.attrs["file"] = str(file)
    return frame


def _header(text: object, fold_width: bool) -> str:
    name = AROUND.sub("", unicodedata.normalize("NFKC" if fold_width else "NFC", str(text)))
    return AROUND.sub("", name)


def _check_headers(names: list[str], frame: pd.DataFrame, file: Path) -> None:
    """Each header once; no data under a blank header."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if not name:
            if (frame[i] != "").any():
                row = int(frame.index[(frame[i] != "").to_numpy()][0])
                problems.append(
                    Problem(
                        where=f"column {_letter(i)}",
                        message=f"values (row {row} first) under a blank header "
                        "(a merged header cell?)",
                        allowed="one header cell per column, not merged",
                        file=str(file),
                    )
                )
        elif name in seen:
            problems.append(
                Problem(
                    where=f"columns {_letter(seen[name])} and {_letter(i)}",
                    message=f"two columns have the header {name!r}",
                    value=name,
                    allowed="each header once (rename or remove one of the columns)",
                    file=str(file),
                )
            )
        else:
            seen[name] = i
    if problems:
        raise DataError(problems)


def _letter(index: int) -> str:
    """Column ``index`` (0-based) as Excel names it, with its number: ``C (3)``."""
    letters, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters} ({index + 1})"


def _not_a_table(file: Path, why: str, *, allowed: str | None = None) -> DataError:
    return DataError(
        Problem(
            where=str(file),
            message=why,
            allowed=allowed or "a table: a header row, then one row per record",
        )
    )
