"""One exception tree for the toolkit, rooted at :class:`KpiError`.

Input problems are collected first and raised once: a :class:`InputError` carries every
:class:`Problem` found, each naming where it is (file, row or key path), the bad value and
what is allowed. The CLI prints them and exits with code 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "DataError",
    "InputError",
    "KpiError",
    "Problem",
    "SchemeError",
    "did_you_mean",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input.

    Parameters
    ----------
    where
        Where it is: a key path (``positions.manager.kpis[2].rule.bands``), a row
        (``row 7``), an employee or a column.
    message
        What is wrong, in a sentence.
    value
        The bad value as found (``None`` when there is none to show).
    allowed
        What would be accepted instead.
    file
        The file it came from, when there is one.
    """

    where: str
    message: str
    value: object = None
    allowed: str | None = None
    file: str | None = None

    def __str__(self) -> str:
        place = f"{self.file}: {self.where}" if self.file else self.where
        text = f"{place}: {self.message}"
        if self.value is not None:
            text += f" (found {self.value!r})"
        if self.allowed:
            text += f"; allowed: {self.allowed}"
        return text


class KpiError(Exception):
    """Root of every error the toolkit raises on purpose."""


class InputError(KpiError):
    """Bad input from the user: one or more :class:`Problem` at once (CLI exit code 2)."""

    def __init__(self, problems: Iterable[Problem] | Problem, *, title: str | None = None):
        self.problems: tuple[Problem, ...] = (
            (problems,) if isinstance(problems, Problem) else tuple(problems)
        )
        self.title = title
        super().__init__(self.render())

    def render(self) -> str:
        lines = [self.title] if self.title else []
        if len(self.problems) > 1 or self.title:
            lines += [f"  - {p}" for p in self.problems]
        else:
            lines += [str(p) for p in self.problems]
        return "\n".join(lines)


class SchemeError(InputError):
    """An appraisal scheme file that is not valid."""


class DataError(InputError):
    """A data file (actuals, roster, ratings, raw export) that cannot be used as given."""


def raise_if(
    problems: list[Problem], *, kind: type[InputError] = InputError, title: str | None = None
) -> None:
    """Raise ``kind`` with every collected problem, if there is any."""
    if problems:
        raise kind(problems, title=title)


def did_you_mean(word: object, choices: Iterable[object]) -> str:
    """``"; did you mean 'weight'?"`` when a choice is close to ``word``, else ``""``.

    Examples
    --------
    >>> did_you_mean("wieght", ["weight", "kind"])
    "; did you mean 'weight'?"
    """
    import difflib  # only where a name is wrong: not at every start of the kpi command

    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
