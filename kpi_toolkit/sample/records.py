"""Record-level raw exports of the sample department, from which its actuals follow.

For the supervisors and specialists of a roster
(``kpi_toolkit.sample.make_sample().roster``)
:func:`write_records` writes what the service systems would export for 2025-01-01 … 2026-09-30,
in the shapes real exports have: a ticket-system CSV in GBK with Chinese headers and day-first
times, a survey export (service quality and communication), a complaints register, a report
submission log and a knowledge-sharing log as XLSX, and training exam records. Each export
holds a few planted bad rows (an unknown employee id, an unparseable time, resolved before
created, a repeated id, a system account, an unassigned row), listed in ``planted.csv`` with
the ledger reason they must get. The mappings are ``params/sources/sample_*.yaml``; the
metric set ``params/metrics/after_sales_team.yaml``; the bundle
``params/bundles/sample_department.yaml``.

Each person's records follow a latent ability (plus quarter-to-quarter noise), so the
actuals computed from them are believable and consistent over quarters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..files import make_folder
from ..records.calendar import load_calendar, workdays

__all__ = ["EXPORTS", "Export", "latent_ability", "write_records"]

START, END = pd.Timestamp("2025-01-01"), pd.Timestamp("2026-10-01")  # END exclusive
EXPORTED_AT = pd.Timestamp("2026-10-09 09:00")  # later times are not in the exports yet
STAFF = ("supervisor", "specialist")
UNKNOWN_EMPLOYEE, SYSTEM_ACCOUNT = "E999", "SYS001"
STRUGGLING = {7: -2.6, 19: -2.2}  # roster row → ability, as in kpi_toolkit.sample.department
BAD_TIME = "31/06/2026 10:15"  # 31 June: unparseable in any of the mappings' formats
TYPES = {  # ticket type shares by team
    "维修组": {"维修": 0.75, "故障排查": 0.2, "电话咨询": 0.05},
    "安装组": {"安装": 0.8, "故障排查": 0.1, "电话咨询": 0.1},
    "": {"电话咨询": 0.55, "故障排查": 0.35, "维修": 0.05, "安装": 0.05},
}
# service stage of a ticket, from its type (no draw: the sample's figures stay as they were)
STAGES = {"电话咨询": "售前咨询", "安装": "安装调试", "故障排查": "售后维修", "维修": "售后维修"}
CHANNELS = {"电话": 0.5, "微信": 0.25, "网页": 0.15, "上门": 0.1}
NOTES = ["", "", "", "", "客户要求上门, 已安排", '客户称"无法开机"', "已电话回访"]
OPINIONS = ["", "", "", "师傅很专业", "响应太慢了", '说明书写得不清楚, "按键"位置不对', "满意"]
COURSES = ["产品知识培训", "维修技能培训", "客户沟通技巧", "安全操作规范", "新品安装认证"]
TOPICS = ["常见故障排查手册", "安装注意事项", "投诉处理经验", "新品功能说明", "备件更换流程"]


@dataclass(frozen=True)
class Export:
    """One raw export: file, headers of its key, employee and period time, defects planted.

    ``time_format`` is the strftime format of its times in a CSV (``None``: XLSX date cells);
    ``later`` a time header that must not be earlier than ``time`` (planted the wrong way).
    """

    file: str
    key: str
    employee: str
    time: str
    time_format: str | None
    defects: Mapping[str, int]
    encoding: str = "utf-8"
    sheet: str = "Sheet1"
    later: str | None = None


_COMMON = {"unknown_employee": 2, "unparseable_timestamp": 1, "duplicate_id": 1}
EXPORTS: Mapping[str, Export] = {
    "tickets": Export(
        "tickets.csv",
        "工单号",
        "处理人工号",
        "创建时间",
        "%d/%m/%Y %H:%M",
        {
            "unknown_employee": 3,
            "unparseable_timestamp": 2,
            "resolved_before_created": 2,
            "duplicate_id": 2,
            "system_account": 12,
            "missing_employee": 1,
        },
        encoding="gbk",
        later="解决时间",
    ),
    "surveys": Export(
        "surveys.csv",
        "回访编号",
        "被评价人工号",
        "回访时间",
        "%Y-%m-%d %H:%M",
        _COMMON | {"system_account": 3},
        encoding="utf-8-sig",
    ),
    "complaints": Export(
        "complaints.csv",
        "投诉编号",
        "被投诉人工号",
        "投诉时间",
        "%Y/%m/%d %H:%M",
        _COMMON,
        encoding="utf-8-sig",
    ),
    "reports": Export(
        "reports.xlsx",
        "报告编号",
        "提交人工号",
        "截止时间",
        None,
        _COMMON | {"system_account": 2},
        sheet="报告提交记录",
    ),
    "knowledge_sharing": Export(
        "knowledge_sharing.xlsx",
        "记录编号",
        "工号",
        "日期",
        None,
        _COMMON | {"missing_employee": 1},
        sheet="知识分享",
    ),
    "exams": Export("exams.csv", "考试编号", "工号", "考试日期", "%Y-%m-%d", _COMMON),
}


def latent_ability(roster: pd.DataFrame, *, seed: int = 2026) -> pd.Series:
    """A seeded ability per employee (standard normal), indexed by ``employee_id``.

    As in :func:`kpi_toolkit.sample.make_sample`, the 8th and the 20th person of the
    roster struggle (ability −2.6 and −2.2), so that the grades reach 不合格.
    """
    rng = np.random.default_rng([seed, 1])
    ability = rng.normal(0, 1, len(roster))
    for row, value in STRUGGLING.items():
        if row < len(ability):
            ability[row] = value
    return pd.Series(ability, index=roster["employee_id"].to_numpy())


@dataclass(frozen=True)
class _People:
    """Staff to write records for: day range employed (indices from START) and skill."""

    staff: pd.DataFrame  # employee_id, name, team, position, first, stop (day indices)
    skill: np.ndarray  # people × quarters: ability + quarter noise
    workday: np.ndarray  # per day from START: a working day of the office calendar
    rng: np.random.Generator = field(repr=False)

    @property
    def cumulative(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.workday)])


def write_records(
    directory: str | Path,
    *,
    roster: pd.DataFrame,
    seed: int = 2026,
    ability: pd.Series | None = None,
) -> dict[str, Path]:
    """Write the raw exports of the roster's supervisors and specialists; return the paths.

    Parameters
    ----------
    directory
        Where to write (created if missing).
    roster
        ``employee_id, name, position, team`` (+ optional ``joined``, ``left`` dates).
    seed
        The same seed gives the same files.
    ability
        Latent ability per ``employee_id`` (default :func:`latent_ability`).

    Returns
    -------
    dict
        Export name (``tickets``, ``surveys``, ``complaints``, ``reports``,
        ``knowledge_sharing``, ``exams``) → file, and ``planted`` → ``planted.csv``
        (``export, row, reason``: each planted bad row, ``row`` numbered as in the ledger:
        the line of the CSV file or the row of the sheet, the header being 1).
    """
    out = make_folder(directory)
    people = _people(
        roster, seed, latent_ability(roster, seed=seed) if ability is None else ability
    )
    tickets = _tickets(people)
    frames = {
        "tickets": tickets,
        "surveys": _surveys(people, tickets),
        "complaints": _complaints(people, tickets),
        "reports": _reports(people),
        "knowledge_sharing": _knowledge(people),
        "exams": _exams(people),
    }
    paths, planted = {}, []
    for name, frame in frames.items():
        export = EXPORTS[name]
        written, rows = _plant(people.rng, _formatted(frame, export), export)
        paths[name] = _write(written, out / export.file, export)
        planted.append(rows.assign(export=name)[["export", "row", "reason"]])
    paths["planted"] = out / "planted.csv"
    pd.concat(planted, ignore_index=True).to_csv(paths["planted"], index=False)
    return paths


def _people(roster: pd.DataFrame, seed: int, ability: pd.Series) -> _People:
    rng = np.random.default_rng([seed, 2])
    staff = roster.loc[roster["position"].isin(STAFF)].reset_index(drop=True)
    days = int((END - START).days)
    first, stop = _day(staff, "joined", 0, days), _day(staff, "left", days - 1, days) + 1
    frame = staff[["employee_id", "name", "team", "position"]].assign(first=first, stop=stop)
    base = ability.reindex(staff["employee_id"]).fillna(0).to_numpy()
    skill = base[:, None] + rng.normal(0, 0.25, (len(staff), 7))
    span = np.arange(np.datetime64(START.date()), np.datetime64(END.date()))
    return _People(frame, skill, workdays(span, calendar=load_calendar("cn_office")), rng)


def _day(staff: pd.DataFrame, column: str, default: int, days: int) -> np.ndarray:
    """Day index from START of a date column (blank or absent → ``default``), in the span."""
    if column not in staff:
        return np.full(len(staff), default)
    dates = pd.to_datetime(staff[column].replace("", None))
    index = ((dates - START).dt.days).fillna(default).to_numpy(dtype=int)
    return np.clip(index, 0, days - 1)


def _grid(people: _People) -> pd.DataFrame:
    """Person × month rows employed at all: day range, share of the month, quarter skill."""
    months = pd.date_range(START, END, freq="MS")
    edges = np.asarray((months - START).days)
    person = np.repeat(np.arange(len(people.staff)), len(months) - 1)
    month = np.tile(np.arange(len(months) - 1), len(people.staff))
    first = np.maximum(edges[month], people.staff["first"].to_numpy()[person])
    stop = np.minimum(edges[month + 1], people.staff["stop"].to_numpy()[person])
    share = np.clip(stop - first, 0, None) / (edges[month + 1] - edges[month])
    skill = people.skill[person, month // 3]
    grid = pd.DataFrame(
        {
            "person": person,
            "first": first,
            "stop": stop,
            "share": share,
            "skill": skill,
            "quarter": month // 3,
        }
    )
    return grid.loc[grid["share"] > 0].reset_index(drop=True)


def _expand(grid: pd.DataFrame, counts: np.ndarray) -> pd.DataFrame:
    return grid.loc[np.repeat(grid.index.to_numpy(), counts)].reset_index(drop=True)


def _workday_in(people: _People, first: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """A uniformly drawn working day in ``[first, stop)`` (any day where there is none)."""
    cumulative = people.cumulative
    count = cumulative[stop] - cumulative[first]
    draw = people.rng.random(len(first))
    picked = np.searchsorted(cumulative, cumulative[first] + np.floor(draw * count), "right") - 1
    anyday = first + np.floor(draw * (stop - first)).astype(int)
    return np.where(count > 0, picked, anyday)


def _quarter(day: np.ndarray) -> np.ndarray:
    """Quarter index from 2025-Q1 of a day index."""
    dates = START + pd.to_timedelta(day, "D")
    return np.asarray((dates.year - START.year) * 4 + (dates.month - 1) // 3)


def _stamp(days: np.ndarray, minutes: np.ndarray) -> pd.Series:
    return pd.Series(START + pd.to_timedelta(days, "D") + pd.to_timedelta(minutes, "min"))


def _office_minute(rng: np.random.Generator, n: int) -> np.ndarray:
    """A minute of the day within office hours 09:00–12:00, 13:00–18:00."""
    worked = rng.integers(0, 480, n)
    return np.where(worked < 180, 540 + worked, 600 + worked)


def _chance(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    return rng.random(len(p)) < p


def _choice(rng: np.random.Generator, shares: Mapping[str, float], n: int) -> np.ndarray:
    return rng.choice(list(shares), n, p=list(shares.values()))


def _tickets(people: _People) -> pd.DataFrame:
    rng, grid = people.rng, _grid(people)
    grid["luck"] = rng.normal(0, 1, len(grid))  # this person-month's own luck
    one = _expand(grid, rng.poisson(120 * (1 + 0.12 * grid["skill"]) * grid["share"]))
    n, s, luck = len(one), one["skill"].to_numpy(), one["luck"].to_numpy()
    office = rng.random(n) < 0.92
    day = np.where(
        office,
        _workday_in(people, one["first"].to_numpy(), one["stop"].to_numpy()),
        one["first"] + np.floor(rng.random(n) * (one["stop"] - one["first"])),
    )
    created = _stamp(day, np.where(office, _office_minute(rng, n), rng.integers(0, 1440, n)))
    delay = rng.lognormal(np.log(np.clip(37 - 8 * s, 6, 90)), 0.8).round()
    hours = rng.lognormal(np.log(np.clip(29 - 6 * s, 3, 90)), 0.8)
    resolved_after = np.maximum(hours * 60, delay + 5).round()
    resolved = _chance(rng, np.clip(0.9 + 0.04 * s + 0.01 * luck, 0.5, 0.995))
    rated = _chance(rng, np.where(resolved, 0.6, 0.2))
    pleased = _chance(rng, np.clip(0.86 + 0.05 * s + 0.02 * luck, 0.3, 0.995))
    stars = np.where(pleased, rng.choice([4, 5], n, p=[0.4, 0.6]), rng.choice([1, 2, 3], n))
    staff = people.staff.iloc[one["person"]].reset_index(drop=True)
    types = np.empty(n, dtype=object)
    for team, shares in TYPES.items():
        mine = staff["team"].eq(team).to_numpy() if team else ~staff["team"].isin(TYPES).to_numpy()
        types[mine] = _choice(rng, shares, int(mine.sum()))
    frame = pd.DataFrame(
        {
            "created": created,
            "first_response": created + pd.to_timedelta(delay, "min"),
            "resolved": (created + pd.to_timedelta(resolved_after, "min")).where(resolved),
        }
    )
    frame = frame.where(frame < EXPORTED_AT)
    complaint = _chance(rng, np.clip(0.05 - 0.02 * s + 0.008 * luck, 0.003, 0.2))
    tickets = pd.DataFrame(
        {
            "工号": staff["employee_id"],
            "处理人": staff["name"],
            "所属组": staff["team"],
            "工单类型": types,
            "服务阶段": pd.Series(types).map(STAGES).to_numpy(),
            "受理渠道": _choice(rng, CHANNELS, n),
            "创建时间": frame["created"],
            "首次响应时间": frame["first_response"],
            "解决时间": frame["resolved"],
            "状态": np.where(frame["resolved"].notna(), "已解决", "处理中"),
            "是否无效": np.where(_chance(rng, np.clip(0.012 - 0.006 * s, 0.001, 0.05)), "是", "否"),
            "满意度": np.where(rated & frame["resolved"].notna(), stars.astype(str), "-"),
            "投诉": np.where(complaint, "是", "否"),
            "备注": rng.choice(NOTES, n),
            "_skill": s,
        }
    ).sort_values("创建时间", kind="stable", ignore_index=True)
    serial = pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(6)
    tickets.insert(0, "工单号", tickets["创建时间"].dt.strftime("GD%Y%m%d") + serial)
    return tickets.rename(columns={"工号": "处理人工号"})


def _surveys(people: _People, tickets: pd.DataFrame) -> pd.DataFrame:
    rng = people.rng
    done = tickets.loc[tickets["解决时间"].notna() & _chance(rng, np.full(len(tickets), 0.3))]
    n, s = len(done), done["_skill"].to_numpy()
    answered = done["解决时间"] + pd.to_timedelta(rng.integers(60, 10_080, n), "min")
    good = _chance(rng, np.clip(0.85 + 0.05 * s + rng.normal(0, 0.02, n), 0.3, 0.995))
    quality = np.where(good, rng.choice(["4", "5"], n), rng.choice(["1", "2", "3"], n))
    kind = _chance(rng, np.clip(0.77 + 0.06 * s + rng.normal(0, 0.02, n), 0.3, 0.995))
    said = np.where(kind, "好评", rng.choice(["中评", "差评"], n, p=[0.7, 0.3]))
    frame = pd.DataFrame(
        {
            "工单号": done["工单号"].to_numpy(),
            "被评价人工号": done["处理人工号"].to_numpy(),
            "回访时间": answered.to_numpy(),
            "服务质量评分": np.where(rng.random(n) < 0.03, "", quality),
            "沟通评价": np.where(rng.random(n) < 0.03, "", said),
            "客户意见": rng.choice(OPINIONS, n),
        }
    )
    return _numbered(frame.loc[frame["回访时间"] < END], "回访时间", "回访编号", "HF{:07d}")


def _complaints(people: _People, tickets: pd.DataFrame) -> pd.DataFrame:
    rng = people.rng
    filed = tickets.loc[tickets["投诉"] == "是"]
    n = len(filed)
    received = filed["创建时间"] + pd.to_timedelta(rng.integers(60, 4320, n), "min")
    closed = received + pd.to_timedelta(rng.integers(240, 10_080, n), "min")
    paid = np.where(rng.random(n) < 0.1, rng.integers(5, 80, n) * 10, 0)
    frame = pd.DataFrame(
        {
            "关联工单": filed["工单号"].to_numpy(),
            "被投诉人工号": filed["处理人工号"].to_numpy(),
            "投诉时间": received.to_numpy(),
            "办结时间": closed.where(closed < EXPORTED_AT).to_numpy(),
            "赔偿金额": paid,
            "是否属实": np.where(rng.random(n) < 0.7, "是", "否"),
        }
    )
    return _numbered(frame.loc[frame["投诉时间"] < END], "投诉时间", "投诉编号", "TS{:06d}")


def _numbered(frame: pd.DataFrame, time: str, key: str, pattern: str) -> pd.DataFrame:
    """Rows in time order, numbered in that order in a first column ``key``."""
    ordered = frame.sort_values(time, kind="stable", ignore_index=True)
    ordered.insert(0, key, [pattern.format(i) for i in range(1, len(ordered) + 1)])
    return ordered


def _reports(people: _People) -> pd.DataFrame:
    """Monthly reports of everyone (due the 5th, 18:00), weekly ones of the supervisors
    (due Monday 10:00)."""
    rng, dates = people.rng, pd.date_range(START, END, inclusive="left")
    weekly, monthly = np.flatnonzero(dates.day_of_week == 0), np.flatnonzero(dates.day == 5)[1:]
    sizes = [len(weekly), len(monthly)]
    due = pd.DataFrame(
        {
            "day": np.concatenate([weekly, monthly]),
            "minute": np.repeat([600, 1080], sizes),
            "kind": np.repeat(["周报", "月报"], sizes),
        }
    )
    both = people.staff.reset_index(names="person").merge(due, how="cross")
    keep = both["day"].between(both["first"] + 1, both["stop"] - 1) & (
        both["kind"].eq("月报") | both["position"].eq("supervisor")
    )
    both = both.loc[keep].sort_values(["day", "minute", "person"], ignore_index=True)
    n, s = len(both), people.skill[both["person"], _quarter(both["day"].to_numpy())]
    due_at = _stamp(both["day"].to_numpy(), both["minute"].to_numpy())
    early = pd.to_timedelta(-rng.integers(10, 3600, n), "min")
    late = pd.to_timedelta(rng.integers(60, 4320, n), "min")
    submitted = due_at + np.where(_chance(rng, np.clip(0.93 + 0.04 * s, 0.5, 0.995)), early, late)
    return pd.DataFrame(
        {
            "报告编号": [f"BG{i:06d}" for i in range(1, n + 1)],
            "提交人工号": both["employee_id"],
            "报告类型": both["kind"],
            "截止时间": due_at,
            "提交时间": submitted.where(rng.random(n) > 0.02),
        }
    )


def _events(people: _People, per_month: Callable[[np.ndarray], np.ndarray]) -> pd.DataFrame:
    grid = _grid(people)
    one = _expand(grid, people.rng.poisson(per_month(grid["skill"].to_numpy()) * grid["share"]))
    day = _workday_in(people, one["first"].to_numpy(), one["stop"].to_numpy())
    staff = people.staff.iloc[one["person"]].reset_index(drop=True)
    return staff.assign(day=day, skill=one["skill"]).sort_values("day", ignore_index=True)


def _knowledge(people: _People) -> pd.DataFrame:
    one = _events(people, lambda s: np.clip(1 + 0.5 * s, 0.07, None))
    n, rng = len(one), people.rng
    return pd.DataFrame(
        {
            "记录编号": [f"ZS{i:05d}" for i in range(1, n + 1)],
            "工号": one["employee_id"],
            "姓名": one["name"],
            "日期": _stamp(one["day"].to_numpy(), np.zeros(n)),
            "类型": rng.choice(["分享会", "知识库更新"], n, p=[0.3, 0.7]),
            "标题": rng.choice(TOPICS, n),
        }
    )


def _exams(people: _People) -> pd.DataFrame:
    one = _events(people, lambda s: np.clip(0.8 + 0.3 * s, 0.07, None))
    n, rng = len(one), people.rng
    score = np.clip(rng.normal(80 + 7 * one["skill"], 9), 0, 100).round().astype(int)
    new = (one["day"] - one["first"] < 90) & (one["first"] > 0)
    return pd.DataFrame(
        {
            "考试编号": [f"KS{i:05d}" for i in range(1, n + 1)],
            "工号": one["employee_id"],
            "姓名": one["name"],
            "培训课程": rng.choice(COURSES, n),
            "考试日期": _stamp(one["day"].to_numpy(), np.zeros(n)),
            "成绩": score,
            "及格分": rng.choice([60, 80], n, p=[0.8, 0.2]),
            "新员工": np.where(new, "是", "否"),
        }
    )


def _formatted(frame: pd.DataFrame, export: Export) -> pd.DataFrame:
    """Times as the export writes them: text in its format (CSV) or date cells (XLSX)."""
    frame = frame.drop(columns=[c for c in frame if str(c).startswith("_")])
    if export.time_format is None:
        return frame.astype({c: object for c in frame.select_dtypes("datetime")})
    times = {
        str(c): frame[c].dt.strftime(export.time_format).fillna("")
        for c in frame.select_dtypes("datetime")
    }
    return frame.assign(**times).astype(object)


def _earlier(row: pd.Series, export: Export) -> object:
    created = pd.to_datetime(row[export.time], format=export.time_format)
    earlier = created - pd.Timedelta(hours=2)
    return earlier.strftime(export.time_format) if export.time_format else earlier


DEFECTS: Mapping[str, Callable[[pd.Series, Export], Mapping[str, object]]] = {
    "unknown_employee": lambda row, e: {e.employee: UNKNOWN_EMPLOYEE},
    "system_account": lambda row, e: {e.employee: SYSTEM_ACCOUNT},
    "missing_employee": lambda row, e: {e.employee: ""},
    "unparseable_timestamp": lambda row, e: {e.time: BAD_TIME},
    "resolved_before_created": lambda row, e: {e.later or "": _earlier(row, e)},
    "duplicate_id": lambda row, e: {},
}


def _plant(
    rng: np.random.Generator, frame: pd.DataFrame, export: Export
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Insert the export's defective rows (copies of clean rows, changed), each after its
    original; return the file's rows and ``row, reason`` of each planted one."""
    reasons = [reason for reason, count in export.defects.items() for _ in range(count)]
    usable = frame.index[frame[export.later].ne("")] if export.later else frame.index
    originals = rng.choice(usable, len(reasons), replace=False)
    planted = []
    for k, (reason, original) in enumerate(zip(reasons, originals, strict=True)):
        row = frame.loc[original].copy()
        if reason != "duplicate_id":
            row[export.key] = f"{row[export.key]}R{k + 1}"
        planted.append(_changed(row, reason, export))
    order = np.concatenate(
        [np.arange(len(frame)), rng.integers(originals + 1, len(frame) + 1) - 0.5]
    )
    rows = pd.concat([frame, pd.DataFrame(planted)], ignore_index=True)
    position = pd.Series(order).rank(method="first").to_numpy(dtype=int)
    placed = rows.set_axis(position).sort_index()
    # numbered as the ledger names rows: the line (CSV) or sheet row, the header being 1
    listed = pd.DataFrame({"row": position[len(frame) :] + 1, "reason": reasons})
    return placed.reset_index(drop=True), listed.sort_values("row", ignore_index=True)


def _changed(row: pd.Series, reason: str, export: Export) -> pd.Series:
    for column, value in DEFECTS[reason](row, export).items():
        row[column] = value
    return row


def _write(frame: pd.DataFrame, path: Path, export: Export) -> Path:
    if path.suffix == ".xlsx":
        frame.to_excel(path, sheet_name=export.sheet, index=False)
    else:
        frame.to_csv(path, index=False, encoding=export.encoding)
    return path
