"""对接清单 (docket): who meets whom about what, for an event or a filter.

One row per demand–target pair, gathered under a heading per technical field
(or region), and a second sheet with the demands that have no recommendation, so
that no enterprise is left out.
"""

import functools
import json
import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlite_utils

from kjd.collector import collector_paused
from kjd.errors import NotFound, UsageError
from kjd.normalize import match_key
from kjd.reports.masking import mask_contacts
from kjd.reports.report import Report, ReportResult, write_report
from kjd.reports.workbook import Column, SheetSpec

logger = logging.getLogger(__name__)

DOCKET_STATUSES = ("accepted", "proposed")
GROUP_BY_CHOICES = ("field", "region", "none")
STATUS_LABELS = {
    "proposed": "待确认",
    "accepted": "已确认",
    "rejected": "已否决",
    "stale": "已过期",
}
SCHEDULED_LABEL = "已安排"
TARGET_LABELS = {"project": "成果", "expert": "专家", "institute": "院所"}
SUMMARY_LENGTH = 80  # characters of a demand description shown in the docket
MAX_SHARED_TERMS = 6
_WHITESPACE = re.compile(r"[\s\u3000]+")
# A line break inside Chinese text is no word break: 冷启动，\n需要 → 冷启动，需要.
_SPACE_BETWEEN_CJK = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")
_REGION_SUFFIX = re.compile(r"(市|州|县|区|盟|旗)$")

GROUP_COLUMNS = {
    "field": Column("field", "技术领域"),
    "region": Column("region", "地区"),
}
UNGROUPED_LABELS = {"field": "未填技术领域", "region": "未填地区"}

EVENT_COLUMNS = [
    Column("slot", "时间", max_width=12),
    Column("table_number", "桌号", width=6, align="center", wrap=False),
]
PAIR_COLUMNS = [
    Column("enterprise_name", "企业名称", max_width=22),
    Column("location", "所在地", max_width=12),
    Column("demand_title", "需求名称", max_width=26),
    Column("demand_summary", "需求摘要", max_width=40),
    Column("target", "推荐成果/专家", max_width=26),
    Column("institute", "依托单位", max_width=20),
    Column("score", "匹配度", kind="score", width=7),
    Column("basis", "匹配依据", max_width=30),
    Column("status", "对接状态", width=8, align="center"),
    Column("contact", "联系人", max_width=10),
    Column("phone", "联系电话", max_width=16),
]
UNMATCHED_COLUMNS = [
    Column("enterprise_name", "企业名称", max_width=22),
    Column("location", "所在地", max_width=12),
    Column("demand_title", "需求名称", max_width=30),
    Column("demand_summary", "需求摘要", max_width=44),
    Column("field", "技术领域", max_width=14),
    Column("reason", "原因", max_width=18),
    Column("contact", "联系人", max_width=10),
    Column("phone", "联系电话", max_width=16),
]

_DEMAND_COLUMNS = """
    d.id AS demand_id,
    d.title AS demand_title,
    d.description,
    COALESCE(NULLIF(d.field, ''), en.industry) AS demand_field,
    COALESCE(NULLIF(d.city, ''), en.city) AS city,
    COALESCE(NULLIF(d.county, ''), en.county) AS county,
    COALESCE(en.name, d.enterprise_name) AS enterprise_name,
    COALESCE(NULLIF(d.contact, ''), en.contact) AS contact,
    COALESCE(NULLIF(d.phone, ''), en.phone) AS phone,
    d.email
"""

# The field and region points of the score, as `kjd match` stores them in the
# JSON object `parts`: above 0 when the matcher found the same field or region
# even where the rosters left them blank. Parts that are not valid JSON give
# NULL.
_SCORE_PARTS = """
    CASE WHEN json_valid(pair.parts) THEN json_extract(pair.parts, '$.field') END
        AS field_points,
    CASE WHEN json_valid(pair.parts) THEN json_extract(pair.parts, '$.region') END
        AS region_points
"""

# Each demand's columns are read once (_DEMANDS_QUERY), not on each of its pairs.
_PAIR_QUERY = f"""
WITH pair AS ({{pair_source}})
SELECT
    pair.demand_id,
    pair.target_type,
    pair.target_id,
    pair.slot,
    pair.table_number,
    pair.score,
    {_SCORE_PARTS},
    pair.shared_terms,
    pair.status,
    p.title AS project_title,
    p.field AS project_field,
    p.institute_names,
    e.name AS expert_name,
    e.title AS expert_title,
    e.research_fields,
    e.institute_name AS expert_institute_name,
    COALESCE(pi.name, ei.name, ti.name) AS institute_name,
    COALESCE(pi.city, ei.city, ti.city) AS target_city
FROM pair
JOIN demands d ON d.id = pair.demand_id
LEFT JOIN enterprises en ON en.id = d.enterprise_id
LEFT JOIN projects p ON pair.target_type = 'project' AND p.id = pair.target_id
LEFT JOIN institutes pi ON pi.id = p.institute_id
LEFT JOIN experts e ON pair.target_type = 'expert' AND e.id = pair.target_id
LEFT JOIN institutes ei ON ei.id = e.institute_id
LEFT JOIN institutes ti ON pair.target_type = 'institute' AND ti.id = pair.target_id
WHERE {{conditions}}
"""

_DEMANDS_QUERY = f"""
SELECT {_DEMAND_COLUMNS}
FROM demands d
LEFT JOIN enterprises en ON en.id = d.enterprise_id
WHERE d.id IN (SELECT value FROM json_each(?))
"""

# The pairs of a docket with their match columns: matches of some statuses, or
# the meetings of an event (a meeting need not come from a match).
_MATCH_PAIRS = """
SELECT demand_id, target_type, target_id, NULL AS slot, NULL AS table_number,
    score, parts, shared_terms, status
FROM matches WHERE status IN ({placeholders})
"""

_EVENT_PAIRS = """
SELECT mt.demand_id, mt.target_type, mt.target_id, mt.slot, mt.table_number,
    m.score, m.parts, m.shared_terms, m.status
FROM meetings mt
LEFT JOIN matches m ON m.demand_id = mt.demand_id
    AND m.target_type = mt.target_type AND m.target_id = mt.target_id
WHERE mt.event_id = ?
"""

_UNMATCHED_QUERY = f"""
SELECT
    {_DEMAND_COLUMNS},
    (SELECT count(*) FROM matches m
        WHERE m.demand_id = d.id AND m.status = 'rejected') AS rejected,
    (SELECT count(*) FROM matches m
        WHERE m.demand_id = d.id AND m.status = 'stale') AS stale
FROM demands d
LEFT JOIN enterprises en ON en.id = d.enterprise_id
WHERE NOT EXISTS (
    SELECT 1 FROM matches m
    WHERE m.demand_id = d.id AND m.status IN ('proposed', 'accepted')
) AND {{conditions}}
"""


@dataclass(frozen=True)
class DocketFilter:
    """Filters that select the pairs of a docket; text matches part of a value."""

    event_id: int | None = None
    field: str | None = None
    region: str | None = None
    institute: str | None = None
    status: str | None = None

    def describe(self) -> str:
        """Return the filter in words for the subtitle, e.g. 技术领域含“新材料”."""
        parts = self._demand_parts()
        if self.institute:
            parts.append(f"依托单位含“{self.institute}”")
        statuses = [self.status] if self.status else list(DOCKET_STATUSES)
        labels = "和".join(STATUS_LABELS[status] for status in statuses)
        parts.append(f"{labels}的推荐")
        return "；".join(parts)

    def describe_unmatched(self) -> str:
        """Return the scope of the unmatched sheet in words for its subtitle."""
        parts = self._demand_parts() or ["全部企业需求"]
        return "；".join(parts) + "中没有待确认或已确认推荐的需求"

    def _demand_parts(self) -> list[str]:
        parts = []
        if self.field:
            parts.append(f"技术领域含“{self.field}”")
        if self.region:
            parts.append(f"地区含“{self.region}”")
        return parts


def build_docket(
    db: sqlite_utils.Database,
    docket_filter: DocketFilter | None = None,
    *,
    show_contacts: bool = False,
    group_by: str = "field",
) -> Report:
    """Build the docket: the pairs of the filter and the demands left unmatched.

    Without an event, the docket lists every match whose status is accepted or
    proposed (or only `docket_filter.status`). With an event, it lists the
    meetings scheduled at that event, with their match details when the pair was
    matched. Rejected and stale matches never appear.

    The second sheet lists the demands of the field and region filters that
    have no accepted or proposed match, whatever the event, status and
    institute filters, so that no enterprise is left out.

    Args:
        db: the kjd database.
        docket_filter: event, field, region, institute and status filters.
        show_contacts: write phone numbers and e-mail addresses in full; they
            are masked (138****0001, a***@example.com) by default.
        group_by: "field" (technical field, else the enterprise's industry),
            "region" (city) or "none".

    Returns:
        A Report with the sheets 对接清单 and 未匹配需求.

    Raises:
        NotFound: the event does not exist.
        UsageError: an unknown status or group_by.
    """
    docket_filter = docket_filter or DocketFilter()
    _check_options(docket_filter, group_by)
    event = _load_event(db, docket_filter.event_id)
    pairs = _query_pairs(db, docket_filter)
    demands = _query_demands(db, {pair["demand_id"] for pair in pairs})
    unmatched = _query_unmatched(db, docket_filter)
    texts = _TextCache(show_contacts)
    group = GROUP_COLUMNS.get(group_by)
    demand_cells = {
        demand_id: _demand_cells(demand, texts) for demand_id, demand in demands.items()
    }
    pair_rows = sorted(
        (
            _pair_row(pair, demands[pair["demand_id"]], demand_cells, group_by)
            for pair in pairs
        ),
        key=_pair_sort_key,
    )
    unmatched_rows = [_unmatched_row(row, texts) for row in unmatched]
    title = f"{event['name']}对接清单" if event else "企业需求与科技成果对接清单"
    subtitle = _subtitle(event, docket_filter)
    columns = (EVENT_COLUMNS if event else []) + PAIR_COLUMNS
    notes = _notes(show_contacts)
    sheets = [
        SheetSpec(
            name="对接清单",
            key="docket",
            title=title,
            subtitle=subtitle,
            columns=columns,
            rows=pair_rows,
            group_by=group,
            notes=notes,
        ),
        SheetSpec(
            name="未匹配需求",
            key="unmatched",
            title="暂无推荐的企业需求",
            subtitle=[("范围", docket_filter.describe_unmatched())],
            columns=UNMATCHED_COLUMNS,
            rows=unmatched_rows,
            notes=notes[1:],
        ),
    ]
    info = {
        "filter": {
            "event_id": docket_filter.event_id,
            "field": docket_filter.field,
            "region": docket_filter.region,
            "institute": docket_filter.institute,
            "status": docket_filter.status,
        },
        "contacts_masked": not show_contacts,
        "unmatched_demands": len(unmatched_rows),
    }
    logger.info("docket: %d pairs, %d unmatched", len(pair_rows), len(unmatched_rows))
    return Report(kind="docket", title=title, sheets=sheets, info=info)


def write_docket(
    db: sqlite_utils.Database,
    path: Path,
    *,
    event_id: int | None = None,
    field: str | None = None,
    region: str | None = None,
    institute: str | None = None,
    status: str | None = None,
    show_contacts: bool = False,
    group_by: str = "field",
    output_format: str | None = None,
    force: bool = False,
) -> ReportResult:
    """Build the docket and write it to `path` (xlsx unless the suffix names a format).

    See `build_docket` for the filters and `write_report` for the output rules.
    """
    docket_filter = DocketFilter(
        event_id=event_id,
        field=field,
        region=region,
        institute=institute,
        status=status,
    )
    with collector_paused():
        report = build_docket(
            db, docket_filter, show_contacts=show_contacts, group_by=group_by
        )
        return write_report(report, path, output_format=output_format, force=force)


def _check_options(docket_filter: DocketFilter, group_by: str) -> None:
    status = docket_filter.status
    if status is not None and status not in DOCKET_STATUSES:
        raise UsageError(
            f"无效的对接状态：{status}，--status 可选：accepted、proposed",
            status=status,
        )
    if group_by not in GROUP_BY_CHOICES:
        raise UsageError(
            f"无效的分组方式：{group_by}，--group-by 可选：field、region、none",
            group_by=group_by,
        )


def _load_event(db: sqlite_utils.Database, event_id: int | None) -> dict | None:
    if event_id is None:
        return None
    rows = list(db.query("SELECT * FROM events WHERE id = ?", [event_id]))
    if not rows:
        raise NotFound(f"数据库中没有编号为 {event_id} 的对接活动。", event_id=event_id)
    return rows[0]


def _query_pairs(db: sqlite_utils.Database, docket_filter: DocketFilter) -> list:
    if docket_filter.event_id is not None:
        pair_source = _EVENT_PAIRS
        params: list = [docket_filter.event_id]
    else:
        statuses = [docket_filter.status] if docket_filter.status else DOCKET_STATUSES
        pair_source = _MATCH_PAIRS.format(placeholders=", ".join("?" for _ in statuses))
        params = list(statuses)
    conditions, condition_params = _demand_conditions(docket_filter)
    if docket_filter.event_id is not None and docket_filter.status:
        conditions.append("pair.status = ?")
        condition_params.append(docket_filter.status)
    if docket_filter.institute:
        clause, institute_params = _institute_condition(db, docket_filter.institute)
        conditions.append(clause)
        condition_params.extend(institute_params)
    sql = _PAIR_QUERY.format(
        pair_source=pair_source, conditions=" AND ".join(conditions) or "1"
    )
    return list(db.query(sql, params + condition_params))


def _query_demands(db: sqlite_utils.Database, demand_ids: set[int]) -> dict:
    """Return {demand id: demand columns} for these demands."""
    rows = db.query(_DEMANDS_QUERY, [json.dumps(sorted(demand_ids))])
    return {row["demand_id"]: row for row in rows}


def _query_unmatched(db: sqlite_utils.Database, docket_filter: DocketFilter) -> list:
    conditions, params = _demand_conditions(docket_filter)
    sql = _UNMATCHED_QUERY.format(conditions=" AND ".join(conditions) or "1")
    sql += " ORDER BY demand_field IS NULL, demand_field, enterprise_name, d.id"
    return list(db.query(sql, params))


def _demand_conditions(docket_filter: DocketFilter) -> tuple[list[str], list]:
    conditions: list[str] = []
    params: list = []
    if docket_filter.field:
        pattern = _like_pattern(docket_filter.field)
        conditions.append(
            "(d.field LIKE ? ESCAPE '\\' OR "
            "(COALESCE(d.field, '') = '' AND en.industry LIKE ? ESCAPE '\\'))"
        )
        params.extend([pattern, pattern])
    if docket_filter.region:
        pattern = _like_pattern(_region_stem(docket_filter.region))
        columns = ("d.city", "d.county", "en.city", "en.county")
        conditions.append(
            "(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns) + ")"
        )
        params.extend([pattern] * len(columns))
    return conditions, params


def _institute_condition(db: sqlite_utils.Database, name: str) -> tuple[str, list]:
    # Part of a name matches the institute's name, short names or the names the
    # roster gave; an exact alias (吉大 → 吉林大学) matches by id.
    pattern = _like_pattern(name)
    columns = (
        "pi.name",
        "ei.name",
        "ti.name",
        "pi.short_names",
        "ei.short_names",
        "ti.short_names",
        "p.institute_names",
        "e.institute_name",
    )
    clause = " OR ".join(f"{column} LIKE ? ESCAPE '\\'" for column in columns)
    params: list = [pattern] * len(columns)
    alias_ids = [
        row["entity_id"]
        for row in db.query(
            "SELECT entity_id FROM aliases WHERE kind = 'institute' AND alias_key = ?",
            [match_key(name)],
        )
    ]
    if alias_ids:
        marks = ", ".join("?" for _ in alias_ids)
        clause += f" OR COALESCE(pi.id, ei.id, ti.id) IN ({marks})"
        params.extend(alias_ids)
    return f"({clause})", params


def _like_pattern(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@functools.lru_cache(maxsize=1024)
def _region_stem(region: str) -> str:
    # 长春市 also finds rows that contain 长春, and 延边州 finds 延边朝鲜族自治州.
    region = region.strip()
    return _REGION_SUFFIX.sub("", region) if len(region) > 2 else region


class _TextCache:
    """Contact texts of one docket, computed once per distinct phone and e-mail.

    An enterprise with several demands has the same contact on each of them.
    """

    def __init__(self, show_contacts: bool):
        self.show_contacts = show_contacts
        self.phone = functools.lru_cache(maxsize=None)(self._phone_text)

    def _phone_text(self, phone: str | None, email: str | None) -> str | None:
        values = [value for value in (phone, email) if value]
        if not values:
            return None
        text = "\n".join(str(value) for value in values)
        return text if self.show_contacts else mask_contacts(text)


def _demand_cells(demand: dict, texts: _TextCache) -> dict:
    """Return the cells of a docket row that come from its demand."""
    return {
        "field": demand["demand_field"] or UNGROUPED_LABELS["field"],
        "region": demand["city"] or UNGROUPED_LABELS["region"],
        "enterprise_name": demand["enterprise_name"],
        "location": _location(demand["city"], demand["county"]),
        "demand_title": demand["demand_title"],
        "demand_summary": summarize(demand["description"]),
        "contact": demand["contact"],
        "phone": texts.phone(demand["phone"], demand["email"]),
    }


def _pair_row(pair: dict, demand: dict, demand_cells: dict, group_by: str) -> dict:
    demand_id = pair["demand_id"]
    return {
        **demand_cells[demand_id],
        "group": group_by,
        "slot": pair["slot"],
        "table_number": pair["table_number"],
        "target": _target_text(pair),
        "institute": _institute_text(pair),
        "score": _score(pair["score"]),
        "basis": _basis(pair, demand),
        "status": STATUS_LABELS.get(pair["status"], SCHEDULED_LABEL),
        "_demand_id": demand_id,
        "_pair": (demand_id, pair["target_type"], pair["target_id"]),
        "_status": pair["status"],
    }


def _pair_sort_key(record: dict) -> tuple:
    group = record[record["group"]] if record["group"] in GROUP_COLUMNS else ""
    unfilled = group in UNGROUPED_LABELS.values()
    return (
        unfilled,
        group,
        record["slot"] or "",
        record["table_number"] or "",
        record["enterprise_name"] or "",
        record["_demand_id"],
        record["_status"] != "accepted",
        -(record["score"] or 0),
        record["target"],
    )


def _unmatched_row(row: dict, texts: _TextCache) -> dict:
    if row["rejected"]:
        reason = "推荐均已否决"
    elif row["stale"]:
        reason = "推荐已过期，需重新匹配"
    else:
        reason = "暂无推荐"
    return {
        "enterprise_name": row["enterprise_name"],
        "location": _location(row["city"], row["county"]),
        "demand_title": row["demand_title"],
        "demand_summary": summarize(row["description"]),
        "field": row["demand_field"],
        "reason": reason,
        "contact": row["contact"],
        "phone": texts.phone(row["phone"], row["email"]),
    }


def summarize(text: str | None, length: int = SUMMARY_LENGTH) -> str | None:
    """Return `text` on one line, cut to `length` characters with '…'."""
    if not text:
        return text
    # Long descriptions: flatten a prefix only, unless spaces shrink it too much.
    prefix = text[: length * 4]
    flat = prefix if _is_flat(prefix) else _flatten(prefix)
    if len(prefix) < len(text) and len(flat) <= length:
        flat = _flatten(text)
    if len(flat) <= length:
        return flat
    return flat[: length - 1].rstrip() + "…"


def _is_flat(text: str) -> bool:
    # Every whitespace character but the ASCII space is unprintable, so text
    # that passes has nothing for _flatten to change.
    return text.isprintable() and " " not in text


def _flatten(text: str) -> str:
    flat = _WHITESPACE.sub(" ", text).strip()
    return _SPACE_BETWEEN_CJK.sub("", flat)


def _location(city: str | None, county: str | None) -> str | None:
    if city and county and not county.startswith(city):
        return f"{city}{county}"
    return county or city


def _target_text(row: dict) -> str:
    label = TARGET_LABELS.get(row["target_type"], row["target_type"])
    if row["target_type"] == "project":
        name = row["project_title"]
    elif row["target_type"] == "expert":
        name = row["expert_name"]
        if name and row["expert_title"]:
            name = f"{name}（{row['expert_title']}）"
    else:
        name = row["institute_name"]
    if not name:
        name = f"编号 {row['target_id']}（记录已删除）"
    return f"{label}：{name}"


def _institute_text(row: dict) -> str | None:
    if row["target_type"] == "project":
        return row["institute_name"] or row["institute_names"]
    if row["target_type"] == "expert":
        return row["institute_name"] or row["expert_institute_name"]
    return row["institute_name"]


def _score(value) -> float | None:
    return None if value is None else round(float(value), 1)


def _basis(pair: dict, demand: dict) -> str:
    parts = []
    terms = _shared_terms(pair["shared_terms"])
    if terms:
        parts.append("共同关键词：" + "、".join(terms[:MAX_SHARED_TERMS]))
    if _same_field(pair, demand["demand_field"]):
        parts.append(f"同属{demand['demand_field']}领域")
    elif pair["field_points"]:
        parts.append("领域一致")
    if _same_city(demand["city"], pair["target_city"]):
        parts.append(f"同在{pair['target_city']}")
    elif pair["region_points"]:
        parts.append("地域相近")
    return "；".join(parts)


def _same_city(city: str | None, target_city: str | None) -> bool:
    if not city or not target_city:
        return False
    return _region_stem(city) == _region_stem(target_city)


def _shared_terms(raw) -> list[str]:
    if not raw:
        return []
    try:
        terms = json.loads(raw)
    except (TypeError, ValueError):
        return [str(raw)]
    if not isinstance(terms, list):
        return []
    return [str(term) for term in terms if term not in (None, "")]


def _same_field(pair: dict, demand_field: str | None) -> bool:
    field = (demand_field or "").strip()
    if not field:
        return False
    if pair["target_type"] == "project":
        return field == (pair["project_field"] or "").strip()
    if pair["target_type"] == "expert":
        return field in (pair["research_fields"] or "")
    return False


def _subtitle(event: dict | None, docket_filter: DocketFilter) -> list:
    pairs = []
    if event:
        pairs.append(("活动名称", event["name"]))
        pairs.append(("时间", _date_text(event.get("date"))))
        pairs.append(("地点", event.get("venue")))
        pairs.append(("主办单位", event.get("organizers")))
    if not event or docket_filter.field or docket_filter.region:
        pairs.append(("范围", docket_filter.describe()))
    return pairs


def _notes(show_contacts: bool) -> list[str]:
    score_note = (
        "说明：匹配度为 0～100 的综合得分，越高越相关；匹配依据列出需求与成果/专家"
        "共有的关键词，以及是否同属一个技术领域、同在一个市州。"
    )
    contact_note = (
        "联系电话为完整号码，仅供主办单位使用，请勿外传。"
        if show_contacts
        else "联系电话已隐去中间数字，完整号码请向主办单位索取。"
    )
    signature = "填表人：　　　　　　审核人：　　　　　　联系电话："
    return [score_note, contact_note, signature]


def _date_text(value) -> str | None:
    if not value:
        return value
    try:
        parsed = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{parsed.year}年{parsed.month}月{parsed.day}日"
