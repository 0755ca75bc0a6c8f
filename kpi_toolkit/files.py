"""Disk I/O helpers, one of each: where the built-in resources are, writing a file whole or
not at all, a name made safe for a file, the one check that a file written stays inside its
output folder, and the SHA-256 of a file (files given as input are checked and read by
``input_files``).

Every OS error on a user's path (a folder given for a file, a read-only or full disk, a pipe
or device given as a table) becomes an :class:`~kpi_toolkit.errors.InputError` naming that
path (the CLI exits with code 2), never the hidden ``.partial`` file written on the way.

Built-in resources are the schemes, source mappings, metric sets, bundles and calendars of
``params/`` and the report notebooks of ``notebooks/``. In a checkout they are top-level
folders beside the package; a wheel maps them into it (``kpi_toolkit/params``,
``kpi_toolkit/notebooks``, see ``pyproject.toml``). Every caller finds them here: first
inside the installed package, then in the checkout that holds the package (an editable
install or ``PYTHONPATH``). They are looked up as folders and never imported: setuptools'
editable finder does not make a mapped folder without ``__init__.py`` importable. The
user's own folders (saved scenarios, reports) are never inside the package.

May import the standard library and ``errors`` only, so importing it costs nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path
from typing import Literal, get_args

from .errors import InputError, KpiError, Problem

__all__ = [
    "FILE_NAME",
    "KINDS",
    "Kind",
    "NameRules",
    "builtin_names",
    "builtin_path",
    "inside",
    "make_folder",
    "notebooks_dir",
    "os_problem",
    "refused",
    "safe_name",
    "sha256",
    "unused_name",
    "write_atomic",
]

Kind = Literal["schemes", "sources", "metrics", "bundles", "calendar"]
KINDS: tuple[Kind, ...] = get_args(Kind)
Resource = Literal["params", "notebooks"]
PACKAGE = "kpi_toolkit"
CHECKOUT_MARKER = "pyproject.toml"  # a folder holding the package is a checkout if it has one
_CHUNK = 1 << 20
PARTIAL = ".partial"  # the suffix of a file being written (hidden: its name starts with ".")
# Never text: C0 and C1 controls, lone surrogates, the noncharacters U+FFFE and U+FFFF.
NOT_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class NameRules:
    """What a name may hold where it is used: a file name, an Excel sheet title, ...

    Attributes
    ----------
    unsafe
        Characters not allowed; each run of them becomes ``replacement``.
    max_chars, max_bytes
        Length caps in characters and in UTF-8 bytes (``None``: no cap).
    reserved
        Names that may not be used (case-insensitive), compared with the part before the
        first ``.`` (Windows reserves ``CON.txt`` as it reserves ``CON``); such a name gets
        ``replacement`` in front.
    strip
        Characters removed from both ends, besides white space.
    fallback
        The name when nothing is left.
    """

    unsafe: re.Pattern[str]
    max_chars: int | None
    max_bytes: int | None
    reserved: frozenset[str]
    strip: str
    fallback: str
    replacement: str = "_"


_DEVICES = ("con", "prn", "aux", "nul")
FILE_NAME = NameRules(
    unsafe=re.compile(r"[^\w.\-]+"),  # \w keeps letters and digits of every script (汉字)
    max_chars=None,
    # Room for what callers add (a prefix, ".ipynb", write_atomic's temporary ".NAME.x.tmp")
    # within the 255 bytes most file systems allow in one name.
    max_bytes=150,
    reserved=frozenset(
        (*_DEVICES, *(f"{port}{n}" for port in ("com", "lpt") for n in "0123456789¹²³"))
    ),
    strip="._-",  # no hidden files, no "." or "..", no trailing dot (Windows drops it)
    fallback="unnamed",
)


def safe_name(name: str, *, rules: NameRules = FILE_NAME) -> str:
    """``name`` made safe for one path component: a file written under it stays in its folder.

    Letters and digits of every script are kept (in NFC form); any other run of characters
    becomes ``_``; dots, ``_`` and ``-`` are text_of from the ends; the length is capped (UTF-8
    bytes); Windows' device names (``CON``, ``COM1``, ...) get a ``_`` in front; an empty
    result is ``unnamed``. A safe name is returned as it is, so ``safe_name(n) == n`` checks
    that ``n`` needs no change.

    Parameters
    ----------
    name
        Any text: a team or scenario name, an employee id.
    rules
        What is allowed: :data:`FILE_NAME` (default) or the rules of another namespace
        (``reports.excel`` passes an Excel sheet title's).

    Examples
    --------
    >>> safe_name("售后/一组")
    '售后_一组'
    >>> safe_name("../../etc/passwd")
    'etc_passwd'
    >>> safe_name("con.txt")
    '_con.txt'
    """
    text = rules.unsafe.sub(rules.replacement, NOT_TEXT.sub("", unicodedata.normalize("NFC", name)))
    text = _trim(_cap(_trim(text, rules.strip), rules), rules.strip) or rules.fallback
    if text.split(".", 1)[0].casefold() in rules.reserved:
        text = _cap(rules.replacement + text, rules)
    return text


def unused_name(
    name: str, *, taken: Iterable[str], rules: NameRules = FILE_NAME, suffix: str = "_{n}"
) -> str:
    """:func:`safe_name` of ``name``, numbered where that name is ``taken`` (ignoring case).

    Two teams named ``a/b`` and ``a_b`` would write the same file: the second gets ``a_b_2``.
    The number goes at the end, within the rules' length caps.

    Examples
    --------
    >>> unused_name("a/b", taken=["a_b"])
    'a_b_2'
    >>> unused_name("总结", taken=["总结", "总结 (2)"], suffix=" ({n})")
    '总结 (3)'
    """
    base = safe_name(name, rules=rules)
    used = {t.casefold() for t in taken}
    candidate, number = base, 1
    while candidate.casefold() in used:
        number += 1
        tail = suffix.format(n=number)
        room = replace(
            rules,
            max_chars=None if rules.max_chars is None else rules.max_chars - len(tail),
            max_bytes=None if rules.max_bytes is None else rules.max_bytes - len(tail.encode()),
        )
        candidate = _trim(_cap(base, room), rules.strip) + tail
    return candidate


def _trim(text: str, chars: str) -> str:
    return re.sub(rf"^[\s{re.escape(chars)}]+|[\s{re.escape(chars)}]+$", "", text)


def _cap(text: str, rules: NameRules) -> str:
    text = text[: rules.max_chars]
    if rules.max_bytes is not None:  # cut on a character boundary
        text = text.encode("utf-8")[: rules.max_bytes].decode("utf-8", "ignore")
    return text


def builtin_path(kind: Kind, name: str) -> Path:
    """The file of a built-in ``kind`` named ``name``: ``params/KIND/NAME.yaml``.

    The path is given whether or not such a file exists; :func:`builtin_names` lists
    those that do.

    Raises
    ------
    KpiError
        ``kind`` is not one of :data:`KINDS`.
    InputError
        ``name`` is not a plain name (a separator, ``..``): it would leave the folder.

    Examples
    --------
    >>> path = builtin_path("schemes", "manager_post")
    >>> path.parent.name, path.name
    ('schemes', 'manager_post.yaml')
    """
    if safe_name(name) != name:
        raise InputError(
            Problem(
                where=f"built-in {kind}",
                message="not a built-in name",
                value=name,
                allowed=", ".join(builtin_names(kind)),
            )
        )
    return _builtin_dir(kind) / f"{name}.yaml"


def builtin_names(kind: Kind) -> list[str]:
    """The names of the built-in ``kind``, sorted.

    Examples
    --------
    >>> builtin_names("schemes")[:2]
    ['after_sales_team', 'department_head']
    """
    return sorted(p.stem for p in _builtin_dir(kind).glob("*.yaml"))


def notebooks_dir() -> Path:
    """The folder of the report notebooks (``appraisal_report.ipynb``, ...).

    Examples
    --------
    >>> (notebooks_dir() / "appraisal_report.ipynb").is_file()
    True
    """
    return _resource_dir("notebooks")


def _builtin_dir(kind: Kind) -> Path:
    if kind not in KINDS:
        raise KpiError(f"Unsupported kind of built-in: {kind!r}. Supported: {', '.join(KINDS)}")
    return _resource_dir("params") / kind


def _resource_dir(name: Resource) -> Path:
    """``name`` inside the installed package, else in the checkout holding the package."""
    package = Path(str(files(PACKAGE)))
    checkout = package.parent
    candidates = [package / name]
    if (checkout / CHECKOUT_MARKER).is_file():
        candidates.append(checkout / name)
    for folder in candidates:
        if folder.is_dir():
            return folder
    raise KpiError(
        f"The built-in {name} folder is missing: looked in {', '.join(map(str, candidates))}. "
        "Fix: reinstall kpi-toolkit (its wheel holds it), or work in a full checkout."
    )


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write a file whole or not at all: a hidden ``.partial`` file in the same folder, then
    ``os.replace``.

    On any error, KeyboardInterrupt included, the ``.partial`` file is removed and an existing
    file at ``path`` is left as it was. Text is written as UTF-8. Two processes writing the
    same path each write their own ``.partial`` file: the last to finish wins, whole.

    Parameters
    ----------
    path
        The file to write; its folder must exist.
    data
        The content: ``str`` (written as UTF-8) or ``bytes``.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    InputError
        ``path`` is a folder, a pipe or a device, or the OS refuses the write (a read-only
        or full disk, a missing folder, a name too long): the problem names ``path``.

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_atomic(Path(folder) / "报告.html", "<p>绩效</p>").read_text(encoding="utf-8")
    '<p>绩效</p>'
    """
    target = Path(path)
    if "\x00" in str(target):
        raise refused(target, "a path cannot hold a NUL character", writing=True)
    _check_writable(target)
    prefix = "." + _cap(target.name, replace(FILE_NAME, max_bytes=100)) + "."
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=PARTIAL)
    except OSError as error:
        raise os_problem(target, error, writing=True) from None
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(data):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, _file_mode(target))  # mkstemp makes it 0600
        os.replace(temp, target)
    except OSError as error:
        Path(temp).unlink(missing_ok=True)
        raise os_problem(target, error, writing=True) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def _check_writable(target: Path) -> None:
    """Refuse to replace a folder, a pipe or a device (``os.replace`` would swap a device
    file for a regular one where the process may)."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return  # nothing there yet (or a dangling link, which is replaced): writing will say
    if stat.S_ISDIR(mode):
        raise refused(target, "is a folder, not a file", writing=True)
    if not stat.S_ISREG(mode):
        raise refused(target, "is not a regular file (a pipe, socket or device)", writing=True)


def make_folder(path: str | os.PathLike[str]) -> Path:
    """The folder ``path``, made with its parents if missing.

    Raises
    ------
    InputError
        A file is in the way, or the OS refuses (read-only, no permission): names ``path``.

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     make_folder(Path(folder) / "out" / "2026-Q3").is_dir()
    True
    """
    folder = Path(path)
    if "\x00" in str(folder):
        raise refused(folder, "a path cannot hold a NUL character", writing=True)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise refused(folder, "is a file, not a folder", writing=True) from None
    except OSError as error:
        raise os_problem(folder, error, writing=True) from None
    return folder


def inside(
    folder: str | os.PathLike[str], name: str, *, extension: str = "", taken: Iterable[str] = ()
) -> Path:
    """The path of a file (or sub-folder) named after ``name`` directly inside ``folder``.

    The one way every output file is named: ``name`` (an employee id, a team, a rater) made
    safe by :func:`unused_name` (numbered where ``taken`` holds it already), then
    ``extension``. The path is resolved to check it is in ``folder`` itself: a link planted
    in the output folder that leads elsewhere is refused, not followed.

    Parameters
    ----------
    folder
        The output folder (it may itself be a link: the user chose it).
    name
        Any text; only its safe form is used.
    extension
        Added to the safe name (``".html"``); a fixed suffix chosen by the caller.
    taken
        Stems already used in this run: a name that collides with one is numbered.

    Raises
    ------
    InputError
        The path is a link that leads outside ``folder``.

    Examples
    --------
    >>> inside("out", "../../tmp/x", extension=".html").as_posix()
    'out/tmp_x.html'
    >>> inside("out", "华东/服务组", extension=".html", taken=["华东_服务组"]).as_posix()
    'out/华东_服务组_2.html'
    """
    root = Path(folder)
    path = root / (unused_name(name, taken=taken) + extension)
    if path.resolve().parent != root.resolve():
        raise InputError(
            Problem(
                where=str(path),
                message="a link that leads outside the output folder: not followed",
                value=str(path.resolve()),
                allowed=f"a file inside {root} (remove the link)",
            )
        )
    return path


def refused(
    path: Path, why: str, *, writing: bool, kind: type[InputError] = InputError
) -> InputError:
    """Bad input: ``path`` cannot be written (``writing``) or read, because ``why``."""
    allowed = "a file path in a folder you may write" if writing else "an existing, readable file"
    return kind(Problem(where=str(path), message=why, allowed=allowed))


def os_problem(
    path: Path, error: OSError, *, writing: bool, kind: type[InputError] = InputError
) -> InputError:
    """An OS error as bad input naming the user's ``path`` (never the ``.partial`` file)."""
    reason = error.strerror or type(error).__name__
    verb = "cannot write" if writing else "cannot read"
    return refused(path, f"{verb}: {reason}", writing=writing, kind=kind)


def _file_mode(target: Path) -> int:
    """The mode ``open()`` would give: the existing file's, else 0666 less the umask."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _chunks(data: str | bytes) -> Iterator[bytes]:
    """``data`` as UTF-8 bytes, a MiB at a time (no second full copy of a big report)."""
    for start in range(0, len(data), _CHUNK):
        piece = data[start : start + _CHUNK]
        yield piece.encode("utf-8") if isinstance(piece, str) else piece


def sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file, in hex, read a MiB at a time.

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     sha256(write_atomic(Path(folder) / "a.txt", b"abc"))
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()
