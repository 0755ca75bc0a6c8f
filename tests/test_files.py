"""kpi_toolkit.files: built-in resources, atomic writes, safe names, file hashes."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

import kpi_toolkit.files
from kpi_toolkit import builtin_scheme
from kpi_toolkit.errors import InputError, KpiError, SchemeError
from kpi_toolkit.explorer.scenario_files import SCENARIO_DIR, save_scenario
from kpi_toolkit.explorer.scenarios import baseline_weights
from kpi_toolkit.files import (
    FILE_NAME,
    KINDS,
    builtin_names,
    builtin_path,
    inside,
    make_folder,
    notebooks_dir,
    safe_name,
    sha256,
    unused_name,
    write_atomic,
)
from kpi_toolkit.input_files import MAX_INPUT_ENV, input_file, read_table_file
from kpi_toolkit.reports.excel import SHEET_TITLE, SHEET_TITLE_MAX

ROOT = Path(__file__).resolve().parents[1]
# Any text at all, with the characters that make names dangerous over-represented.
HOSTILE = st.text(
    st.one_of(st.characters(), st.sampled_from(list("/\\.:*?\"'<>|[] \t\n\x00_-CONLPT1¹"))),
    max_size=300,
)


# --- built-in resources ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_in_a_checkout_the_builtins_are_the_top_level_params_folder(kind: str) -> None:
    folder = ROOT / "params" / kind
    assert builtin_names(kind) == sorted(p.stem for p in folder.glob("*.yaml"))
    assert builtin_names(kind), f"no built-in {kind}"
    name = builtin_names(kind)[0]
    assert builtin_path(kind, name) == folder / f"{name}.yaml"


def test_in_a_checkout_the_notebooks_are_the_top_level_folder() -> None:
    assert notebooks_dir() == ROOT / "notebooks"


def test_scenarios_are_the_users_not_a_builtin_kind() -> None:
    assert "scenarios" not in KINDS
    with pytest.raises(KpiError, match="Supported: schemes, sources"):
        builtin_names("scenarios")  # type: ignore[arg-type]
    assert not SCENARIO_DIR.is_absolute()  # under the current folder, never the package


@pytest.mark.parametrize("name", ["..", "../schemes/manager_post", "a/b", "/etc/passwd", ""])
def test_a_builtin_name_cannot_leave_its_folder(name: str) -> None:
    with pytest.raises(InputError) as caught:
        builtin_path("schemes", name)
    (problem,) = caught.value.problems
    assert problem.value == name
    assert problem.allowed == ", ".join(builtin_names("schemes"))


def test_an_unknown_scheme_name_lists_the_builtins() -> None:
    with pytest.raises(SchemeError, match="a YAML file, or a built-in scheme name: after_sales"):
        builtin_scheme("no_such_scheme")


def _installed(tmp_path: Path, *, checkout: bool) -> Path:
    """A package folder ``kpi_toolkit`` with built-ins of its own or a checkout's beside it."""
    package = tmp_path / "kpi_toolkit"
    (tmp_path / "params" / "schemes").mkdir(parents=True)
    (tmp_path / "params" / "schemes" / "beside.yaml").write_text("id: beside\n")
    if checkout:
        (tmp_path / "pyproject.toml").write_text("[project]\n")
    package.mkdir()
    return package


def test_the_installed_package_holds_its_builtins(monkeypatch, tmp_path: Path) -> None:
    package = _installed(tmp_path, checkout=True)
    (package / "params" / "schemes").mkdir(parents=True)
    (package / "params" / "schemes" / "inside.yaml").write_text("id: inside\n")
    monkeypatch.setattr(kpi_toolkit.files, "files", lambda name: package)
    assert builtin_names("schemes") == ["inside"]


def test_a_checkout_is_read_beside_the_package(monkeypatch, tmp_path: Path) -> None:
    package = _installed(tmp_path, checkout=True)
    monkeypatch.setattr(kpi_toolkit.files, "files", lambda name: package)
    assert builtin_path("schemes", "beside") == tmp_path / "params" / "schemes" / "beside.yaml"


def test_a_params_folder_beside_an_installed_package_is_not_read(monkeypatch, tmp_path) -> None:
    # site-packages/params of some other distribution: not ours, and not a checkout
    package = _installed(tmp_path, checkout=False)
    monkeypatch.setattr(kpi_toolkit.files, "files", lambda name: package)
    with pytest.raises(KpiError, match=r"built-in params folder is missing: looked in \S+"):
        builtin_names("schemes")


# --- safe names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("售后/一组", "售后_一组"),
        ("E005", "E005"),
        ("../../etc/passwd", "etc_passwd"),
        ("..", "unnamed"),
        ("", "unnamed"),
        (" 售后 一组 ", "售后_一组"),
        ("a\x00b", "ab"),
        (".hidden", "hidden"),
        ("CON", "_CON"),
        ("com1.txt", "_com1.txt"),
        ("LPT¹", "_LPT¹"),
        ("e\u0301", "é"),  # one character as the file system shows it
        ("响应速度25", "响应速度25"),
        ("报" * 60, "报" * 50),  # 150 bytes of UTF-8
    ],
)
def test_safe_name(name: str, safe: str) -> None:
    assert safe_name(name) == safe


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
def test_a_safe_name_keeps_a_written_file_in_its_folder(name: str) -> None:
    safe = safe_name(name)
    assert safe and safe not in {".", ".."} and not safe.startswith(".")
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert len(safe.encode("utf-8")) <= FILE_NAME.max_bytes
    assert safe.split(".")[0].casefold() not in FILE_NAME.reserved
    assert safe_name(safe) == safe
    with tempfile.TemporaryDirectory() as folder:
        written = write_atomic(Path(folder) / safe, "x")
        assert written.resolve().parent == Path(folder).resolve()
        assert [p.name for p in Path(folder).iterdir()] == [safe]


@settings(max_examples=200, deadline=None)
@given(HOSTILE, st.sets(st.text(max_size=5), max_size=3))
def test_a_sheet_title_is_one_excel_accepts(name: str, taken: set[str]) -> None:
    title = safe_name(name, rules=SHEET_TITLE)
    assert 0 < len(title) <= SHEET_TITLE_MAX
    assert not title.startswith("'") and not title.endswith("'")
    assert safe_name(title, rules=SHEET_TITLE) == title
    Workbook().create_sheet(title)  # openpyxl refuses a title Excel would refuse


@settings(max_examples=200, deadline=None)
@given(st.lists(HOSTILE, max_size=6))
def test_names_made_safe_stay_distinct(names: list[str]) -> None:
    """Two teams whose safe names agree (a/b, a_b) still get two files, and two sheets."""
    for rules, limit in ((FILE_NAME, None), (SHEET_TITLE, SHEET_TITLE_MAX)):
        taken: list[str] = []
        for name in names:
            taken.append(unused_name(name, taken=taken, rules=rules))
        assert len({t.casefold() for t in taken}) == len(taken)
        assert all(safe_name(t, rules=rules) == t for t in taken)
        assert limit is None or all(len(t) <= limit for t in taken)


@settings(max_examples=40, deadline=None)
@given(HOSTILE)
def test_a_scenario_is_saved_under_its_name_or_refused(name: str) -> None:
    scheme = builtin_scheme("manager_post")
    with tempfile.TemporaryDirectory() as folder:
        try:
            path = save_scenario(
                scheme, baseline_weights(scheme), name=name, directory=folder, overwrite=True
            )
        except SchemeError:
            assert safe_name(name) != name
        else:
            assert path == Path(folder) / f"{name}.yaml"
            assert [p.name for p in Path(folder).iterdir()] == [f"{name}.yaml"]


def test_scenarios_are_saved_under_the_current_folder(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    scheme = builtin_scheme("manager_post")
    path = save_scenario(scheme, baseline_weights(scheme), name="基线")
    assert path.resolve() == tmp_path / "params" / "scenarios" / "基线.yaml"


def test_a_refused_scenario_name_suggests_a_safe_one() -> None:
    scheme = builtin_scheme("manager_post")
    with pytest.raises(SchemeError, match=r"e\.g\. 响应速度25 or 响应速度_25") as caught:
        save_scenario(scheme, baseline_weights(scheme), name="响应速度 25", directory="unused")
    assert caught.value.problems[0].value == "响应速度 25"


# --- writing and hashing -------------------------------------------------------------------


def test_write_atomic_writes_text_as_utf8_and_bytes_as_they_are(tmp_path: Path) -> None:
    assert write_atomic(tmp_path / "a.html", "绩效") == tmp_path / "a.html"
    write_atomic(tmp_path / "b.bin", b"\x00\xff")
    assert (tmp_path / "a.html").read_bytes() == "绩效".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"


def test_write_atomic_gives_the_file_the_mode_open_would(tmp_path: Path) -> None:
    (tmp_path / "plain.html").write_text("x", encoding="utf-8")
    write_atomic(tmp_path / "atomic.html", "x")
    assert (tmp_path / "atomic.html").stat().st_mode == (tmp_path / "plain.html").stat().st_mode


def test_write_atomic_keeps_the_old_file_when_writing_fails_midway(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    # Megabytes of text that cannot be encoded at the end: fails after writing most of it.
    text = "报" * (3 << 20) + "\udc80"
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, text)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_write_atomic_leaves_nothing_when_the_file_cannot_be_replaced(tmp_path: Path) -> None:
    (tmp_path / "report.html").mkdir()
    with pytest.raises(InputError, match=r"report\.html: is a folder"):
        write_atomic(tmp_path / "report.html", "new")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    assert (tmp_path / "report.html").is_dir()


def test_sha256_reads_a_file_past_one_block(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000  # 2.2 MiB: three blocks
    path = write_atomic(tmp_path / "big.bin", data)
    assert sha256(path) == hashlib.sha256(data).hexdigest()


def test_the_excel_writer_needs_no_notebook_machinery() -> None:
    code = (
        "import sys, kpi_toolkit.reports.excel, kpi_toolkit.files\n"
        "print(sorted(m for m in ('nbformat', 'nbconvert', 'nbclient', 'papermill') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --- every output inside its folder; OS errors as bad input; two writers at once ----------


def test_inside_makes_the_name_safe_and_numbers_a_clash(tmp_path: Path) -> None:
    assert inside(tmp_path, "../../etc/passwd", extension=".html") == tmp_path / "etc_passwd.html"
    first = inside(tmp_path, "华东 服务组", extension=".html")
    second = inside(tmp_path, "华东/服务组", extension=".html", taken=[first.stem])
    assert (first.name, second.name) == ("华东_服务组.html", "华东_服务组_2.html")


def test_inside_refuses_a_link_planted_in_the_output_folder(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "E001.html").symlink_to(elsewhere / "E001.html")
    (out / "cards").symlink_to(elsewhere, target_is_directory=True)
    for name, extension in (("E001", ".html"), ("cards", "")):
        with pytest.raises(InputError, match="leads outside the output folder"):
            inside(out, name, extension=extension)
    (out / "same.html").symlink_to(out / "other.html")  # a link that stays inside is fine
    assert inside(out, "same", extension=".html") == out / "same.html"


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_write_atomic_never_replaces_what_is_not_a_file(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "out.csv"
    os.mkfifo(target) if kind == "fifo" else target.mkdir()
    with pytest.raises(InputError, match=re.escape(str(target))):
        write_atomic(target, "x")
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_write_atomic_names_the_users_path_when_the_disk_is_full(tmp_path: Path) -> None:
    # A file size limit stands in for a full disk: the write fails midway with an OSError.
    import resource

    limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 16, limit[1]))
    try:
        with pytest.raises(InputError) as caught:
            write_atomic(tmp_path / "big.csv", b"x" * (1 << 20))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limit)
    assert str(tmp_path / "big.csv") in str(caught.value)
    assert ".partial" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_make_folder_names_what_is_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="is a file, not a folder"):
        make_folder(tmp_path / "file")
    with pytest.raises(InputError, match="cannot write"):
        make_folder(tmp_path / "file" / "below")


def test_the_input_size_cap_is_raised_by_an_environment_variable(monkeypatch, tmp_path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(b"employee_id\n" + b"E1\n" * 400_000)  # 1.2 MiB
    monkeypatch.setenv(MAX_INPUT_ENV, "1")
    with pytest.raises(InputError, match=f"larger than the 1 MiB.*{MAX_INPUT_ENV}"):
        input_file(path)
    monkeypatch.setenv(MAX_INPUT_ENV, "2")
    assert input_file(path) == path
    monkeypatch.setenv(MAX_INPUT_ENV, "lots")
    with pytest.raises(InputError, match="not a size in MiB"):
        input_file(path)


def test_an_unpacked_workbook_above_the_cap_is_refused(monkeypatch, tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (3 << 20))
    monkeypatch.setenv(MAX_INPUT_ENV, "2")
    with pytest.raises(InputError, match=r"3\.0 MiB unpacked"):
        read_table_file(path)


def _kpi(*argv: str, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "kpi_toolkit", *argv]
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_two_runs_writing_the_same_files_at_once_each_write_them_whole(tmp_path: Path) -> None:
    assert (
        subprocess.run(
            [sys.executable, "-m", "kpi_toolkit", "sample", "--out", str(tmp_path / "s")],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    score = ["score", "--scheme", "after_sales_team", "--data-dir", "s", "--period", "2025-Q1"]
    forms = ["forms", "--scheme", "after_sales_team", "--roster", "s/roster.csv"]
    forms += ["--period", "2025-Q1", "--out-dir", "forms"]
    runs = [_kpi(*score, "--out", "same.csv", cwd=tmp_path) for _ in range(2)]
    runs += [_kpi(*score, "--out", "same.xlsx", cwd=tmp_path) for _ in range(2)]
    runs += [_kpi(*forms, cwd=tmp_path) for _ in range(2)]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err.decode()
    import pandas as pd
    from openpyxl import load_workbook

    alone = _kpi(*score, "--out", "alone.csv", cwd=tmp_path)
    alone.communicate(timeout=300)
    assert (tmp_path / "same.csv").read_bytes() == (tmp_path / "alone.csv").read_bytes()
    assert len(pd.read_excel(tmp_path / "same.xlsx")) == len(pd.read_csv(tmp_path / "same.csv"))
    forms_written = sorted((tmp_path / "forms").iterdir())
    assert forms_written and all(p.suffix == ".xlsx" for p in forms_written)  # no .partial
    for path in forms_written:
        load_workbook(path, read_only=True).close()  # each one whole
