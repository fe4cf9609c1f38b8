"""Leadership summary: roster counts, the matchmaking funnel, and native charts.

Sheets: 总览 (totals), 对接漏斗 (demands collected → matched → accepted → met at
an event → 意向 → 签约 → 落地, with amounts in 万元), 按市州, 按技术领域 and
按依托单位. Every 合计 equals the count of the database table it sums, because
rows without a city, field or institute are counted under 未填… rows.
"""

import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import sqlite_utils

from kjd.collector import collector_paused
from kjd.errors import UsageError
from kjd.importers.reference import find_region
from kjd.match.orgkinds import ENTERPRISE_LAB
from kjd.reports.report import Report, ReportResult, write_report
from kjd.reports.workbook import Chart, Column, SheetSpec

logger = logging.getLogger(__name__)

# The nine prefecture-level divisions of Jilin in GB/T 2260 code order.
JILIN_CITIES = (
    "长春市",
    "吉林市",
    "四平市",
    "辽源市",
    "通化市",
    "白山市",
    "松原市",
    "白城市",
    "延边朝鲜族自治州",
)
PERIOD_NOTE = "名录数为截至制表日的总数；需求、对接和成果按统计期间计。"
NO_CITY = "未填市州"
OUTSIDE_JILIN = "省外"
NO_FIELD = "未填技术领域"
NO_INSTITUTE = "未关联单位"
_CITY_SUFFIX = re.compile(r"(市|州|地区|盟)$")

COUNT = "count"


@dataclass(frozen=True)
class Period:
    """Dates from and to (both included); None leaves that side open."""

    date_from: date | None = None
    date_to: date | None = None

    @property
    def params(self) -> list:
        """Return the four parameters of `period_condition`."""
        start = self.date_from.isoformat() if self.date_from else None
        end = self.date_to.isoformat() if self.date_to else None
        return [start, start, end, end]

    def describe(self) -> str:
        if not self.date_from and not self.date_to:
            return "全部"
        start = _chinese_date(self.date_from) if self.date_from else "最早"
        end = _chinese_date(self.date_to) if self.date_to else "制表日"
        return f"{start}至{end}"


def period_condition(expression: str) -> str:
    """Return SQL true when the date in `expression` lies in the period.

    Takes the parameters of `Period.params`. Rows without a date are left out
    when a period is given.
    """
    return (
        f"((? IS NULL OR substr({expression}, 1, 10) >= ?) "
        f"AND (? IS NULL OR substr({expression}, 1, 10) <= ?))"
    )


def make_period(
    date_from: str | date | None = None,
    date_to: str | date | None = None,
    year: int | None = None,
) -> Period:
    """Return the period of --from/--to or --year.

    Raises:
        UsageError: --year given with --from or --to, an invalid date, or a
            start after the end.
    """
    if year is not None:
        if date_from or date_to:
            raise UsageError("--year 不能与 --from、--to 同时使用。")
        return Period(date(int(year), 1, 1), date(int(year), 12, 31))
    period = Period(_parse_date(date_from, "--from"), _parse_date(date_to, "--to"))
    if period.date_from and period.date_to and period.date_from > period.date_to:
        raise UsageError(
            f"--from {period.date_from} 晚于 --to {period.date_to}，请检查日期。"
        )
    return period


# Dates of each record kind. Demands have no collection date of their own, so
# the time of import is used instead.
DEMAND_DATE = "d.created_at"
MEETING_DATE = "ev.date"
OUTCOME_DATE = "COALESCE(o.date, ev.date, o.created_at)"

_DEMANDS = f"""
SELECT d.id, COALESCE(NULLIF(d.city, ''), en.city) AS city,
    COALESCE(NULLIF(d.field, ''), en.industry) AS field
FROM demands d LEFT JOIN enterprises en ON en.id = d.enterprise_id
WHERE {period_condition(DEMAND_DATE)}
"""
# A demand counts as matched when a match is accepted, or proposed with a score
# at or above the threshold. Rejected and stale matches never count.
_MATCHED = """
m.status = 'accepted' OR (m.status = 'proposed' AND m.score >= ?)
"""
_MEETINGS = f"""
SELECT mt.demand_id, mt.target_type, mt.target_id
FROM meetings mt JOIN events ev ON ev.id = mt.event_id
WHERE {period_condition(MEETING_DATE)}
"""
_OUTCOMES = f"""
SELECT o.demand_id, o.target_type, o.target_id, o.stage, o.amount,
    COALESCE(NULLIF(d.city, ''), en.city) AS city
FROM outcomes o
JOIN demands d ON d.id = o.demand_id
LEFT JOIN enterprises en ON en.id = d.enterprise_id
LEFT JOIN events ev ON ev.id = o.event_id
WHERE {period_condition(OUTCOME_DATE)}
"""
_TARGET_INSTITUTE = """
CASE m.target_type
    WHEN 'institute' THEN m.target_id
    WHEN 'project' THEN (SELECT institute_id FROM projects WHERE id = m.target_id)
    WHEN 'expert' THEN (SELECT institute_id FROM experts WHERE id = m.target_id)
END
"""

SIGNED_STAGES = ("signed", "landed")


def build_summary(
    db: sqlite_utils.Database,
    period: Period | None = None,
    *,
    threshold: float | None = None,
) -> Report:
    """Build the leadership summary of the database, for a period.

    Roster counts (institutes, experts, achievements, enterprises) are totals
    at the time of writing. Demands count by import date, meetings by their
    event's date, and outcomes by their own date (else their event's). With a
    period, records without a date are left out.

    Args:
        db: the kjd database.
        period: the period of activity; None counts everything.
        threshold: the score a proposed match needs to count as matched; None
            counts every proposed match that `kjd match` stored.

    Returns:
        A Report with the sheets 总览, 对接漏斗, 按市州, 按技术领域, 按依托单位.
    """
    period = period or Period()
    cutoff = float(threshold) if threshold is not None else float("-inf")
    demands = list(db.query(_DEMANDS, period.params))
    matched = _demand_matches(db, period, cutoff)
    meetings = list(db.query(_MEETINGS, period.params))
    outcomes = list(db.query(_OUTCOMES, period.params))
    funnel_rows = _funnel_rows(demands, matched, meetings, outcomes, threshold)
    subtitle = [
        ("统计期间", period.describe()),
    ]
    title = "科技成果与企业需求对接工作汇总"
    sheets = [
        _overview_sheet(db, demands, meetings, outcomes, subtitle, title),
        _funnel_sheet(funnel_rows, subtitle),
        _city_sheet(db, demands, matched, outcomes, subtitle),
        _field_sheet(db, demands, matched, subtitle),
        _institute_sheet(db, period, cutoff, subtitle),
    ]
    info = {
        "period": {
            "from": period.date_from.isoformat() if period.date_from else None,
            "to": period.date_to.isoformat() if period.date_to else None,
        },
        "threshold": threshold,
        "funnel": {row["key"]: row["demands"] for row in funnel_rows},
    }
    logger.info("summary: %d demands in period", len(demands))
    return Report(kind="summary", title=title, sheets=sheets, info=info)


def write_summary(
    db: sqlite_utils.Database,
    path: Path,
    *,
    date_from: str | date | None = None,
    date_to: str | date | None = None,
    year: int | None = None,
    threshold: float | None = None,
    output_format: str | None = None,
    force: bool = False,
) -> ReportResult:
    """Build the summary for a period and write it to `path`.

    See `build_summary` for what is counted and `write_report` for the output
    rules; `make_period` raises UsageError for inconsistent dates.
    """
    period = make_period(date_from, date_to, year)
    with collector_paused():
        report = build_summary(db, period, threshold=threshold)
        return write_report(report, path, output_format=output_format, force=force)


def canonical_city(name: str | None) -> str:
    """Return the Jilin 市州 a place belongs to, 省外 outside Jilin, or 未填市州.

    长春 → 长春市, 延吉市 → 延边朝鲜族自治州, 郑州 → 省外; blank or just 吉林省
    → 未填市州.
    """
    if not name or not str(name).strip():
        return NO_CITY
    name = str(name).strip()
    stem = _CITY_SUFFIX.sub("", name)
    for city in JILIN_CITIES:
        if len(stem) >= 2 and city.startswith(stem):
            return city
    # Short county names are ambiguous (西安 is also a district of 辽源), so only
    # full names count: 延吉 is looked up as 延吉市.
    region = find_region(name, allow_short_names=False)
    if region is None and not name.endswith(("市", "县", "区")):
        region = find_region(f"{name}市", allow_short_names=False)
    if region is not None and region.city in JILIN_CITIES:
        return region.city
    if region is not None and region.city is None:
        return NO_CITY
    return OUTSIDE_JILIN


def _demand_matches(db, period: Period, cutoff: float) -> list[dict]:
    sql = f"""
    SELECT m.demand_id, m.status,
        COALESCE(NULLIF(d.city, ''), en.city) AS city,
        COALESCE(NULLIF(d.field, ''), en.industry) AS field
    FROM matches m
    JOIN demands d ON d.id = m.demand_id
    LEFT JOIN enterprises en ON en.id = d.enterprise_id
    WHERE ({_MATCHED}) AND {period_condition(DEMAND_DATE)}
    """
    return list(db.query(sql, [cutoff, *period.params]))


def _funnel_rows(demands, matched, meetings, outcomes, threshold) -> list[dict]:
    collected = len(demands)
    accepted = [row for row in matched if row["status"] == "accepted"]
    reached = [row for row in outcomes if row["stage"]]
    signed = [row for row in outcomes if row["stage"] in SIGNED_STAGES]
    landed = [row for row in outcomes if row["stage"] == "landed"]
    if threshold is None:
        matched_rule = "有已确认或待确认推荐的需求"
    else:
        matched_rule = f"有已确认推荐，或匹配度 ≥ {threshold:g} 的待确认推荐的需求"
    stages = [
        ("collected", "征集企业需求", collected, None, None, "统计期间内导入的需求"),
        (
            "matched",
            "匹配到推荐",
            _distinct_demands(matched),
            len(matched),
            None,
            matched_rule,
        ),
        (
            "accepted",
            "确认对接",
            _distinct_demands(accepted),
            len(accepted),
            None,
            "至少一条推荐已确认的需求",
        ),
        (
            "met",
            "参加对接活动",
            _distinct_demands(meetings),
            len(_distinct_pairs(meetings)),
            None,
            "在统计期间的对接活动中安排了会面的需求",
        ),
        (
            "intent",
            "达成意向",
            _distinct_demands(reached),
            len(_distinct_pairs(reached)),
            _amount(outcomes, ("intent",)),
            "有意向、签约或落地记录的需求；金额为意向金额",
        ),
        (
            "signed",
            "签约",
            _distinct_demands(signed),
            len(_distinct_pairs(signed)),
            _amount(outcomes, ("signed",)),
            "有签约或落地记录的需求；金额为签约金额",
        ),
        (
            "landed",
            "落地",
            _distinct_demands(landed),
            len(_distinct_pairs(landed)),
            _amount(outcomes, ("landed",)),
            "有落地记录的需求；金额为落地金额",
        ),
    ]
    return [
        {
            "key": key,
            "stage": label,
            "demands": count,
            "share": (count / collected) if collected else None,
            "pairs": pairs,
            "amount": amount,
            "definition": definition,
        }
        for key, label, count, pairs, amount, definition in stages
    ]


def _overview_sheet(db, demands, meetings, outcomes, subtitle, title) -> SheetSpec:
    counts = {
        name: db.execute(f"SELECT count(*) FROM [{name}]").fetchone()[0]
        for name in ("experts", "projects", "enterprises")
    }
    academic, company_units = _institute_counts(db)
    signed = [row for row in outcomes if row["stage"] in SIGNED_STAGES]
    rows = [
        ("高校院所", academic, "家", "名录总数（高等院校、中科院院所、科研院所）"),
        ("企业研发机构", company_units, "家", "作为成果完成单位出现的企业"),
        ("专家", counts["experts"], "人", "名录总数"),
        ("科技成果", counts["projects"], "项", "名录总数"),
        ("企业", counts["enterprises"], "家", "名录总数"),
        ("企业需求", len(demands), "项", "统计期间内导入"),
        ("对接会面", len(meetings), "次", "统计期间内的对接活动中安排的会面"),
        ("签约项目", len(_distinct_pairs(signed)), "项", "有签约或落地记录的对接"),
        (
            "签约金额（万元）",
            _amount(outcomes, ("signed",)) or 0.0,
            "万元",
            "签约金额合计",
        ),
    ]
    columns = [
        Column("item", "项目", max_width=20),
        Column("value", "数量", kind="general", width=14),
        Column("unit", "单位", width=6, align="center"),
        Column("definition", "统计口径", max_width=40),
    ]
    records = [
        {"item": item, "value": value, "unit": unit, "definition": definition}
        for item, value, unit, definition in rows
    ]
    return SheetSpec(
        name="总览",
        key="overview",
        notes=[PERIOD_NOTE],
        title=title,
        subtitle=subtitle,
        columns=columns,
        rows=records,
    )


def _funnel_sheet(rows: list[dict], subtitle) -> SheetSpec:
    columns = [
        Column("stage", "环节", max_width=14),
        Column("demands", "需求数（项）", kind="count", width=12),
        Column("share", "占征集需求", kind="percent", width=11),
        Column("pairs", "对接数（对）", kind="count", width=12),
        Column("amount", "金额（万元）", kind="amount", width=14),
        Column("definition", "统计口径", max_width=44),
    ]
    chart = Chart("bar", "对接漏斗（需求数）", "stage", ("demands",), reverse=True)
    return SheetSpec(
        name="对接漏斗",
        key="funnel",
        notes=[PERIOD_NOTE],
        title="科技对接漏斗：从征集需求到签约落地",
        subtitle=subtitle,
        columns=columns,
        rows=rows,
        charts=[chart],
    )


def _city_sheet(db, demands, matched, outcomes, subtitle) -> SheetSpec:
    tallies = _city_tallies(db, demands, matched, outcomes)
    keys = ("institutes", "experts", "projects", "enterprises", "demands")
    records = [
        {
            "city": city,
            **{key: values.get(key, 0) for key in keys},
            "accepted": values.get("accepted", 0),
            "signed": values.get("signed", 0),
            "amount": values.get("amount", 0.0),
        }
        for city, values in sorted(
            tallies.items(), key=lambda item: _city_order(item[0])
        )
    ]
    columns = [
        Column("city", "市州", max_width=18),
        Column("institutes", "高校院所", kind="count", width=9),
        Column("experts", "专家", kind="count", width=9),
        Column("projects", "科技成果", kind="count", width=9),
        Column("enterprises", "企业", kind="count", width=9),
        Column("demands", "企业需求", kind="count", width=9),
        Column("accepted", "确认对接（对）", kind="count", width=10),
        Column("signed", "签约项目", kind="count", width=9),
        Column("amount", "签约金额（万元）", kind="amount", width=12),
    ]
    chart = Chart(
        "column",
        "各市州科技成果、企业需求与确认对接",
        "city",
        ("projects", "demands", "accepted"),
    )
    return SheetSpec(
        name="按市州",
        key="by_city",
        notes=[PERIOD_NOTE],
        title="各市州科技对接情况",
        subtitle=subtitle,
        columns=columns,
        rows=records,
        totals=tuple(column.key for column in columns[1:]),
        charts=[chart],
    )


def _city_tallies(db, demands, matched, outcomes) -> dict[str, dict]:
    # Every 市州 gets a row, with zeros where nothing is recorded, as a
    # leadership table lists them all.
    tallies: dict[str, dict] = {city: {} for city in JILIN_CITIES}
    roster_queries = {
        "institutes": "SELECT city FROM institutes WHERE " + _ACADEMIC_CONDITION,
        "experts": "SELECT i.city FROM experts e "
        "LEFT JOIN institutes i ON i.id = e.institute_id",
        "projects": "SELECT i.city FROM projects p "
        "LEFT JOIN institutes i ON i.id = p.institute_id",
        "enterprises": "SELECT city FROM enterprises",
    }
    for key, sql in roster_queries.items():
        params = (ENTERPRISE_LAB,) if key == "institutes" else ()
        for (city,) in db.execute(sql, params).fetchall():
            _tally(tallies, canonical_city(city), key)
    for row in demands:
        _tally(tallies, canonical_city(row["city"]), "demands")
    for row in matched:
        if row["status"] == "accepted":
            _tally(tallies, canonical_city(row["city"]), "accepted")
    signed_pairs = {
        (row["demand_id"], row["target_type"], row["target_id"]): row["city"]
        for row in outcomes
        if row["stage"] in SIGNED_STAGES
    }
    for city in signed_pairs.values():
        _tally(tallies, canonical_city(city), "signed")
    for row in outcomes:
        if row["stage"] == "signed" and row["amount"] is not None:
            _tally(tallies, canonical_city(row["city"]), "amount", row["amount"])
    return tallies


def _field_sheet(db, demands, matched, subtitle) -> SheetSpec:
    tallies: dict[str, dict] = {}
    for (field,) in db.execute("SELECT field FROM projects").fetchall():
        _tally(tallies, _field_label(field), "projects")
    for row in demands:
        _tally(tallies, _field_label(row["field"]), "demands")
    matched_demands: dict[int, dict] = {}
    for row in matched:
        entry = matched_demands.setdefault(row["demand_id"], {**row, "accepted": False})
        entry["accepted"] = entry["accepted"] or row["status"] == "accepted"
    for row in matched_demands.values():
        _tally(tallies, _field_label(row["field"]), "matched")
        if row["accepted"]:
            _tally(tallies, _field_label(row["field"]), "accepted")
    records = [
        {
            "field": field,
            "projects": values.get("projects", 0),
            "demands": values.get("demands", 0),
            "matched": values.get("matched", 0),
            "accepted": values.get("accepted", 0),
        }
        for field, values in sorted(
            tallies.items(),
            key=lambda item: (
                item[0] == NO_FIELD,
                -item[1].get("demands", 0) - item[1].get("projects", 0),
                item[0],
            ),
        )
    ]
    columns = [
        Column("field", "技术领域", max_width=24),
        Column("projects", "科技成果", kind="count", width=10),
        Column("demands", "企业需求", kind="count", width=10),
        Column("matched", "匹配到推荐的需求", kind="count", width=12),
        Column("accepted", "确认对接的需求", kind="count", width=12),
    ]
    return SheetSpec(
        name="按技术领域",
        key="by_field",
        title="各技术领域科技成果与企业需求",
        subtitle=subtitle,
        columns=columns,
        rows=records,
        totals=("projects", "demands", "matched", "accepted"),
        notes=["说明：企业需求未填技术领域时按企业所属行业统计。", PERIOD_NOTE],
    )


def _institute_sheet(db, period: Period, cutoff: float, subtitle) -> SheetSpec:
    institutes, unlinked = _institute_tallies(db, period, cutoff)
    records = sorted(
        institutes.values(),
        key=lambda row: (
            -row["accepted"],
            -row["recommended"],
            -row["projects"],
            row["institute"],
        ),
    )
    if any(unlinked[key] for key in ("experts", "projects", "recommended")):
        records.append(unlinked)
    columns = [
        Column("institute", "依托单位", max_width=30),
        Column("kind", "类型", max_width=10),
        Column("city", "市州", max_width=12),
        Column("experts", "专家", kind="count", width=8),
        Column("projects", "科技成果", kind="count", width=9),
        Column("recommended", "推荐对接（对）", kind="count", width=10),
        Column("accepted", "确认对接（对）", kind="count", width=10),
    ]
    return SheetSpec(
        name="按依托单位",
        key="by_institute",
        title="各高校院所成果、专家与对接情况",
        subtitle=subtitle,
        columns=columns,
        rows=records,
        totals=("experts", "projects", "recommended", "accepted"),
        notes=[
            "说明：推荐对接包括推荐该单位本身、其科技成果和其专家的对接。",
            PERIOD_NOTE,
        ],
    )


# Institute records of kind 企业研发机构 are companies named as an achievement's
# completing unit; leadership counts them apart from 高校院所.
# A roster may write its own kinds (高校, 院所), so only the company kind is left out.
_ACADEMIC_CONDITION = "(kind IS NULL OR kind != ?)"


def _institute_counts(db) -> tuple[int, int]:
    """Return the number of 高校院所 records and of 企业研发机构 records."""
    academic = db.execute(
        "SELECT count(*) FROM institutes WHERE " + _ACADEMIC_CONDITION,
        (ENTERPRISE_LAB,),
    ).fetchone()[0]
    total = db.execute("SELECT count(*) FROM institutes").fetchone()[0]
    return academic, total - academic


def _institute_tallies(db, period: Period, cutoff: float) -> tuple[dict, dict]:
    """Return {institute id: counts} and the counts of records without one."""
    institutes = {
        row["id"]: {
            "institute": row["name"],
            "kind": row["kind"],
            "city": row["city"],
            "experts": 0,
            "projects": 0,
            "recommended": 0,
            "accepted": 0,
        }
        for row in db.query("SELECT id, name, kind, city FROM institutes")
    }
    unlinked = {
        "institute": NO_INSTITUTE,
        "kind": None,
        "city": None,
        "experts": 0,
        "projects": 0,
        "recommended": 0,
        "accepted": 0,
    }
    for table, key in (("experts", "experts"), ("projects", "projects")):
        sql = f"SELECT institute_id, count(*) FROM [{table}] GROUP BY institute_id"
        for institute_id, count in db.execute(sql).fetchall():
            institutes.get(institute_id, unlinked)[key] += count
    sql = f"""
    SELECT {_TARGET_INSTITUTE} AS institute_id, m.status, count(*) AS pairs
    FROM matches m
    JOIN demands d ON d.id = m.demand_id
    WHERE ({_MATCHED}) AND {period_condition(DEMAND_DATE)}
    GROUP BY 1, 2
    """
    for row in db.query(sql, [cutoff, *period.params]):
        entry = institutes.get(row["institute_id"], unlinked)
        entry["recommended"] += row["pairs"]
        if row["status"] == "accepted":
            entry["accepted"] += row["pairs"]
    return institutes, unlinked


def _tally(tallies: dict, label: str, key: str, amount: float = 1) -> None:
    values = tallies.setdefault(label, {})
    values[key] = values.get(key, 0) + amount


def _distinct_demands(rows) -> int:
    return len({row["demand_id"] for row in rows})


def _distinct_pairs(rows) -> set[tuple]:
    return {(row["demand_id"], row["target_type"], row["target_id"]) for row in rows}


def _amount(outcomes, stages: tuple[str, ...]) -> float | None:
    amounts = [
        row["amount"]
        for row in outcomes
        if row["stage"] in stages and row["amount"] is not None
    ]
    return round(sum(amounts), 2) if amounts else None


def _field_label(field: str | None) -> str:
    return field.strip() if field and field.strip() else NO_FIELD


def _city_order(city: str) -> tuple:
    if city in JILIN_CITIES:
        return (0, JILIN_CITIES.index(city))
    return (2 if city == NO_CITY else 1, 0)


def _parse_date(value, option: str) -> date | None:
    """Parse 2025-03-01, 2025/3/1, 2025.3.1, or 2025-03 and 2025 (a whole period).

    A month or a year means its first day for --from and its last day for --to.
    """
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        numbers = [int(part) for part in text.split("-")]
        if len(numbers) == 1:
            numbers += [12, 31] if option == "--to" else [1, 1]
        elif len(numbers) == 2:
            first = date(numbers[0], numbers[1], 1)
            if option == "--to":
                following = date(
                    first.year + first.month // 12, first.month % 12 + 1, 1
                )
                return following - timedelta(days=1)
            return first
        return date(*numbers)
    except (TypeError, ValueError):
        raise UsageError(
            f"{option} 的日期无效：{value}，应为 2025-03-01 这样的格式。",
            value=str(value),
        ) from None


def _chinese_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"
