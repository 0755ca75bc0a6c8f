"""Hostile YAML on every path that reads one (area "SQL and YAML", ids ``yaml-…``): schemes
(``kpi validate``, ``score --scheme FILE``), source mappings (``metrics --source``), metric
sets and calendars a mapping names, bundles (``score --sources``).

Bombs and deep nesting run in a child process under a memory cap: they must be refused fast
and small, with exit 2 and the limit named.
"""

from __future__ import annotations

from collections.abc import Callable

from hostile import Case, Place

BOMB = "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + BOMB
MERGE_BOMB = "a: &a {x: 1, y: 2}\n" + "".join(
    f"{b}: &{b} {{<<: [{', '.join([f'*{a}'] * 9)}]}}\n"
    for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP = "[" * 10_000 + "]" * 10_000 + "\n"
DEEP_MAPPING = "{a: " * 5_000 + "1" + "}" * 5_000 + "\n"
SCHEME = "{params}/schemes/after_sales_team.yaml"
TICKETS = "{sample}/records/tickets.csv"


def _file(name: str, text: str | bytes) -> Callable[[Place], None]:
    def setup(place: Place) -> None:
        place.write(name, text)

    return setup


def _source(old: str, new: str, *extra: tuple[str, str | bytes]) -> Callable[[Place], None]:
    """The sample ticket mapping with ``old`` replaced by ``new`` as ``m.yaml`` (``{w}``: the
    case's folder), and ``extra`` files (name, text)."""

    def setup(place: Place) -> None:
        text = (place.params / "sources" / "sample_tickets.yaml").read_text(encoding="utf-8")
        text = text.replace("file: ../../sample/records/tickets.csv\n", "")
        assert old in text, old
        place.write("m.yaml", text.replace(old, new.replace("{w}", str(place.w))))
        for name, content in extra:
            place.write(name, content)

    return setup


def _scheme(old: str, new: str) -> Callable[[Place], None]:
    def setup(place: Place) -> None:
        text = (place.params / "schemes" / "after_sales_team.yaml").read_text(encoding="utf-8")
        assert old in text, old
        place.write("s.yaml", text.replace(old, new, 1))

    return setup


def _bundle(text: str) -> Callable[[Place], None]:
    return _file("bundle.yaml", text)


VALIDATE = ["validate", "{w}/s.yaml"]
METRICS = ["metrics", "--source", "{w}/m.yaml", "--data", TICKETS, "--period-grain", "month"]
SCORE_SOURCES = ["score", "--scheme", "after_sales_team", "--sources", "{w}/bundle.yaml",
                 "--records-dir", "{sample}/records", "--roster", "{sample}/roster.csv",
                 "--period", "2026-Q1"]  # fmt: skip
SCORE_SCHEME = ["score", "--scheme", "{w}/s.yaml", "--data-dir", "{sample}", "--period", "2026-Q1"]


def _bounded(id: str, argv: list[str], setup: Callable[[Place], None], *needles: str) -> Case:
    """A case that could hang or eat memory: a child process under the table's memory cap
    (the bombs of the issue took 1.6 GB and more than 60 s) and 60 s at most."""
    return Case(id=id, argv=argv, setup=setup, needles=needles, isolated=True, timeout=60)


def _no_secret(secret: str) -> Callable[[Place, str], None]:
    def check(place: Place, output: str) -> None:
        assert secret not in output, output

    return check


def _names_where_looked(relative: str) -> Callable[[Place, str], None]:
    def check(place: Place, output: str) -> None:
        assert str(place.w / relative) in output, output

    return check


CASES = [
    # --- alias bombs: refused while composing, before anything is expanded ---------------------
    _bounded("yaml-bomb-validate", VALIDATE, _file("s.yaml", BOMB), "aliases", "100000 nodes"),
    _bounded("yaml-bomb-score-scheme", SCORE_SCHEME, _file("s.yaml", BOMB), "aliases"),
    _bounded("yaml-bomb-metrics-source", METRICS, _file("m.yaml", BOMB), "aliases"),
    _bounded("yaml-bomb-score-sources", SCORE_SOURCES, _bundle(BOMB), "aliases"),
    _bounded(
        "yaml-bomb-metric-set",
        METRICS,
        _source("metrics: after_sales_team", "metrics: {w}/metrics.yaml", ("metrics.yaml", BOMB)),
        "metrics.yaml",
        "aliases",
    ),
    _bounded(
        "yaml-bomb-calendar",
        METRICS,
        _source("calendar: cn_office", "calendar: {w}/cal.yaml", ("cal.yaml", BOMB)),
        "cal.yaml",
        "aliases",
    ),
    _bounded("yaml-merge-key-bomb", VALIDATE, _file("s.yaml", MERGE_BOMB), "s.yaml"),
    _bounded(
        "yaml-many-aliases",
        VALIDATE,
        _file("s.yaml", "a: &a x\nb: [" + ", ".join(["*a"] * 500) + "]\n"),
        "too many aliases",
    ),
    # --- nesting: exit 2 naming the depth, never a RecursionError ------------------------------
    _bounded("yaml-deep-brackets-validate", VALIDATE, _file("s.yaml", DEEP), "nested too deep"),
    _bounded(
        "yaml-deep-mapping-metrics-source",
        METRICS,
        _file("m.yaml", DEEP_MAPPING),
        "nested too deep",
    ),
    _bounded(
        "yaml-deep-brackets-bundle", SCORE_SOURCES, _bundle("sources: " + DEEP), "nested too deep"
    ),
    # --- duplicate keys: refused, naming both lines --------------------------------------------
    Case(
        id="yaml-duplicate-missing-key",
        argv=VALIDATE,
        setup=_scheme(
            "id: after_sales_team\n", "id: after_sales_team\nmissing: error\nmissing: zero\n"
        ),
        needles=["duplicate key", "missing (line 24)", "also on line 23"],
    ),
    Case(
        id="yaml-duplicate-timezone-in-source",
        argv=METRICS,
        setup=_source("timezone: Asia/Shanghai\n", "timezone: Asia/Shanghai\ntimezone: UTC\n"),
        needles=["duplicate key", "timezone"],
    ),
    # --- size, encoding, tags -----------------------------------------------------------------
    Case(
        id="yaml-huge-scheme",
        argv=VALIDATE,
        setup=_file("s.yaml", "# " + "x" * 2_000_000 + "\n"),
        needles=["file too large", "at most 1048576 bytes"],
    ),
    Case(
        id="yaml-huge-source",
        argv=METRICS,
        setup=_file("m.yaml", "a: " + "x" * 2_000_000 + "\n"),
        needles=["file too large"],
    ),
    Case(
        id="yaml-latin1-scheme",
        argv=VALIDATE,
        setup=_file("s.yaml", "name: caf\xe9\n".encode("latin-1")),
        needles=["utf-8", "s.yaml"],
    ),
    Case(
        id="yaml-gbk-source",
        argv=METRICS,
        setup=_file("m.yaml", "name: 工单\n".encode("gbk")),
        needles=["utf-8", "m.yaml"],
    ),
    Case(
        id="yaml-nul-character",
        argv=VALIDATE,
        setup=_file("s.yaml", "id: a\x00b\n"),
        needles=["YAML syntax error"],
    ),
    Case(
        id="yaml-python-object-tag",
        argv=VALIDATE,
        setup=_file("s.yaml", "id: !!python/object/apply:os.system ['touch {w}/pwned']\n"),
        needles=["tag not allowed", "!!python/object/apply:os.system"],
        absent=["{w}/pwned"],
    ),
    Case(
        id="yaml-custom-tag-in-source",
        argv=METRICS,
        setup=_source("name: sample_tickets", "name: !custom sample_tickets"),
        needles=["tag not allowed", "!custom"],
    ),
    Case(
        id="yaml-complex-key",
        argv=VALIDATE,
        setup=_file("s.yaml", "? [a, b]\n: 1\n"),
        needles=["a key must be plain text"],
    ),
    Case(
        id="yaml-alias-cycle",
        argv=VALIDATE,
        setup=_file("s.yaml", "a: &a [1, *a]\n"),
        needles=["cycle"],
    ),
    # --- the wrong shape: a list, a scalar, nothing, where a mapping is expected --------------
    Case(
        id="yaml-list-as-scheme",
        argv=VALIDATE,
        setup=_file("s.yaml", "- a\n- b\n"),
        needles=["not a Scheme YAML file", "a list of 2 item(s)"],
    ),
    Case(
        id="yaml-scalar-as-source",
        argv=METRICS,
        setup=_file("m.yaml", "just text\n"),
        needles=["not a SourceSpec YAML file", "single str value"],
    ),
    Case(
        id="yaml-empty-bundle",
        argv=SCORE_SOURCES,
        setup=_bundle(""),
        needles=["not a Bundle YAML file", "an empty file"],
    ),
    Case(
        id="yaml-fields-not-a-mapping",
        argv=METRICS,
        setup=_source("fields:\n", "fields: 5\nx_fields:\n"),
        needles=["fields"],
    ),
    Case(
        id="yaml-weight-as-text",
        argv=VALIDATE,
        setup=_scheme("weight: ", "weight: heavy #"),
        needles=["weight"],
    ),
    # --- a file named where a calendar is expected: named, its content never echoed -----------
    Case(
        id="yaml-calendar-etc-passwd",
        argv=METRICS,
        setup=_source("calendar: cn_office", "calendar: /etc/passwd"),
        needles=["/etc/passwd", "not a CalendarSpec YAML file"],
        check=_no_secret("root:"),
    ),
    Case(
        id="yaml-calendar-secret-csv",
        argv=METRICS,
        setup=_source(
            "calendar: cn_office",
            "calendar: {w}/keys.csv",
            ("keys.csv", "user,password\nadmin,hunter2-secret\n"),
        ),
        needles=["keys.csv", "not a CalendarSpec YAML file"],
        check=_no_secret("hunter2"),
    ),
    Case(
        id="yaml-metric-set-not-found-names-the-path",
        argv=METRICS,
        setup=_source("metrics: after_sales_team", "metrics: sub/metrics.yaml"),
        needles=["file not found"],
        check=_names_where_looked("sub/metrics.yaml"),
    ),
]
