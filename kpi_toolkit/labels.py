"""The one table of user-facing words: Chinese by default, English available.

Every word a page, a workbook, the explorer or a console summary shows comes from
:data:`LABELS`, through :func:`label` (a key), :func:`name_of` (an internal id of a kind:
rater group, reason, canonical table, grain, input, report parameter) or
:func:`position_name` (a position, also one the scheme does not define). No internal id
reaches a Chinese page.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import PurePath
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

    from .engine.scheme import Scheme

__all__ = [
    "LABELS",
    "Kind",
    "Lang",
    "label",
    "ledger_table",
    "name_of",
    "position_name",
    "position_names",
]

Lang = Literal["zh", "en"]
Kind = Literal["rater_group", "reason", "table", "grain", "input", "param"]

LABELS: dict[str, dict[str, str]] = {
    # columns and headings
    "employee_id": {"zh": "工号", "en": "Employee ID"},
    "name": {"zh": "姓名", "en": "Name"},
    "position": {"zh": "岗位", "en": "Position"},
    "team": {"zh": "团队", "en": "Team"},
    "period": {"zh": "考核周期", "en": "Period"},
    "year": {"zh": "年度", "en": "Year"},
    "total": {"zh": "总分", "en": "Total"},
    "grade": {"zh": "等级", "en": "Grade"},
    "consequence": {"zh": "奖惩", "en": "Consequence"},
    "rank": {"zh": "岗位排名", "en": "Rank in position"},
    "department_rank": {"zh": "部门排名", "en": "Rank in department"},
    "quarters": {"zh": "季度数", "en": "Quarters"},
    "periods": {"zh": "考核次数", "en": "Periods"},
    "headcount": {"zh": "人数", "en": "Headcount"},
    "mean_total": {"zh": "平均分", "en": "Mean total"},
    "bonus": {"zh": "绩效奖金(元)", "en": "Bonus (yuan)"},
    "flags": {"zh": "备注", "en": "Notes"},
    "reason": {"zh": "原因", "en": "Reason"},
    "team_rank": {"zh": "排名", "en": "Rank"},
    "team_ranking": {"zh": "团队排名(组织考核)", "en": "Team ranking (organisational appraisal)"},
    "not_appraised": {"zh": "未参加考核", "en": "Not appraised"},
    "cli.not_computed": {"zh": "未计算 {metric}:{why}", "en": "not computed: {metric}: {why}"},
    "cli.old_records_dir": {
        "zh": "提示:与 --sources、--roster 同用且未给 --records-dir 时,--data-dir {folder} "
        "按原始导出文件夹(--records-dir)读取;今后请写 --records-dir。",
        "en": "note: with --sources and --roster and no --records-dir, --data-dir {folder} "
        "is read as the raw exports' folder (--records-dir); say --records-dir from now on.",
    },
    "points": {"zh": "得分", "en": "Points"},
    "weight": {"zh": "权重", "en": "Weight"},
    "target": {"zh": "目标值", "en": "Target"},
    "actual": {"zh": "实际值", "en": "Actual"},
    # reports
    "kpi": {"zh": "指标", "en": "KPI"},
    "report.title": {
        "zh": "售后服务部绩效考核报告",
        "en": "After-sales department appraisal report",
    },
    "report.scorecard_title": {"zh": "个人绩效考核结果", "en": "Personal appraisal result"},
    "report.annual_title": {"zh": "年度绩效考核结果", "en": "Annual appraisal result"},
    "report.summary": {"zh": "考核概况", "en": "Summary"},
    "report.appraised": {"zh": "参加考核人数", "en": "Appraised"},
    "report.excluded": {"zh": "未参加考核人数", "en": "Not appraised"},
    "report.grade_distribution": {"zh": "等级分布", "en": "Grade distribution"},
    "report.share": {"zh": "占比", "en": "Share"},
    "report.forced": {"zh": "强制分布要求", "en": "Forced distribution"},
    "report.forced_ok": {"zh": "是否符合", "en": "Holds"},
    "report.kpis": {"zh": "各指标完成情况", "en": "KPI attainment"},
    "report.mean_actual": {"zh": "平均实际值", "en": "Mean actual"},
    "report.mean_points": {"zh": "平均得分", "en": "Mean points"},
    "report.attainment": {"zh": "得分率", "en": "Attainment"},
    "report.points_distribution": {
        "zh": "得分分布(得分 ÷ 权重)",
        "en": "Distribution of points (points ÷ weight)",
    },
    "report.full_marks": {"zh": "满分人数占比", "en": "Full marks"},
    "report.ranking": {"zh": "考核排名", "en": "Ranking"},
    "report.scorecards": {"zh": "个人考核表", "en": "Scorecards"},
    "report.category": {"zh": "考核项目", "en": "Category"},
    "report.subtotal": {"zh": "小计", "en": "Subtotal"},
    "report.rule": {"zh": "评分标准", "en": "Scoring rule"},
    "report.360": {"zh": "360 度评价明细", "en": "360 ratings by rater group"},
    "report.360.kpi_id": {"zh": "指标", "en": "KPI"},
    "report.360.rater_group": {"zh": "评价组", "en": "Rater group"},
    "report.360.raters": {"zh": "评价人数", "en": "Raters"},
    "report.360.mean": {"zh": "平均评分", "en": "Mean rating"},
    "report.360.weight": {"zh": "方案权重", "en": "Scheme weight"},
    "report.360.used_weight": {"zh": "实际权重", "en": "Weight used"},
    "report.sensitivity": {"zh": "权重敏感性", "en": "Sensitivity to the weights"},
    "report.sensitivity.explain": {
        "zh": "每个指标权重增减 {delta} 分(同类别其他指标按比例调整)时,等级和排名发生变化的人数。",
        "en": "How many people change grade and rank when a KPI's weight moves by ±{delta} "
        "points (the other KPIs of its category re-spread in proportion).",
    },
    "report.sensitivity.kpi": {"zh": "指标", "en": "KPI"},
    "report.sensitivity.weight": {"zh": "原权重", "en": "Weight"},
    "report.sensitivity.change": {"zh": "调整", "en": "Change"},
    "report.sensitivity.new_weight": {"zh": "新权重", "en": "New weight"},
    "report.sensitivity.grade_changes": {"zh": "等级变化人数", "en": "Grade changes"},
    "report.sensitivity.grade_up": {"zh": "升级", "en": "Up"},
    "report.sensitivity.grade_down": {"zh": "降级", "en": "Down"},
    "report.sensitivity.rank_changes": {"zh": "排名变化人数", "en": "Rank changes"},
    "report.change": {"zh": "与上期比较", "en": "Change against the previous period"},
    "report.no_previous": {"zh": "无上期数据。", "en": "No data for the previous period."},
    "report.before": {"zh": "上期总分", "en": "Previous total"},
    "report.grade_before": {"zh": "上期等级", "en": "Previous grade"},
    "report.delta": {"zh": "变化", "en": "Change"},
    "report.data_quality": {"zh": "数据质量", "en": "Data quality"},
    "report.rows_scored": {"zh": "计分数据行", "en": "Rows scored"},
    "report.ledger": {"zh": "原始记录使用情况", "en": "Raw record ledger"},
    "report.ledger.source": {"zh": "数据源", "en": "Source"},
    "report.ledger.file": {"zh": "文件", "en": "File"},
    "report.ledger.label": {"zh": "使用情况", "en": "Used or why not"},
    "report.ledger.rows": {"zh": "行数", "en": "Rows"},
    "report.approval": {"zh": "审批", "en": "Approval"},
    "report.prepared_by": {"zh": "编制人员", "en": "Prepared by"},
    "report.reviewed_by": {"zh": "审核人员", "en": "Reviewed by"},
    "report.approved_by": {"zh": "批准人员", "en": "Approved by"},
    "report.date": {"zh": "日期", "en": "Date"},
    "report.generated": {"zh": "生成时间", "en": "generated"},
    "report.department": {"zh": "部门统计", "en": "Department figures"},
    "report.mean": {"zh": "部门平均", "en": "Department mean"},
    "report.q1": {"zh": "下四分位", "en": "Lower quartile"},
    "report.median": {"zh": "中位数", "en": "Median"},
    "report.q3": {"zh": "上四分位", "en": "Upper quartile"},
    "report.yours": {"zh": "本人", "en": "You"},
    "report.year_result": {
        "zh": "年度考核结果(各季度算术平均)",
        "en": "Year result (mean of the quarters)",
    },
    "report.bonus": {"zh": "绩效奖金分配", "en": "Bonus allocation"},
    "report.bonus.facts": {
        "zh": "奖金池 {pool} 元,考核人数 {headcount},人均基数 {base} 元({allocation})",
        "en": "pool {pool} yuan, {headcount} appraised, base per head {base} yuan ({allocation})",
    },
    "report.bonus.base": {"zh": "基数 × 总分 ÷ 100", "en": "base × total ÷ 100"},
    "report.bonus.proportional": {"zh": "按总分比例分配", "en": "in proportion to totals"},
    # 360 in the report and the scorecard (issue 9): completeness, leniency, self vs superior
    "rater_group.others": {"zh": "其他评价人", "en": "other raters"},
    "report.360.merged": {
        "zh": "直接上级以外、评价人不足 2 人的评价组合并为“其他评价人”;合并后仍不足 2 人的,"
        "不显示平均评分。",
        "en": "Rater groups other than the direct superior with fewer than 2 raters are merged "
        "into “other raters”; where those are still fewer than 2, their mean is not shown.",
    },
    "report.completeness": {"zh": "360 度评价完成情况", "en": "Completeness of the 360 ratings"},
    "report.completeness.assigned": {"zh": "应评份数", "en": "Ratings assigned"},
    "report.completeness.returned": {"zh": "已评份数", "en": "Ratings returned"},
    "report.completeness.missing": {"zh": "未评份数", "en": "Ratings not given"},
    "report.completeness.share": {"zh": "完成率", "en": "Share returned"},
    "report.completeness.silent": {
        "zh": "未提交任何评分的评价人",
        "en": "Raters who returned nothing",
    },
    "report.completeness.none_silent": {
        "zh": "每位评价人都提交了评分。",
        "en": "Every rater returned ratings.",
    },
    "report.completeness.gaps": {
        "zh": "未完成的评价(按被评人、指标和评价组)",
        "en": "Ratings not given, per ratee, KPI and rater group",
    },
    "report.completeness.none_missing": {
        "zh": "应评的评分均已提交。",
        "en": "Every assigned rating was returned.",
    },
    "report.completeness.no_lines": {
        "zh": "花名册未填写直接上级,无法核对谁应评价谁及评价完成情况。",
        "en": "The roster gives no direct superiors: who should rate whom, and so the "
        "completeness of the ratings, cannot be checked.",
    },
    "report.completeness.rater_id": {"zh": "评价人工号", "en": "Rater ID"},
    "report.completeness.rater_name": {"zh": "评价人", "en": "Rater"},
    "report.completeness.employee_id": {"zh": "被评人工号", "en": "Ratee ID"},
    "report.completeness.name": {"zh": "被评人", "en": "Ratee"},
    "report.completeness.kpi_id": {"zh": "指标", "en": "KPI"},
    "report.completeness.rater_group": {"zh": "评价关系", "en": "Rater group"},
    "report.calibration": {"zh": "评价人校准", "en": "Rater calibration"},
    "report.leniency": {"zh": "评分宽严度", "en": "Rater leniency"},
    "report.leniency.explain": {
        "zh": "每位评价人给出的平均评分,与其他评价人对同一批被评人(同一指标)的平均评分比较:"
        "差值为正偏宽松,为负偏严格。不含自评;无他人可比的被评人不计入。",
        "en": "The mean each rater gave against the mean the other raters gave the same "
        "people on the same KPI: a positive difference is lenient, a negative one harsh. "
        "Self ratings are left out, and so are people nobody else rated.",
    },
    "report.leniency.none": {
        "zh": "无可比较的评分(每位被评人至少需要两位评价人)。",
        "en": "Nothing to compare (each person needs at least two raters).",
    },
    "report.leniency.rater_id": {"zh": "评价人工号", "en": "Rater ID"},
    "report.leniency.rater_name": {"zh": "评价人", "en": "Rater"},
    "report.leniency.kpi_id": {"zh": "指标", "en": "KPI"},
    "report.leniency.people": {"zh": "可比被评人数", "en": "People compared"},
    "report.leniency.given": {"zh": "本人给分均值", "en": "Mean given"},
    "report.leniency.others": {"zh": "其他评价人均值", "en": "Others' mean"},
    "report.leniency.difference": {"zh": "差值", "en": "Difference"},
    "report.self_superior": {"zh": "自评与上级评分", "en": "Self against superior"},
    "report.self_superior.none": {
        "zh": "本期未收到自评。",
        "en": "No self appraisal was returned this period.",
    },
    "report.self_superior.employee_id": {"zh": "工号", "en": "Employee ID"},
    "report.self_superior.name": {"zh": "姓名", "en": "Name"},
    "report.self_superior.kpi_id": {"zh": "指标", "en": "KPI"},
    "report.self_superior.self": {"zh": "自评", "en": "Self"},
    "report.self_superior.superior": {"zh": "直接上级评分", "en": "Superior"},
    "report.self_superior.gap": {"zh": "差距(自评 − 上级)", "en": "Gap (self − superior)"},
    # what-if panel
    "whatif.title": {"zh": "权重模拟", "en": "Try other weights"},
    "whatif.explain": {
        "zh": "修改权重,总分、等级和排名随之重新计算(每项得分 = 得分率 × 权重),无需联网。",
        "en": "Change the weights: totals, grades and ranks are recomputed in the page "
        "(each KPI's points = its attainment share × its weight), offline.",
    },
    "whatif.position": {"zh": "岗位", "en": "Position"},
    "whatif.weight_total": {"zh": "权重合计", "en": "Weights add up to"},
    "whatif.not_100": {"zh": "不等于 100", "en": "not 100"},
    "whatif.reset": {"zh": "恢复原权重", "en": "Reset"},
    "whatif.total": {"zh": "总分", "en": "Total"},
    "whatif.grade": {"zh": "等级", "en": "Grade"},
    "whatif.rank": {"zh": "排名", "en": "Rank"},
    "whatif.change": {"zh": "名次变化", "en": "Rank change"},
    # Excel export
    "excel.title": {
        "zh": "{scheme} · {position} · 考核周期 {period}",
        "en": "{scheme} · {position} · period {period}",
    },
    "excel.subtotal": {"zh": "小计", "en": "Subtotal"},
    "excel.rule": {"zh": "计分规则", "en": "Scoring rule"},
    "excel.sheet.team_ranking": {"zh": "团队排名", "en": "Team ranking"},
    "excel.sheet.about": {"zh": "说明", "en": "About"},
    "excel.item": {"zh": "项目", "en": "Item"},
    "excel.value": {"zh": "内容", "en": "Value"},
    "excel.scheme": {"zh": "考核方案", "en": "Scheme"},
    "excel.scheme_id": {"zh": "方案编号", "en": "Scheme ID"},
    "excel.source": {"zh": "依据", "en": "Source"},
    "excel.path": {"zh": "方案文件", "en": "Scheme file"},
    "excel.grade_bands": {"zh": "等级划分(总分)", "en": "Grade bands (total)"},
    "excel.generated": {"zh": "生成时间", "en": "Generated at"},
    "excel.version": {"zh": "工具版本", "en": "Toolkit version"},
    # rating forms out and back (kpi forms, kpi collect; reports/forms.py, reports/collect.py)
    "forms.sheet": {"zh": "评分", "en": "Ratings"},
    "forms.col.ratee_id": {"zh": "被评人编号", "en": "Ratee ID"},
    "forms.col.ratee": {"zh": "被评人", "en": "Ratee"},
    "forms.col.relation": {"zh": "评价关系", "en": "Relation"},
    "forms.col.kpi": {"zh": "指标", "en": "KPI"},
    "forms.col.value": {"zh": "评分", "en": "Rating"},
    "forms.col.help": {"zh": "说明", "en": "Notes"},
    "forms.title": {
        "zh": "{period} 绩效评分表 · 评价人:{rater_id} {rater}",
        "en": "Rating form {period} · rater: {rater_id} {rater}",
    },
    "forms.scheme": {"zh": "考核方案:{scheme}", "en": "Scheme: {scheme}"},
    "forms.how": {"zh": "填写说明", "en": "How to fill in this form"},
    "forms.how.fill": {
        "zh": "1. 请在“评分”列为每一行填写您的评分:有下拉列表的从列表中选择,其余填写“说明”列所示"
        "范围内的数字。",
        "en": "1. Give each row your rating in the Rating column: choose from the list where "
        "there is one, else type a number in the range the Notes column gives.",
    },
    "forms.how.blank": {
        "zh": "2. 留空表示未评分(不按 0 分计算)。",
        "en": "2. A blank cell means not rated (it does not count as 0).",
    },
    "forms.how.keep": {
        "zh": "3. 请勿修改其他单元格、增删行或更改文件名;填好后保存,交回本文件。",
        "en": "3. Do not change other cells, add or delete rows, or rename the file; save it "
        "and hand this file back.",
    },
    "forms.how.kpi": {"zh": "· {kpi}:{allowed}", "en": "· {kpi}: {allowed}"},
    "forms.allowed.labels": {"zh": "从下拉列表中选择:{labels}", "en": "choose one: {labels}"},
    "forms.allowed.range": {
        "zh": "填写 {low} 到 {high} 之间的数字",
        "en": "a number from {low} to {high}",
    },
    "forms.allowed.whole_range": {
        "zh": "填写 {low} 到 {high} 之间的整数",
        "en": "a whole number from {low} to {high}",
    },
    "forms.allowed.at_least": {"zh": "填写不小于 {low} 的数字", "en": "a number ≥ {low}"},
    "forms.allowed.whole_at_least": {
        "zh": "填写不小于 {low} 的整数",
        "en": "a whole number ≥ {low}",
    },
    "forms.allowed.any": {"zh": "填写数字", "en": "a number"},
    "forms.self_score": {"zh": "本人自评:{value}", "en": "self-appraisal: {value}"},
    "forms.self_missing": {"zh": "未提供", "en": "not given"},
    "forms.note_and_self": {"zh": "{note};{own}", "en": "{note}; {own}"},
    "forms.invalid_title": {"zh": "评分无效", "en": "Invalid rating"},
    "forms.written": {
        "zh": "{forms} 份评分表(共 {rows} 行)已写入 {folder}",
        "en": "{forms} rating forms ({rows} rows) written to {folder}",
    },
    "forms.no_self_ratings": {
        "zh": "提示:本方案有本人自评,但未给出 --self-ratings(kpi collect --round self "
        "写出的评分表),上级评分表中的本人自评显示为“未提供”。",
        "en": "note: the scheme has self-appraisals but no --self-ratings was given (the table "
        "kpi collect --round self writes): the superiors' forms show the self-appraisal as "
        "not given.",
    },
    "forms.filled": {
        "zh": "{forms} 份评分表已填写交回(共 {typed} 项评分),{kept} 份未交回:{folder}",
        "en": "{forms} forms filled in and returned ({typed} ratings), {kept} kept back: {folder}",
    },
    "collect.summary": {
        "zh": "已交回 {returned} / {forms} 份评分表;已评 {rated} / {assigned} 项",
        "en": "{returned} of {forms} forms returned; {rated} of {assigned} ratings given",
    },
    "collect.not_returned": {
        "zh": "未交回({count} 份):{raters}",
        "en": "not returned ({count}): {raters}",
    },
    "collect.blank": {
        "zh": "交回但留空({count} 行):{raters}",
        "en": "returned but left blank ({count} rows): {raters}",
    },
    "collect.blank_rows": {"zh": "{rater} {count} 行", "en": "{rater} {count} rows"},
    "collect.by_group": {
        "zh": "未收齐的评价(按被评人和评价关系):",
        "en": "Ratings not all back, per ratee and relation:",
    },
    "collect.by_group_more": {
        "zh": "… 另有 {count} 组未收齐(完整列表见报告的数据质量部分)",
        "en": "… {count} more groups not all back (the report's data quality section lists "
        "them all)",
    },
    "collect.all_back": {
        "zh": "所有评价均已收齐。",
        "en": "Every assigned rating is back.",
    },
    "collect.rated": {"zh": "已评", "en": "Rated"},
    "collect.assigned": {"zh": "应评", "en": "Assigned"},
    "collect.problems": {
        "zh": "交回的评分表有 {count} 处问题(未写出评分):",
        "en": "the returned forms have {count} problem(s) (no ratings written):",
    },
    "collect.no_folder": {"zh": "评分表文件夹不存在", "en": "no such folder of forms"},
    "collect.folder_allowed": {
        "zh": "kpi forms --out-dir 写出评分表的文件夹",
        "en": "the folder kpi forms --out-dir wrote the forms to",
    },
    "collect.too_large": {
        "zh": "文件过大({size} MB):评分表不会超过 {limit} MB",
        "en": "file too large ({size} MB): a rating form is at most {limit} MB",
    },
    "collect.not_workbook": {
        "zh": "不是可读取的 Excel 工作簿(.xlsx)",
        "en": "not a readable Excel workbook (.xlsx)",
    },
    "collect.not_form": {
        "zh": "不是评分表:没有表单标识",
        "en": "not a rating form: it has no form identity",
    },
    "collect.a_form": {
        "zh": "kpi forms 写出、填好后交回的评分表",
        "en": "a rating form written by kpi forms and filled in",
    },
    "collect.identity": {
        "zh": "表单标识中的{item}与本次收集不符",
        "en": "the form's {item} is not this collection's",
    },
    "collect.key.version": {"zh": "版本", "en": "version"},
    "collect.key.kind": {"zh": "表单类型", "en": "kind of form"},
    "collect.key.scheme_id": {"zh": "考核方案", "en": "scheme"},
    "collect.key.scheme_digest": {
        "zh": "考核方案摘要(评分表发出后方案已修改)",
        "en": "scheme digest (the scheme changed after the forms went out)",
    },
    "collect.key.period": {"zh": "考核周期", "en": "period"},
    "collect.key.round": {"zh": "评分轮次", "en": "round"},
    "collect.key.lang": {"zh": "语言", "en": "language"},
    "collect.key.header_row": {"zh": "表头行号", "en": "header row"},
    "collect.key.rows": {"zh": "行数", "en": "row count"},
    "collect.not_assigned": {
        "zh": "评价人 {rater} 在本轮没有评分任务",
        "en": "rater {rater} has nothing to rate in this round",
    },
    "collect.assigned_raters": {
        "zh": "本轮评价人:{raters}",
        "en": "this round's raters: {raters}",
    },
    "collect.renamed": {
        "zh": "文件名是评价人 {named} 的,表单却是评价人 {rater} 的(文件被改名或换了表)",
        "en": "the file name is rater {named}'s but the form is rater {rater}'s (renamed or "
        "swapped)",
    },
    "collect.unnamed": {
        "zh": "文件名不以评价人编号开头(表单是评价人 {rater} 的)",
        "en": "the file name does not start with a rater's id (the form is rater {rater}'s)",
    },
    "collect.file_name": {"zh": "文件名", "en": "file name"},
    "collect.workbook": {"zh": "工作簿", "en": "workbook"},
    "collect.twice": {
        "zh": "评价人 {rater} 交回了不止一份评分表:{files}",
        "en": "rater {rater} returned more than one form: {files}",
    },
    "collect.one_form": {"zh": "每位评价人一份", "en": "one form per rater"},
    "collect.no_longer": {
        "zh": "评分表发出后人员或汇报关系已变化:此行已不是本轮的评分任务",
        "en": "the roster changed after the forms went out: this row is no longer assigned",
    },
    "collect.not_on_form": {
        "zh": "评分表发出后新增的评分任务不在此表中:{ratee} {kpi}({group})",
        "en": "assigned after the forms went out, not on this form: {ratee} {kpi} ({group})",
    },
    "collect.send_again": {
        "zh": "用当前花名册重新发出评分表(kpi forms)",
        "en": "send the forms again from today's roster (kpi forms)",
    },
    "collect.no_sheet": {"zh": "缺少工作表“{sheet}”", "en": "the sheet {sheet!r} is missing"},
    "collect.too_big_sheet": {
        "zh": "工作表尺寸异常({rows} 行 × {columns} 列)",
        "en": "the sheet is absurdly large ({rows} rows × {columns} columns)",
    },
    "collect.sheet_allowed": {
        "zh": "不超过 {rows} 行 × {columns} 列",
        "en": "at most {rows} rows × {columns} columns",
    },
    "collect.header": {"zh": "表头被修改", "en": "the header row was changed"},
    "collect.altered": {"zh": "单元格被修改", "en": "the cell was changed"},
    "collect.removed": {"zh": "此行被删除", "en": "this row was deleted"},
    "collect.added": {
        "zh": "新增的行:评分表不能增加行",
        "en": "an added row: a rating form takes no new rows",
    },
    "collect.blank_cell": {"zh": "(空)", "en": "(blank)"},
    "collect.formula": {
        "zh": "公式不能作为评分(不会被计算)",
        "en": "a formula is not a rating (it is never evaluated)",
    },
    "collect.not_rating": {"zh": "不是有效的评分", "en": "not a valid rating"},
    "collect.row": {
        "zh": "被评人 {ratee},指标 {kpi}",
        "en": "ratee {ratee}, KPI {kpi}",
    },
    # plan forms out and back (issue 10: kpi forms/collect --kind plan; reports/plan_form.py,
    # reports/returned_plan.py, reports/collect.py)
    "plan.sheet": {"zh": "工作目标计划表", "en": "Work plan"},
    "plan.title": {
        "zh": "《工作目标计划表》 {period}",
        "en": "Work objective plan (工作目标计划表) {period}",
    },
    "plan.person": {
        "zh": "被考核人:{employee_id} {name}    岗位:{position}    团队:{team}",
        "en": "Employee: {employee_id} {name}    Position: {position}    Team: {team}",
    },
    "plan.how.fill": {
        "zh": "1. 在“本人目标”列填写本期的个人目标值(比率可写作 95% 或 0.95),须在“评分标准”"
        "所用的取值范围内;“备注”可写明目标的依据,随个人目标一并存档。",
        "en": "1. Write this period's personal target in the Own target column (a ratio as 95% "
        "or 0.95), within the KPI's range; the Note says what the target rests on and is filed "
        "with it.",
    },
    "plan.how.blank": {
        "zh": "2. 留空表示沿用考核方案的默认目标。",
        "en": "2. A blank cell keeps the scheme's default target.",
    },
    "plan.how.na": {
        "zh": "3. 标为“不适用”的指标按固定标准评分,没有个人目标。",
        "en": "3. KPIs marked n/a are scored on fixed edges and take no personal target.",
    },
    "plan.how.approve": {
        "zh": "4. 计划须经直接上级审批:填写了个人目标的,须在签字栏填写直接上级的姓名和审批日期;"
        "本人和人力资源部亦请签字并注明日期(人力资源部存档)。",
        "en": "4. A plan must be approved: where a personal target is written, the direct "
        "superior's name and the date of approval go in the signature block; the employee and "
        "HR (who file the plan) sign and date it too.",
    },
    "plan.how.keep": {
        "zh": "5. 请勿修改其他单元格、增删行或更改文件名;填好后保存,交回本文件。",
        "en": "5. Do not change other cells, add or delete rows, or rename the file; save it "
        "and hand this file back.",
    },
    "plan.col.category": {"zh": "类别", "en": "Category"},
    "plan.col.kpi": {"zh": "指标", "en": "KPI"},
    "plan.col.weight": {"zh": "权重", "en": "Weight"},
    "plan.col.default": {"zh": "默认目标", "en": "Default target"},
    "plan.col.default_value": {"zh": "默认目标值", "en": "Default value"},
    "plan.col.rule": {"zh": "评分标准", "en": "Scoring rule"},
    "plan.col.target": {"zh": "本人目标", "en": "Own target"},
    "plan.col.note": {"zh": "备注", "en": "Note"},
    "plan.not_applicable": {"zh": "不适用", "en": "n/a"},
    "plan.no_default": {"zh": "—", "en": "—"},
    "plan.sign.role": {"zh": "签字栏", "en": "Signatures"},
    "plan.sign.name": {"zh": "姓名", "en": "Name"},
    "plan.sign.date": {"zh": "日期", "en": "Date"},
    "plan.sign.signature": {"zh": "签字", "en": "Signature"},
    "plan.role.self": {"zh": "本人", "en": "Employee"},
    "plan.role.superior": {"zh": "直接上级", "en": "Direct superior"},
    "plan.role.hr": {"zh": "人力资源部", "en": "HR department"},
    "plan.date": {"zh": "填写日期,如 2026-07-05", "en": "a date, e.g. 2026-07-05"},
    "plan.invalid_date": {"zh": "日期无效", "en": "Invalid date"},
    "plan.written": {
        "zh": "{forms} 份工作目标计划表(共 {rows} 项指标,其中 {open} 项可设个人目标)"
        "已写入 {folder}",
        "en": "{forms} work plans ({rows} KPIs, {open} of them open to a personal target) "
        "written to {folder}",
    },
    "plan.none": {
        "zh": "本期没有参加考核的人员,未写出计划表",
        "en": "nobody is appraised in this period: no plan written",
    },
    "plan.no_folder": {"zh": "计划表文件夹不存在", "en": "no such folder of plans"},
    "plan.folder_allowed": {
        "zh": "kpi forms --kind plan --out-dir 写出计划表的文件夹",
        "en": "the folder kpi forms --kind plan --out-dir wrote the plans to",
    },
    "plan.too_large": {
        "zh": "文件过大({size} MB):计划表不会超过 {limit} MB",
        "en": "file too large ({size} MB): a plan is at most {limit} MB",
    },
    "plan.not_form": {
        "zh": "不是工作目标计划表:没有表单标识",
        "en": "not a work plan: it has no form identity",
    },
    "plan.a_form": {
        "zh": "kpi forms --kind plan 写出、填好后交回的工作目标计划表",
        "en": "a work plan written by kpi forms --kind plan and filled in",
    },
    "plan.renamed": {
        "zh": "文件名是 {named} 的,计划表却是 {rater} 的(文件被改名或换了表)",
        "en": "the file name is {named}'s but the plan is {rater}'s (renamed or swapped)",
    },
    "plan.unnamed": {
        "zh": "文件名不以员工编号开头(计划表是 {rater} 的)",
        "en": "the file name does not start with an employee id (the plan is {rater}'s)",
    },
    "plan.added": {
        "zh": "新增的内容:计划表不能增加行",
        "en": "something added: a plan takes no new rows",
    },
    "plan.not_appraised": {
        "zh": "{employee} 本期不参加考核(或不在花名册中)",
        "en": "{employee} is not appraised in this period (or not in the roster)",
    },
    "plan.appraised": {"zh": "本期考核人员:{people}", "en": "appraised this period: {people}"},
    "plan.twice": {
        "zh": "{rater} 交回了不止一份计划表:{files}",
        "en": "{rater} returned more than one plan: {files}",
    },
    "plan.one_form": {"zh": "每人一份", "en": "one plan per person"},
    "plan.no_longer": {
        "zh": "计划表发出后岗位或考核方案已变化:此指标已不在本人岗位中",
        "en": "the position or scheme changed after the plans went out: this KPI is no longer "
        "the person's",
    },
    "plan.not_on_form": {
        "zh": "计划表发出后新增的指标不在此表中:{kpi}",
        "en": "a KPI added after the plans went out is not on this plan: {kpi}",
    },
    "plan.send_again": {
        "zh": "用当前花名册和方案重新发出计划表(kpi forms --kind plan)",
        "en": "send the plans again from today's roster and scheme (kpi forms --kind plan)",
    },
    "plan.no_target": {
        "zh": "此指标的评分标准不使用目标值,不能填写个人目标",
        "en": "this KPI's rule does not use a target: no personal target can be set",
    },
    "plan.not_target": {"zh": "不是有效的目标值", "en": "not a valid target"},
    "plan.formula": {
        "zh": "公式不能作为填写内容(不会被计算)",
        "en": "a formula is not a value (it is never evaluated)",
    },
    "plan.row": {"zh": "员工 {employee},指标 {kpi}", "en": "employee {employee}, KPI {kpi}"},
    "plan.unapproved": {
        "zh": "填写了个人目标,但直接上级的{missing}未填写:计划须经直接上级审批",
        "en": "personal targets are written but the direct superior's {missing} is blank: a "
        "plan must be approved",
    },
    "plan.approval_allowed": {
        "zh": "直接上级的姓名和审批日期",
        "en": "the direct superior's name and the date of approval",
    },
    "plan.not_date": {"zh": "不是有效的日期", "en": "not a valid date"},
    "plan.problems": {
        "zh": "交回的计划表有 {count} 处问题(未写出计划):",
        "en": "the returned plans have {count} problem(s) (no plans written):",
    },
    "plan.summary": {
        "zh": "已交回 {returned} / {forms} 份计划表;{people} 人设了个人目标,共 {targets} 项",
        "en": "{returned} of {forms} plans returned; {people} people set personal targets, "
        "{targets} in all",
    },
    "plan.not_returned": {
        "zh": "未交回({count} 份):{people}",
        "en": "not returned ({count}): {people}",
    },
    "collect.key.employee_id": {"zh": "被考核人", "en": "employee"},
    "collect.key.sign_row": {"zh": "签字栏行号", "en": "signature row"},
    # weight explorer
    "explorer.title": {
        "zh": "权重情景模拟:{scheme}({period})",
        "en": "Weight scenarios: {scheme} ({period})",
    },
    "explorer.position": {"zh": "岗位", "en": "Position"},
    "explorer.mode.keep": {"zh": "保持类别分值(总分 100)", "en": "Keep categories (total 100)"},
    "explorer.mode.free": {"zh": "自由调整", "en": "Free"},
    "explorer.note.keep": {
        "zh": "移动一个权重时,同一类别其他指标的权重按比例调整:类别分值不变,总分保持 100。",
        "en": "Moving one weight re-spreads the other weights of its category in proportion: "
        "each category keeps its points and the total stays 100.",
    },
    "explorer.note.free": {"zh": "总权重 {total:g}。", "en": "Total weight {total:g}."},
    "explorer.warn.total": {
        "zh": "⚠ 总权重 {total:g} ≠ 100:总分不再是百分制,等级界限失去意义,不能保存为方案。",
        "en": "⚠ Total weight {total:g} ≠ 100: totals are no longer out of 100, grade bands "
        "lose their meaning, and the scenario cannot be saved.",
    },
    "explorer.category": {"zh": "{name}({points:g} 分)", "en": "{name} ({points:g} points)"},
    "explorer.reset": {"zh": "恢复基准权重", "en": "Reset to baseline"},
    "explorer.summary": {
        "zh": "与基准相比:{grades} 人等级变化,{ranks} 人排名变化(共 {n} 人)。",
        "en": "Against the baseline: {grades} change grade, {ranks} change rank (of {n}).",
    },
    "explorer.more_rows": {
        "zh": "显示 {shown} 人,共 {n} 人(等级变化者全部显示)。",
        "en": "Showing {shown} of {n} (everyone whose grade changes).",
    },
    "explorer.tab.ranking": {"zh": "排名", "en": "Ranking"},
    "explorer.tab.distribution": {"zh": "等级分布", "en": "Grades"},
    "explorer.tab.edges": {"zh": "临界人员", "en": "Near a band edge"},
    "explorer.tab.sensitivity": {"zh": "敏感性", "en": "Sensitivity"},
    "explorer.tab.scenarios": {"zh": "情景方案", "en": "Scenarios"},
    "explorer.col.change": {"zh": "排名变化", "en": "Change"},
    "explorer.col.total_change": {"zh": "总分变化", "en": "Total change"},
    "explorer.col.grade_before": {"zh": "基准等级", "en": "Baseline grade"},
    "explorer.col.points_up": {"zh": "距升级(分)", "en": "Points to next grade"},
    "explorer.col.points_down": {"zh": "距降级(分)", "en": "Points above own band"},
    "explorer.col.kpi": {"zh": "指标", "en": "KPI"},
    "explorer.col.delta": {"zh": "调整", "en": "Move"},
    "explorer.col.new_weight": {"zh": "新权重", "en": "New weight"},
    "explorer.col.grade_changes": {"zh": "等级变化人数", "en": "Grade changes"},
    "explorer.col.grade_up": {"zh": "升级", "en": "Up"},
    "explorer.col.grade_down": {"zh": "降级", "en": "Down"},
    "explorer.col.rank_changes": {"zh": "排名变化人数", "en": "Rank changes"},
    "explorer.col.new_grade": {"zh": "新等级", "en": "New grade"},
    "explorer.dist.baseline": {"zh": "基准", "en": "Baseline"},
    "explorer.dist.scenario": {"zh": "当前情景", "en": "Scenario"},
    "explorer.sensitivity.run": {"zh": "计算敏感性", "en": "Compute sensitivity"},
    "explorer.sensitivity.by_kpi": {
        "zh": "每个权重 ±{delta:g} 分(同类别按比例分摊)",
        "en": "Each weight ±{delta:g} points (re-spread)",
    },
    "explorer.sensitivity.by_person": {
        "zh": "改变等级所需的最小单项权重调整",
        "en": "Smallest single weight move that changes a grade",
    },
    "explorer.sensitivity.stale": {
        "zh": "权重已变化,请重新计算。",
        "en": "Weights changed: compute again.",
    },
    "explorer.scenario.name": {"zh": "情景名称", "en": "Scenario name"},
    "explorer.scenario.save": {"zh": "保存情景", "en": "Save scenario"},
    "explorer.scenario.saved": {"zh": "已保存:{path}", "en": "Saved: {path}"},
    "explorer.scenario.baseline": {"zh": "(基准方案)", "en": "(baseline)"},
    "explorer.scenario.current": {"zh": "(当前权重)", "en": "(current weights)"},
    "explorer.scenario.compare": {"zh": "对比", "en": "Compare"},
    "explorer.scenario.people": {
        "zh": "等级或排名变化的人员",
        "en": "People whose grade or rank changes",
    },
    "explorer.scenario.teams": {"zh": "团队排名变化", "en": "Team ranking changes"},
    "explorer.error": {"zh": "无法完成:{message}", "en": "Cannot do that: {message}"},
    "explorer.scenario.bad_name": {
        "zh": "情景名称“{name}”不能用作文件名:只能用字母、数字、汉字和 _ - .,"
        "不含空格或斜杠,例如 响应速度25。",
        "en": "the scenario name {name!r} cannot be a file name: use letters, digits, "
        "汉字 and _ - . (no spaces or slashes), e.g. speed25.",
    },
    "explorer.scenario.exists": {
        "zh": "已有名为“{name}”的情景,请换一个名称。",
        "en": "a scenario named {name!r} exists already: choose another name.",
    },
    "explorer.scenario.zero_weight": {
        "zh": "{position}的指标“{kpi}”权重为 0:每个指标的权重都必须大于 0。",
        "en": "{position}: the weight of {kpi} is 0; every weight must be greater than 0.",
    },
    "explorer.scenario.not_100": {
        "zh": "{position}的权重合计 {total:g},不等于 100:请先调整到 100 再保存。",
        "en": "{position}: the weights add up to {total:g}, not 100; make them 100 to save.",
    },
    # who is appraised
    "excluded.probation": {"zh": "试用期人员不参加考核", "en": "on probation: not appraised"},
    "excluded.position": {
        "zh": "岗位 {position} 不在本考核方案中",
        "en": "position {position} is not in this scheme",
    },
    "excluded.grain": {
        "zh": "{position} 按{grain}考核,不在本期({period})",
        "en": "{position} is appraised per {grain}, not in this period ({period})",
    },
    "excluded.no_actuals": {
        "zh": "本期无任何指标数据",
        "en": "no actuals for this period",
    },
    "excluded.not_employed": {
        "zh": "{period} 期间不在职",
        "en": "not employed during {period}",
    },
    "excluded.status": {
        "zh": "状态 {status} 不参加考核",
        "en": "status {status}: not appraised",
    },
    "flag.joined": {"zh": "期内入职({date})", "en": "joined in the period ({date})"},
    "flag.left": {"zh": "期内离职({date})", "en": "left in the period ({date})"},
    "flag.respread": {
        "zh": "{kpi} 缺数据,权重已按比例分摊到其他指标",
        "en": "{kpi} missing: its weight was re-spread over the other KPIs",
    },
    "flag.zero": {"zh": "{kpi} 缺数据,按 0 分计", "en": "{kpi} missing: scored 0"},
    "flag.rater_group_missing": {
        "zh": "{kpi} 缺少评价组 {group},其权重已分摊到其他评价组",
        "en": "{kpi}: rater group {group} missing, its weight re-spread over the others",
    },
    "flag.rater_group_too_few": {
        "zh": "{kpi} 评价组 {group} 仅 {count} 人(至少 {minimum} 人),未计入",
        "en": "{kpi}: rater group {group} has {count} raters (at least {minimum}), not counted",
    },
    "flag.self_ignored": {
        "zh": "{kpi} 的自评未计入(方案无自评组)",
        "en": "{kpi}: self-rating not counted (the scheme has no self group)",
    },
    "cli.raters": {
        "zh": "{people} 位被评人,{raters} 位评价人:{groups}",
        "en": "{people} people rated by {raters} raters: {groups}",
    },
    # where points were lost (issue 10, points 6 and 8): 改进重点, 培训需求, the year's
    # pattern in kpi annual, 员工确认 (engine/improvement.py, reports/improvement.py)
    "improve.focus": {"zh": "改进重点", "en": "Where to improve"},
    "improve.focus.note": {
        "zh": "失分最多的指标(失分 = 满分 − 得分)",
        "en": "The KPIs with the most points lost (points lost = full marks − points)",
    },
    "improve.order": {"zh": "序号", "en": "No."},
    "improve.lost": {"zh": "失分", "en": "Points lost"},
    "improve.training": {"zh": "培训需求", "en": "Training needs"},
    "improve.training.note": {
        "zh": "各指标失分合计(失分 = 满分 − 得分),从多到少;失分多的指标即培训重点",
        "en": "Points lost per KPI (full marks − points), most first: where training helps most",
    },
    "improve.training.top": {
        "zh": "失分最多的指标:{kpi}(失分合计 {lost},{losing} 人失分)",
        "en": "Most points lost: {kpi} ({lost} in all, {losing} people lost points)",
    },
    "improve.training.none": {"zh": "本期无人失分", "en": "Nobody lost points this period"},
    "improve.by_team": {"zh": "各团队失分最多的指标", "en": "Each team's KPIs with most lost"},
    "improve.people": {"zh": "考核人数", "en": "People scored"},
    "improve.losing": {"zh": "失分人数", "en": "People losing points"},
    "improve.lost_total": {"zh": "失分合计", "en": "Points lost"},
    "improve.mean_lost": {"zh": "人均失分", "en": "Lost per person"},
    "improve.share": {"zh": "失分占满分", "en": "Share of full marks lost"},
    "improve.pattern": {
        "zh": "全年同一指标 {quarters} 个季度及以上失分:",
        "en": "The same KPI lost in {quarters} quarters of the year or more:",
    },
    "improve.pattern.row": {"zh": "{employee} {name}:{kpis}", "en": "{employee} {name}: {kpis}"},
    "improve.pattern.kpi": {
        "zh": "{kpi}({count} 个季度,失分 {lost})",
        "en": "{kpi} ({count} quarters, {lost} lost)",
    },
    "improve.pattern.more": {"zh": " 等 {count} 项", "en": " ({count} KPIs in all)"},
    "improve.pattern.none": {
        "zh": "全年无人在同一指标 {quarters} 个季度及以上失分",
        "en": "Nobody lost points on the same KPI in {quarters} quarters of the year or more",
    },
    "ack.title": {"zh": "员工确认", "en": "Employee acknowledgement"},
    "ack.read": {
        "zh": "本人已阅读以上考核结果。如有异议,请在申诉期限内向人力资源部提出申诉。",
        "en": "I have read the result above. To appeal, write to HR within the appeal window.",
    },
    "ack.signature": {"zh": "员工签名", "en": "Employee's signature"},
    "ack.deadline": {
        "zh": "申诉期限:{date} 前(含当日,{days} 个工作日)",
        "en": "Appeals until {date} inclusive ({days} working days)",
    },
    "ack.counted": {
        "zh": "自报告日期 {day} 的次日起,按中国法定节假日及调休的工作日计算",
        "en": "counted from the day after the report date {day}, in Chinese working days "
        "(statutory holidays and make-up days)",
    },
    "ack.default": {
        "zh": "考核方案未规定申诉期,按默认 {days} 个工作日",
        "en": "the scheme sets no appeal window: the default of {days} working days",
    },
    # work-objective plans (issue 10, plans): engine/plans.py, reports/plans.py
    "flag.plan": {"zh": "个人目标:{kpis}", "en": "personal target: {kpis}"},
    "input.plans": {"zh": "工作目标计划表", "en": "Work-objective plans"},
    "param.plans": {"zh": "工作目标计划表", "en": "plans"},
    "report.plans": {"zh": "工作目标计划", "en": "Work-objective plans"},
    "report.plans.explain": {
        "zh": "每人每期填报《工作目标计划表》,经直接上级批准后生效,个人目标替代考核方案的目标;"
        "期内调整须经批准,考核期结束后才批准的调整不计入本期。",
        "en": "Each person files a work-objective plan for the period; approved by the direct "
        "superior, its targets replace the scheme's. Adjustments during the period count once "
        "approved; one approved after the period does not count for it.",
    },
    "report.plans.none": {
        "zh": "本期无人提交工作目标计划表,各指标按考核方案的目标计分。",
        "en": "Nobody filed a plan for this period: every KPI is scored on the scheme's target.",
    },
    "report.plans.filed": {"zh": "提交计划人数", "en": "Plans filed (people)"},
    "report.plans.approved": {"zh": "按期批准人数", "en": "Approved in time (people)"},
    "report.plans.adjusted": {"zh": "期内调整人数", "en": "Adjusted (people)"},
    "report.plans.adjustments": {"zh": "计入的调整(条)", "en": "Adjustments counted"},
    "report.plans.late": {"zh": "逾期批准(条)", "en": "Approved late"},
    "report.plans.personal": {"zh": "按个人目标计分(项)", "en": "KPIs on a personal target"},
    "report.plans.log": {"zh": "本期计划与调整记录", "en": "This period's plans and adjustments"},
    "report.plans.person": {"zh": "个人目标及来源", "en": "Targets used and where they came from"},
    "report.plans.others": {
        "zh": "其余指标按考核方案的目标和权重计分。",
        "en": "The other KPIs are scored on the scheme's targets and weights.",
    },
    "report.plans.col.employee_id": {"zh": "工号", "en": "Employee ID"},
    "report.plans.col.name": {"zh": "姓名", "en": "Name"},
    "report.plans.col.kpi_id": {"zh": "指标", "en": "KPI"},
    "report.plans.col.kpi": {"zh": "指标", "en": "KPI"},
    "report.plans.col.kind": {"zh": "类型", "en": "Kind"},
    "report.plans.col.target": {"zh": "目标值", "en": "Target"},
    "report.plans.col.weight": {"zh": "权重", "en": "Weight"},
    "report.plans.col.adjusted_on": {"zh": "调整日期", "en": "Adjusted on"},
    "report.plans.col.reason": {"zh": "调整原因", "en": "Reason"},
    "report.plans.col.approved_by": {"zh": "批准人", "en": "Approved by"},
    "report.plans.col.approved_on": {"zh": "批准日期", "en": "Approved on"},
    "report.plans.col.status": {"zh": "状态", "en": "Status"},
    "report.plans.col.scheme_target": {"zh": "方案目标", "en": "Scheme's target"},
    "report.plans.col.target_used": {"zh": "采用目标", "en": "Target used"},
    "report.plans.col.source": {"zh": "来源", "en": "From"},
    "plan.kind.plan": {"zh": "计划", "en": "plan"},
    "plan.kind.adjustment": {"zh": "调整", "en": "adjustment"},
    "plan.status.in_force": {"zh": "生效", "en": "in force"},
    "plan.status.replaced": {"zh": "已被后续调整替代", "en": "replaced by a later row"},
    "plan.status.late": {
        "zh": "考核期结束后批准,不计入本期",
        "en": "approved after the period: not counted",
    },
    "plan.source.scheme": {"zh": "考核方案", "en": "scheme"},
    "plan.source.plan": {"zh": "工作目标计划表", "en": "plan"},
    "plan.source.adjustment": {"zh": "计划调整", "en": "adjusted plan"},
    # rater groups of 360 ratings (name_of("rater_group", ...))
    "rater_group.superior": {"zh": "直接上级", "en": "direct superior"},
    "rater_group.peers": {"zh": "同级", "en": "peers"},
    "rater_group.subordinates": {"zh": "直接下级", "en": "direct reports"},
    "rater_group.self": {"zh": "本人", "en": "self"},
    # canonical tables of the raw exports (name_of("table", ...))
    "table.tickets": {"zh": "工单", "en": "Tickets"},
    "table.reports": {"zh": "工作报告", "en": "Reports"},
    "table.complaints": {"zh": "投诉登记", "en": "Complaints"},
    "table.surveys": {"zh": "回访调查", "en": "Surveys"},
    "table.training": {"zh": "培训考试", "en": "Training and exams"},
    "table.events": {"zh": "事件记录", "en": "Events"},
    "table.finance": {"zh": "财务数据", "en": "Finance"},
    "table.roster": {"zh": "花名册", "en": "Roster"},
    # where each raw row went (name_of("reason", ...); codes in records.ledger.REASONS)
    "reason.used": {"zh": "已使用", "en": "used"},
    "reason.filtered": {"zh": "被过滤规则排除", "en": "excluded by a filter rule"},
    "reason.system_account": {"zh": "系统账号，已过滤", "en": "system account, filtered out"},
    "reason.unparseable_timestamp": {"zh": "时间无法解析", "en": "unparseable timestamp"},
    "reason.bad_value": {"zh": "取值无法识别", "en": "value not recognised"},
    "reason.missing_value": {"zh": "必填字段为空", "en": "required value missing"},
    "reason.duplicate_id": {"zh": "编号重复", "en": "duplicate id"},
    "reason.missing_employee": {"zh": "未分配员工", "en": "no employee assigned"},
    "reason.unknown_employee": {"zh": "员工不在花名册中", "en": "employee not on the roster"},
    "reason.resolved_before_created": {
        "zh": "解决时间早于创建时间",
        "en": "resolved before created",
    },
    "reason.outside_period": {"zh": "不在考核期内", "en": "outside the period"},
    # a report's inputs and parameters, in its footer (name_of("input"/"param", ...))
    "input.scheme": {"zh": "考核方案", "en": "Scheme"},
    "input.roster": {"zh": "花名册", "en": "Roster"},
    "input.actuals": {"zh": "指标实际值", "en": "Actuals"},
    "input.ratings": {"zh": "360 度评分", "en": "360 ratings"},
    "input.records": {"zh": "原始记录", "en": "Raw records"},
    "param.scheme": {"zh": "考核方案", "en": "scheme"},
    "param.data_dir": {"zh": "数据目录", "en": "data directory"},
    "param.period": {"zh": "考核周期", "en": "period"},
    "param.year": {"zh": "年度", "en": "year"},
    "param.team": {"zh": "团队", "en": "team"},
    "param.lang": {"zh": "语言", "en": "language"},
    "param.employee_id": {"zh": "工号", "en": "employee"},
    "param.sources": {"zh": "原始记录组合", "en": "raw-export bundle"},
    "param.records_dir": {"zh": "原始记录目录", "en": "raw-export folder"},
    # a position nobody named: blank in the roster (position_name)
    "position.blank": {"zh": "(未填岗位)", "en": "(no position)"},
    # grain names
    "grain.month": {"zh": "月度", "en": "month"},
    "grain.quarter": {"zh": "季度", "en": "quarter"},
    "grain.year": {"zh": "年度", "en": "year"},
    # rule descriptions
    "rule.bands.higher": {
        "zh": "分段计分(越高越好):{bands}",
        "en": "banded, higher is better: {bands}",
    },
    "rule.bands.lower": {
        "zh": "分段计分(越低越好):{bands}",
        "en": "banded, lower is better: {bands}",
    },
    "rule.deduct_per_unit": {
        "zh": "满分 {full},超过 {allowance} 次后每次扣 {per_unit} 分",
        "en": "full {full}; −{per_unit} per occurrence beyond {allowance}",
    },
    "rule.deduct_per_point": {
        "zh": "目标 {target},每降低 1 个百分点扣 {per_point} 分",
        "en": "target {target}; −{per_point} per percentage point short",
    },
    "rule.threshold.min": {
        "zh": "≥ {limit} 得 {weight} 分,否则 {otherwise} 分",
        "en": "≥ {limit}: {weight}; otherwise {otherwise}",
    },
    "rule.threshold.max": {
        "zh": "≤ {limit} 得 {weight} 分,否则 {otherwise} 分",
        "en": "≤ {limit}: {weight}; otherwise {otherwise}",
    },
    "rule.scale": {
        "zh": "评分等级:{labels}(满分 {weight})",
        "en": "rating: {labels} (of {weight})",
    },
    "rule.linear.higher": {
        "zh": "实际 ÷ 目标 × {weight},封顶 {cap}",
        "en": "actual ÷ target × {weight}, capped at {cap}",
    },
    "rule.linear.lower": {
        "zh": "目标 ÷ 实际 × {weight},封顶 {cap}",
        "en": "target ÷ actual × {weight}, capped at {cap}",
    },
    "rule.manual": {"zh": "上级评分(0–{out_of})", "en": "superior's score (0–{out_of})"},
    # grades, bonus by grade, corrections (appeals), 转正日期 (issue 10: points 5, 7, 9)
    "excluded.probation_until": {
        "zh": "试用期人员不参加考核(转正日期 {date},自转正后开始的首个考核期起参加)",
        "en": "on probation: not appraised (confirmed {date}; appraised from the first "
        "period starting on or after it)",
    },
    "report.corrections": {"zh": "考核申诉与更正", "en": "Appeals and corrections"},
    "report.corrections.intro": {
        "zh": "本期经批准的更正 {count} 项,已计入上面的结果;每项更正前后的变化如下。",
        "en": "{count} approved correction(s) this period, included in the results above; "
        "what each changed:",
    },
    "report.corrections.none": {
        "zh": "{period} 没有更正。",
        "en": "No corrections for {period}.",
    },
    "report.corrections.no_before": {
        "zh": "更正前的数据无法单独计分(更正补全了缺失值),只显示更正后的结果。",
        "en": "The data before the corrections does not score on its own (a correction "
        "filled a blank): only the corrected results are shown.",
    },
    "input.corrections": {"zh": "考核更正(申诉)", "en": "Corrections (appeals)"},
    "param.corrections": {"zh": "考核更正(申诉)", "en": "corrections (appeals)"},
    "corrections.value": {"zh": "原值 → 更正值", "en": "Old → new value"},
    "corrections.reason": {"zh": "更正理由", "en": "Reason"},
    "corrections.approved_by": {"zh": "批准人", "en": "Approved by"},
    "corrections.approved_on": {"zh": "批准日期", "en": "Approved on"},
    "corrections.points": {"zh": "指标得分", "en": "KPI points"},
    "corrections.total": {"zh": "总分", "en": "Total"},
    "corrections.grade": {"zh": "等级", "en": "Grade"},
    "corrections.rank": {"zh": "岗位内排名", "en": "Rank in position"},
    "corrections.bonus_factor": {"zh": "奖金系数", "en": "Bonus factor"},
    # --- numbers and outcomes (hostile input: actuals not used) ---
    "cli.actuals_unused": {
        "zh": "警告:{employee} {name} 有 {period} 的实际值,但未参加考核:{reason}",
        "en": "warning: {employee} {name} has actuals for {period} but is not appraised: {reason}",
    },
    # --- raw exports: time, filters after the collapse, breakdowns (records) ---------------
    "reason.not_resolved": {"zh": "未解决", "en": "never resolved"},
    "ledger.rows_read": {"zh": "读取行数", "en": "rows read"},
    "ledger.balance": {
        "zh": "已使用 {used} + 已排除 {excluded} = 读取 {read} 行",
        "en": "used {used} + excluded {excluded} = read {read} rows",
    },
    "report.breakdown": {"zh": "分项明细", "en": "Breakdown"},
    "report.breakdown.item": {"zh": "分项", "en": "Item"},
    "report.breakdown.mean": {"zh": "平均实际值", "en": "Mean actual"},
    # what-if panel and weight explorer: modes, limits, legend, scheme YAML (issue 14: 4, 7)
    "whatif.mode": {"zh": "调整方式", "en": "How weights move"},
    "whatif.mode.keep": {
        "zh": "保持类别分值(同类别其他指标按比例调整)",
        "en": "Keep category points (the category's other KPIs follow in proportion)",
    },
    "whatif.mode.free": {"zh": "自由调整(只改这一项)", "en": "Free (only this weight)"},
    "whatif.weight": {"zh": "{category} · {kpi} 权重", "en": "{category} · {kpi} weight"},
    "whatif.limit": {"zh": "0–{max}", "en": "0–{max}"},
    "whatif.clamped": {
        "zh": "“{kpi}”的权重只能在 0 到 {max} 之间,输入的 {typed} 已改为 {value}。",
        "en": "The weight of {kpi} must be between 0 and {max}: {typed} was changed to {value}.",
    },
    "whatif.single": {
        "zh": "本类别只有这一个指标:保持类别分值时不能单独调整。",
        "en": "The only KPI of its category: it cannot move while categories keep their points.",
    },
    "whatif.legend": {"zh": "图例(与原权重相比):", "en": "Legend (against the scheme's weights):"},
    "whatif.legend.up": {"zh": "▲ 等级上升", "en": "▲ grade up"},
    "whatif.legend.down": {"zh": "▼ 等级下降", "en": "▼ grade down"},
    "whatif.legend.same": {"zh": "无标记:等级不变", "en": "no mark: same grade"},
    "whatif.grade_change": {"zh": "等级变化", "en": "Grade change"},
    "whatif.copy": {"zh": "复制为方案 YAML", "en": "Copy as scheme YAML"},
    "whatif.copied": {
        "zh": "已复制到剪贴板;也可从下框中复制,粘贴到方案文件的副本中。",
        "en": "Copied to the clipboard; you can also copy it from the box below into a copy "
        "of the scheme file.",
    },
    "whatif.copy_failed": {
        "zh": "浏览器不允许写入剪贴板:请从下框中复制。",
        "en": "The browser does not allow writing to the clipboard: copy it from the box below.",
    },
    "whatif.yaml": {"zh": "方案 YAML 片段", "en": "Scheme YAML fragment"},
    "whatif.yaml_note": {
        "zh": "权重模拟:{scheme} · {position}。替换方案副本中各指标的 weight;"
        "各类别的 points 须等于其指标权重之和。",
        "en": "Tried weights: {scheme} · {position}. Replace each KPI's weight in a copy of "
        "the scheme; each category's points must equal the sum of its KPIs' weights.",
    },
    "explorer.intro": {
        "zh": "移动权重,立即查看谁的排名或等级发生变化、等级如何分布、谁接近等级界限。"
        "满意的情景可保存为方案文件(kpi validate 可校验),并相互对比。",
        "en": "Move a weight and see at once who changes rank or grade, how the grades "
        "spread and who sits near a band edge. Save the scenarios you like as scheme files "
        "(accepted by kpi validate) and compare them.",
    },
    "explorer.scenario.no_change": {
        "zh": "两个方案之间没有人的等级或排名发生变化。",
        "en": "Nobody's grade or rank changes between the two.",
    },
    # trends, --compare, the annual review from the CLI, PDF, notebooks (issue 14: 2, 3, 5, 6)
    "report.trend": {"zh": "历期趋势", "en": "Trends"},
    "report.trend.current": {"zh": "(本期)", "en": "(this period)"},
    "report.trend.none": {
        "zh": "数据中只有本期的考核结果,没有可比的往期。",
        "en": "The data hold only this period: there is no earlier period to compare.",
    },
    "report.trend.explain": {
        "zh": "{first} 至 {last} 各期的平均分与各等级人数(每期按当期数据考核一次)。",
        "en": "Mean total and headcount per grade in each period from {first} to {last} "
        "(each period appraised once from its own data).",
    },
    "report.trend.teams": {"zh": "各团队平均分", "en": "Mean total per team"},
    "report.trend.person": {"zh": "历期考核结果", "en": "Results over the periods"},
    "report.bonus.figure": {"zh": "项目", "en": "Figure"},
    "report.bonus.value": {"zh": "数值", "en": "Value"},
    "report.bonus.yuan": {"zh": "元", "en": "yuan"},
    "report.bonus.pool": {"zh": "奖金池", "en": "Bonus pool"},
    "report.bonus.headcount": {"zh": "参加考核人数", "en": "Headcount appraised"},
    "report.bonus.per_head": {"zh": "人均基数", "en": "Base per head"},
    "report.bonus.rule": {"zh": "分配规则", "en": "Allocation rule"},
    "report.bonus.how": {"zh": "计算方法", "en": "How the pool is computed"},
    "report.bonus.formula": {
        "zh": "(安装 {installs} 把 × {install_price} 元 + 维修 {repairs} 把 × {repair_price} 元)"
        " ÷ 参加考核人数",
        "en": "({installs} installs × {install_price} yuan + {repairs} repairs × "
        "{repair_price} yuan) ÷ headcount appraised",
    },
    "report.bonus.grade": {"zh": "基数 × 等级系数", "en": "base × the grade's bonus factor"},
    # --- the report page: navigation, defects, house look (issue 14) ---
    "page.contents": {"zh": "目录", "en": "Contents"},
    "page.search": {"zh": "搜索本表…", "en": "Search this table…"},
    "page.sort": {"zh": "点击按此列排序", "en": "Click to sort by this column"},
    "page.team": {"zh": "团队", "en": "Team"},
    "page.all_teams": {"zh": "全部团队", "en": "All teams"},
    "report.breach.max": {
        "zh": "{scope}{grade} {count} 人(占 {share}),上限 {limit} 即最多 {allowed} 人,"
        "超出 {over} 人。",
        "en": "{scope}{grade}: {count} people ({share}), {over} over the limit of {limit} "
        "(at most {allowed}).",
    },
    "report.breach.min": {
        "zh": "{scope}{grade} {count} 人(占 {share}),下限 {limit} 即至少 {allowed} 人,"
        "还差 {over} 人。",
        "en": "{scope}{grade}: {count} people ({share}), {over} short of the minimum of "
        "{limit} (at least {allowed}).",
    },
    "report.breach.apply_max": {
        "zh": "本方案只检查不调整(apply: false);若设为 apply: true,将按总分由低到高把"
        "超出的 {over} 人降为{next}(同分者一并调整)。",
        "en": "This scheme checks but does not adjust (apply: false); with apply: true the "
        "{over} lowest totals would move down to {next} (people tied at the cut-off together).",
    },
    "report.breach.apply_min": {
        "zh": "本方案只检查不调整(apply: false);若设为 apply: true,将把较高等级中总分"
        "最低的 {over} 人调入{grade}(同分者一并调整)。",
        "en": "This scheme checks but does not adjust (apply: false); with apply: true the "
        "{over} lowest totals of the better grades would move to {grade} (ties together).",
    },
    "report.breach.cell": {"zh": "✗ 超出 {over} 人", "en": "✗ {over} over"},
    "report.breach.cell_min": {"zh": "✗ 差 {over} 人", "en": "✗ {over} short"},
    "report.breach.scope": {"zh": "{scope}:", "en": "{scope}: "},
    "report.breach.department": {"zh": "全部门", "en": "Department"},
    "chart.alt.grades": {"zh": "柱状图:{title},{items}", "en": "Bar chart: {title}; {items}"},
    "chart.alt.grade_item": {"zh": "{grade} {count} 人", "en": "{grade} {count}"},
    "chart.alt.attainment": {
        "zh": "条形图:{position}各指标得分率(平均得分 ÷ 权重),{items}",
        "en": "Bar chart: attainment of each KPI of {position} (mean points ÷ weight); {items}",
    },
    "chart.alt.spread": {
        "zh": "箱线图:{position}各指标得分率(得分 ÷ 权重)在人员间的分布,{items}",
        "en": "Box plot: spread of each KPI's attainment (points ÷ weight) of {position} "
        "across people; {items}",
    },
    "chart.alt.median": {"zh": "{kpi} 中位数 {value}", "en": "{kpi} median {value}"},
    "chart.attainment_axis": {
        "zh": "得分率(得分 ÷ 权重,%)",
        "en": "Attainment (points ÷ weight, %)",
    },
    "chart.whole_department": {
        "zh": "图表为全部门数据,不随团队筛选变化。",
        "en": "The charts show the whole department; the team filter does not change them.",
    },
    "chart.for_team": {"zh": "{team}", "en": "{team}"},
    "report.ledger.department": {
        "zh": "原始记录台账为全部门的导出(导出文件不按团队拆分)。",
        "en": "The raw-record ledger is of the whole department's exports (they are not "
        "split by team).",
    },
    "report.position_figures": {
        "zh": "同岗位统计({position},{count} 人)",
        "en": "Figures of the same position ({position}, {count} people)",
    },
    "report.position_figures.note": {
        "zh": "均值与四分位数按本期参加考核的全部{position}({count} 人)计算,不含他人姓名与得分。",
        "en": "Mean and quartiles of all {count} appraised people of the position {position} "
        "this period; nobody else's name or points.",
    },
    "report.signature": {"zh": "签字", "en": "Signature"},
    "report.position_mean": {"zh": "同岗位平均", "en": "Position mean"},
}


def label(key: str, lang: Lang = "zh", **values: object) -> str:
    """The label ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    Examples
    --------
    >>> label("total")
    '总分'
    >>> label("flag.zero", "en", kpi="complaints")
    'complaints missing: scored 0'
    """
    try:
        text = LABELS[key][lang]
    except KeyError as error:
        raise KeyError(
            f"no label {key!r} in {lang!r}; add it to kpi_toolkit.labels.LABELS"
        ) from error
    return text.format(**values) if values else text


def name_of(kind: Kind, code: str, lang: Lang = "zh") -> str:
    """The user-facing name of an internal id of ``kind``; a code the table does not know
    (the user's own, e.g. a filter reason they made up) is shown as typed.

    Examples
    --------
    >>> name_of("rater_group", "peers")
    '同级'
    >>> name_of("table", "tickets", "en")
    'Tickets'
    >>> name_of("reason", "my_own_reason")
    'my_own_reason'
    """
    texts = LABELS.get(f"{kind}.{code}")
    return texts[lang] if texts else str(code)


def position_name(
    position: str, *, scheme: Scheme | None = None, lang: Lang = "zh", title: object = None
) -> str:
    """The name of a position: the scheme's own; for one it does not define, the roster's
    ``title`` as typed, else the name a built-in scheme gives that id, else the id as typed
    in the roster (the user's own text; a blank one is labelled).

    Examples
    --------
    >>> position_name("department_head")
    '售后服务部部长'
    >>> position_name("driver", title="驾驶员")
    '驾驶员'
    """
    if scheme is not None and position in scheme.positions:
        return scheme.positions[position].name.get(lang)
    if isinstance(title, str) and title.strip():
        return title.strip()
    known = _builtin_positions(lang).get(str(position))
    if known:
        return known
    typed = "" if position is None else str(position).strip()
    return typed if typed and typed.lower() != "nan" else label("position.blank", lang)


def position_names(
    positions: Iterable[str],
    *,
    scheme: Scheme | None = None,
    lang: Lang = "zh",
    titles: Iterable[object] | None = None,
) -> list[str]:
    """:func:`position_name` of each position, with each one's roster title if given."""
    given = list(positions)
    chosen = [None] * len(given) if titles is None else list(titles)
    return [
        position_name(p, scheme=scheme, lang=lang, title=t)
        for p, t in zip(given, chosen, strict=True)
    ]


def ledger_table(ledger: pd.DataFrame, *, lang: Lang = "zh") -> pd.DataFrame:
    """A ledger of raw exports (``source, table, file, reason, label, rows``, optionally
    ``title``) as a reader sees it: each source by its title or its table's name and its
    file's name (not the mapping id), each
    reason by its words, the headers labelled."""
    import pandas as pd

    sources = ledger["table"] if "table" in ledger else ledger["source"]
    titles = ledger["title"] if "title" in ledger else [""] * len(ledger)
    columns = {
        "source": [
            title or name_of("table", t, lang) for t, title in zip(sources, titles, strict=True)
        ],
        "file": [PurePath(str(f)).name for f in ledger["file"]],
        "label": [name_of("reason", r, lang) for r in ledger["reason"]],
        "rows": ledger["rows"].to_numpy(),
    }
    return pd.DataFrame({label(f"report.ledger.{c}", lang): v for c, v in columns.items()})


@cache
def _builtin_positions(lang: Lang) -> dict[str, str]:
    """Position id → name in the built-in schemes (the first scheme to define it wins)."""
    from .engine.scheme import builtin_scheme
    from .files import builtin_names

    names: dict[str, str] = {}
    for name in builtin_names("schemes"):
        for pid, position in builtin_scheme(name).positions.items():
            names.setdefault(pid, position.name.get(lang))
    return names
