"""Fuzzing the YAML and period parsers through the CLI: exit 0 or 2, never a traceback.

Random YAML (mappings and scalars, aliases, deep nesting, raw text) is read as a scheme
(``kpi validate``) and as a source mapping (``kpi metrics``); random text is given as a period
(``kpi score --period``). Each example runs under an alarm, so a hang fails the test instead of
stalling it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hostile import bounded
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_toolkit.cli import main

SECONDS = 20  # far beyond what one example takes; a hang is what it stops
KEYS = st.sampled_from(
    [
        "id",
        "name",
        "table",
        "fields",
        "metrics",
        "positions",
        "weight",
        "missing",
        "timezone",
        "calendar",
        "kind",
        "<<",
        "a",
        "键",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(KEYS, st.text(max_size=8)), inner, max_size=4),
    ),
    max_leaves=20,
)


def _dumped(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True)


def _aliased(value: str, copies: int, levels: int) -> str:
    lines = [f"a0: &a0 {value}"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * copies)}]")
    return "\n".join(lines) + "\n"


TEXTS = st.one_of(
    DATA.map(_dumped),
    st.text(max_size=200),
    st.builds(
        _aliased,
        st.sampled_from(["x", "[1, 2]", "{k: v}", "&b y"]),
        st.integers(1, 12),
        st.integers(0, 8),
    ),
    st.integers(0, 3000).map(lambda n: "[" * n + "]" * n),
    st.integers(0, 3000).map(lambda n: "{a: " * n + "1" + "}" * n),
    st.builds(
        lambda key, a, b: f"{key}: {a}\n{key}: {b}\n",
        KEYS,
        st.text(max_size=5),
        st.text(max_size=5),
    ),
    st.sampled_from(
        [
            "!!python/object/apply:os.system ['true']",
            "a: !custom 1",
            "? [a]\n: 1",
            "a: &a [*a]",
            "\x00",
            "%YAML 9.9\n---\na: 1",
            "--- a\n--- b\n",
        ]
    ),
)


def _exit_code(argv: list[str], capsys: pytest.CaptureFixture[str]) -> int:
    with bounded(SECONDS, "an example"):
        code = main(argv)
    captured = capsys.readouterr()
    output = captured.err + captured.out
    assert "Traceback" not in output and "internal error" not in output, output[-2000:]
    return code


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz_sample")
    assert main(["sample", "--out", str(folder)]) == 0
    return folder


CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@settings(max_examples=60, deadline=None, suppress_health_check=CHECKS)
@given(text=TEXTS)
def test_any_yaml_as_a_scheme(text: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / "scheme.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    assert _exit_code(["validate", str(path)], capsys) in (0, 2)


@settings(max_examples=60, deadline=None, suppress_health_check=CHECKS)
@given(text=TEXTS)
def test_any_yaml_as_a_source_mapping(text: str, tmp_path: Path, sample: Path, capsys) -> None:
    path = tmp_path / "source.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    argv = ["metrics", "--source", str(path), "--data", str(sample / "records" / "tickets.csv"),
            "--period-grain", "month", "--out", str(tmp_path / "a.csv")]  # fmt: skip
    assert _exit_code(argv, capsys) in (0, 2)


@settings(max_examples=30, deadline=None, suppress_health_check=CHECKS)
@given(
    period=st.one_of(
        st.text(max_size=12),
        st.from_regex(r"\A-?\d{1,6}(-(Q-?\d{1,3}|\d{1,3}|W\d\d))?\Z"),
        st.sampled_from(["2026-Q3", "2026-Q0", "2026-Q5", "2026-13", "0000", "9999-12", " 2026"]),
    )
)
def test_any_period_text(period: str, sample: Path, capsys) -> None:
    argv = [
        "score",
        "--scheme",
        "after_sales_team",
        "--data-dir",
        str(sample),
        f"--period={period}",
    ]
    assert _exit_code(argv, capsys) in (0, 2)
